package web_test

import (
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"mailbot/threads"
	"mailbot/web"
)

// passwordChecks counts the password comparisons sign-in makes, and remembers
// the cost of the hashes they were made against.
type passwordChecks struct {
	n     atomic.Int64
	costs atomic.Int64 // sum of the hashes' bcrypt costs
}

func (c *passwordChecks) check(hash, password []byte) error {
	c.n.Add(1)
	cost, _ := bcrypt.Cost(hash)
	c.costs.Add(int64(cost))
	return bcrypt.CompareHashAndPassword(hash, password)
}

// An unknown address, a person without a password and a wrong password all
// cost one password comparison at the real cost, so the answer's time does
// not tell which accounts exist.
func TestSignInDoesThePasswordWorkForEveryAddress(t *testing.T) {
	t.Parallel()
	var checks passwordChecks
	f := newFixtureWith(t, web.Options{CheckPassword: checks.check})
	if _, err := f.store.UpsertPerson(t.Context(), threads.PersonInput{ExternalID: "nopw", Name: "Nell Nopass",
		Emails: []threads.EmailAddress{{Address: "nell@acme.test", Verified: true}}}); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	for _, email := range []string{"nobody@acme.test", "nell@acme.test", "not an address", "ana@acme.test"} {
		before, costs := checks.n.Load(), checks.costs.Load()
		code, _, _ := c.do("POST", "/login", url.Values{"email": {email}, "password": {"not the password"}})
		if code != http.StatusUnauthorized {
			t.Errorf("sign-in as %q: %d, want 401", email, code)
		}
		if n, cost := checks.n.Load()-before, checks.costs.Load()-costs; n != 1 || cost != int64(bcrypt.DefaultCost) {
			t.Errorf("sign-in as %q made %d password checks of total cost %d, want 1 of cost %d", email, n, cost, bcrypt.DefaultCost)
		}
	}
}
