package web_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"mailbot/web"
)

// A sign-in with the old password that is being checked while the password
// is changed (bcrypt takes tens of milliseconds, plenty for an attacker who
// keeps trying the leaked password) must not leave a session behind: the
// new password is meant to end every session the old one opened. Here the
// change commits between the sign-in's read of the hash and its session.
func TestAttackSignInRacingAPasswordChangeKeepsASession(t *testing.T) {
	t.Parallel()
	var f *fixture
	var once sync.Once
	f = newFixtureWith(t, web.Options{CheckPassword: func(hash, pw []byte) error {
		once.Do(func() { // the admin sets a new password meanwhile
			newHash, _ := web.HashPassword("a brand new password")
			if err := f.store.SetPasswordHash(context.Background(), f.ana.ID, newHash); err != nil {
				t.Error(err)
			}
		})
		return bcrypt.CompareHashAndPassword(hash, pw)
	}})
	attacker := f.client(t)
	// The password checked is no longer the person's: the sign-in fails as
	// a wrong password would, and leaves no session.
	if code, _ := attacker.login("ana@acme.test", "/"); code != http.StatusUnauthorized {
		t.Errorf("sign-in against a replaced password answered %d, want %d", code, http.StatusUnauthorized)
	}
	if attacker.signedIn() {
		t.Fatal("a session opened with the old password outlives the password change")
	}
}
