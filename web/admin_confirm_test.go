package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mailbot/threads"
	"mailbot/web"
)

// Nothing that cannot be undone happens on a first request: revoking reply
// addresses or a key, retrying every failed email, removing a member or
// taking addresses or staff rights from a person each answer with a
// question, and only the confirmed form acts.
func TestAdminConfirmsDestructiveActions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	adminSite(t, f, web.AdminOptions{})
	token, key := f.somethingToLose(t)
	admin := f.staffClient(t, f.accountant, "en")

	revoke := fmt.Sprintf("/admin/people/%d/revoke-tokens", f.ana.ID)
	anaForm := url.Values{"external_id": {"ana"}, "name": {"Ana Client"}, "emails": {"ana.new@acme.test"}, "verified": {"on"},
		"locale": {"en"}, "time_zone": {"Europe/Madrid"}}
	for _, a := range []struct {
		path      string
		form      url.Values
		asks      string
		unchanged func() bool
	}{
		{revoke, url.Values{}, "Revoke the reply addresses of Ana Client?", func() bool {
			_, err := f.store.LookupReplyToken(ctx, token)
			return err == nil
		}},
		{"/admin/outbox/retry-failed", url.Values{}, "1 failed email goes back in the queue", func() bool {
			var n int
			f.db.Get(&n, `SELECT count(*) FROM outbox WHERE status = 'failed'`)
			return n == 1
		}},
		{"/admin/memberships", url.Values{"company": {"acme"}, "person": {"ana"}, "role": {"remove"}}, "Remove Ana Client from Acme Tools?", func() bool {
			_, err := f.store.MemberRole(ctx, f.acme.ID, f.ana.ID)
			return err == nil
		}},
		{"/admin/people", anaForm, "This address is removed: ana@acme.test.", func() bool {
			p, _ := f.store.Person(ctx, f.ana.ID)
			return p.HasVerifiedEmail("ana@acme.test")
		}},
		{"/admin/keys/revoke", url.Values{"name": {"ledger"}}, "Revoke the key ledger?", func() bool {
			code, _ := f.api(t, key, "GET", "/api/v1/people/ana/unread", "")
			return code == http.StatusOK
		}},
	} {
		code, body, _ := admin.do("POST", a.path, a.form)
		if code != http.StatusOK || !strings.Contains(body, `id="confirm"`) || !strings.Contains(body, a.asks) ||
			!strings.Contains(body, `name="confirm" value="yes"`) {
			t.Errorf("POST %s without confirmation: %d; want the question %q", a.path, code, a.asks)
		}
		if !a.unchanged() {
			t.Errorf("POST %s without confirmation changed something", a.path)
		}
		// The question's form carries what was asked about.
		for name, values := range a.form {
			if !strings.Contains(body, fmt.Sprintf(`<input type="hidden" name="%s" value="%s">`, name, values[0])) {
				t.Errorf("the question about %s does not carry %s", a.path, name)
			}
		}
		confirmedForm := url.Values{"confirm": {"yes"}}
		for k, v := range a.form {
			confirmedForm[k] = v
		}
		if code, _, _ := admin.do("POST", a.path, confirmedForm); code != http.StatusSeeOther {
			t.Errorf("POST %s confirmed: %d", a.path, code)
		}
		if a.unchanged() {
			t.Errorf("POST %s confirmed did nothing", a.path)
		}
	}
	// Asking is a page of its own too, for a link; it changes nothing.
	f.store.SetMembership(ctx, f.acme.ID, f.ana.ID, threads.RoleClient)
	f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID, RecipientID: f.ana.ID,
		Body: "And the other one?", Source: threads.SourceWeb})
	token, _ = f.store.ReplyTokenFor(ctx, f.ana.ID, f.invoice.ID)
	if code, body, _ := admin.do("GET", revoke, nil); code != http.StatusOK || !strings.Contains(body, `action="`+revoke+`"`) {
		t.Errorf("GET %s: %d", revoke, code)
	}
	if _, err := f.store.LookupReplyToken(ctx, token); err != nil {
		t.Errorf("asking revoked the reply address: %v", err)
	}
	// A change that takes nothing away is not asked about.
	if code, _, _ := admin.do("POST", "/admin/people", url.Values{"external_id": {"bruno"}, "name": {"Bruno B. Client"},
		"emails": {"bruno@bolt.test, bruno@home.test"}, "verified": {"on"}}); code != http.StatusSeeOther {
		t.Errorf("renaming a person and adding an address: %d, want it done at once", code)
	}
}
