package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"mailbot/threads"
	"mailbot/web"
)

// Saving a person with the verified box left unticked (a rename) keeps the
// verification of the addresses they had: the box verifies, it does not
// take verification away, and nothing is asked.
func TestAdminEditKeepsVerifiedAddress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	adminSite(t, f, web.AdminOptions{})
	admin := f.staffClient(t, f.accountant, "en")
	if _, err := f.store.PatchPerson(ctx, threads.PersonPatch{ExternalID: "ana", Emails: &[]threads.EmailUpdate{
		{Address: "ana@acme.test"}, {Address: "ana@home.test"}}}); err != nil {
		t.Fatal(err)
	}
	code, _, _ := admin.do("POST", "/admin/people", url.Values{"external_id": {"ana"}, "name": {"Ana C. Client"},
		"emails": {"ana@acme.test, ana@home.test, ana@new.test"}, "locale": {"en"}, "time_zone": {"Europe/Madrid"}})
	if code != http.StatusSeeOther {
		t.Fatalf("save: %d, want 303", code)
	}
	p, err := f.store.Person(ctx, f.ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Ana C. Client" || !p.HasVerifiedEmail("ana@acme.test") || p.HasVerifiedEmail("ana@home.test") || p.HasVerifiedEmail("ana@new.test") {
		t.Errorf("after the rename: %+v; want ana@acme.test still verified, the others not", p)
	}
}
