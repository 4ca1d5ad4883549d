package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"mailbot/threads"
	"mailbot/web"
)

// withAdmin serves the fixture's pages with the admin view, and makes the
// accountant staff.
func (f *fixture) withAdmin(t *testing.T) {
	t.Helper()
	server, err := web.New(f.store, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	web.NewAdmin(server, f.store, web.AdminOptions{}).Register(mux)
	f.srv = httptest.NewServer(server.Register(mux))
	t.Cleanup(f.srv.Close)
	f.setStaff(t, f.accountant, true)
}

func (f *fixture) setStaff(t *testing.T, p threads.Person, staff bool) {
	t.Helper()
	if _, err := f.store.UpsertPerson(t.Context(), threads.PersonInput{ExternalID: p.ExternalID, Name: p.Name,
		TimeZone: p.TimeZone, Staff: staff, Emails: p.Emails}); err != nil {
		t.Fatal(err)
	}
}

// signedIn reports whether the client's session still opens the firm page.
func (c *client) signedIn() bool {
	c.t.Helper()
	code, _, h := c.do("GET", "/", nil)
	return code == http.StatusOK || (code == http.StatusSeeOther && h.Get("Location") != "/login?next=%2F")
}

// A new password ends the sessions that the old one opened: all of them when
// someone else sets it, all but the current one when a person sets their own.
func TestNewPasswordEndsOtherSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.withAdmin(t)
	admin, adminElsewhere, ana, anaElsewhere := f.client(t), f.client(t), f.client(t), f.client(t)
	admin.login("avery@firm.test", "/")
	adminElsewhere.login("avery@firm.test", "/")
	ana.login("ana@acme.test", "/")
	anaElsewhere.login("ana@acme.test", "/")
	if !ana.signedIn() || !anaElsewhere.signedIn() || !adminElsewhere.signedIn() {
		t.Fatal("sign-in did not start sessions")
	}
	if code, _, _ := admin.do("POST", fmt.Sprintf("/admin/people/%d/password", f.ana.ID), url.Values{"password": {"another password"}}); code != http.StatusSeeOther {
		t.Fatalf("set Ana's password: %d", code)
	}
	if ana.signedIn() || anaElsewhere.signedIn() {
		t.Error("Ana's sessions outlive the password an admin replaced")
	}
	if code, _, _ := admin.do("POST", fmt.Sprintf("/admin/people/%d/password", f.accountant.ID), url.Values{"password": {"my own new one"}}); code != http.StatusSeeOther {
		t.Fatalf("set own password: %d", code)
	}
	if !admin.signedIn() {
		t.Error("changing one's own password ended the session it was changed in")
	}
	if adminElsewhere.signedIn() {
		t.Error("changing one's own password left the other sessions signed in")
	}
}

// Staff rights and memberships are read at every request, so taking them
// away takes effect on the next one.
func TestRevokedRightsApplyToTheNextRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.withAdmin(t)
	admin, ana := f.client(t), f.client(t)
	admin.login("avery@firm.test", "/")
	ana.login("ana@acme.test", "/")
	if code, _, _ := admin.do("GET", "/admin", nil); code != http.StatusOK {
		t.Fatalf("admin page for staff: %d", code)
	}
	path := f.txnPath(f.acme, f.invoice)
	if code, _, _ := ana.do("GET", path, nil); code != http.StatusOK {
		t.Fatalf("transaction page for a member: %d", code)
	}
	f.setStaff(t, f.accountant, false)
	if err := f.store.RemoveMembership(t.Context(), f.acme.ID, f.ana.ID); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := admin.do("GET", "/admin", nil); code != http.StatusNotFound {
		t.Errorf("admin page after staff rights were removed: %d, want 404", code)
	}
	for _, req := range []struct{ method, path string }{{"GET", path}, {"GET", fmt.Sprintf("/companies/%d", f.acme.ID)},
		{"POST", path + "/messages"}} {
		form := url.Values{"recipient": {fmt.Sprint(f.accountant.ID)}, "body": {"still here?"}}
		if code, _, _ := ana.do(req.method, req.path, form); code != http.StatusNotFound {
			t.Errorf("%s %s after the membership was removed: %d, want 404", req.method, req.path, code)
		}
	}
}
