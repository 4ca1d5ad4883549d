package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"mailbot/mailbot/inbound"
	"mailbot/mailbot/mailin"
	"mailbot/threads"
	"mailbot/web"
)

// adminSite serves f's pages and admin view, with reprocessing through a
// real pipeline, and returns the pipeline for mail to arrive through.
func adminSite(t testing.TB, f *fixture, opts web.AdminOptions) *mailin.Pipeline {
	t.Helper()
	pipe, err := mailin.NewPipeline(f.store, mailin.Options{Addressing: inbound.Addressing{
		ReplyPattern: "reply+{token}@reply.example.test", IDDomain: "mail.example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	opts.Reprocess = func(ctx context.Context, id int64) (string, error) {
		res, err := pipe.Reprocess(ctx, id)
		return string(res.Verdict), err
	}
	server, err := web.New(f.store, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	web.NewAdmin(server, f.store, opts).Register(mux)
	web.NewAPI(f.store, nil).Register(mux)
	f.srv = httptest.NewServer(server.Register(mux))
	t.Cleanup(f.srv.Close)
	return pipe
}

// mail is a plain reply: from, to and a Message-ID, with extra header lines.
func mail(from, to, id, body string, header ...string) string {
	h := "From: " + from + "\r\nTo: " + to + "\r\nSubject: Re: Invoice INV-1\r\nMessage-ID: <" + id + ">\r\n"
	for _, line := range header {
		h += line + "\r\n"
	}
	return h + "\r\n" + body + "\r\n"
}

func ingest(t testing.TB, pipe *mailin.Pipeline, raw string, want threads.Verdict) mailin.Result {
	t.Helper()
	res, err := pipe.Ingest(t.Context(), strings.NewReader(raw), "test", nil)
	if err != nil || res.Verdict != want {
		t.Fatalf("ingest: %+v, %v; want %s", res, err, want)
	}
	return res
}

// staffClient makes p staff, keeping their language, and signs them in.
func (f *fixture) staffClient(t *testing.T, p threads.Person, locale string) *client {
	t.Helper()
	if _, err := f.store.UpsertPerson(t.Context(), threads.PersonInput{ExternalID: p.ExternalID, Name: p.Name,
		TimeZone: p.TimeZone, Locale: locale, Staff: true, Emails: p.Emails}); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	if code, _ := c.login(p.Emails[0].Address, "/"); code != http.StatusSeeOther {
		t.Fatalf("sign-in of %s: %d", p.Name, code)
	}
	return c
}

func TestAdmin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	pipe := adminSite(t, f, web.AdminOptions{Ready: func(context.Context) (string, error) {
		return "schema", errors.New("database at version 9, binary at 7")
	}})

	// A reply from a person who has left the company: rejected, then
	// reprocessed once they are back.
	f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID, RecipientID: f.ana.ID,
		Body: "Receipt?", Source: threads.SourceWeb})
	token, _ := f.store.ReplyTokenFor(ctx, f.ana.ID, f.invoice.ID)
	f.store.RemoveMembership(ctx, f.acme.ID, f.ana.ID)
	raw := "From: ana@acme.test\r\nTo: reply+" + token + "@reply.example.test\r\nSubject: <b>Re</b>\r\nMessage-ID: <r1@acme.test>\r\n\r\nHere <script>x()</script> it is.\r\n"
	res := ingest(t, pipe, raw, threads.VerdictRejectedNoAccess)

	admin := f.staffClient(t, f.accountant, "en")
	code, body, _ := admin.do("GET", "/admin", nil)
	if code != 200 || !strings.Contains(body, "not ready (schema): database at version 9, binary at 7") {
		t.Errorf("the health page lacks why the process is not ready: %d", code)
	}
	// The one admin page of before is several now; its filters still lead there.
	if _, _, h := admin.do("GET", "/admin?verdict=rejected", nil); h.Get("Location") != "/admin/inbound?verdict=rejected" {
		t.Errorf("an old inbound filter link goes to %q", h.Get("Location"))
	}
	if _, _, h := admin.do("GET", "/admin?outbox=failed", nil); h.Get("Location") != "/admin/outbox?status=failed" {
		t.Errorf("an old outbox filter link goes to %q", h.Get("Location"))
	}
	code, body, _ = admin.do("GET", "/admin/inbound?verdict=rejected", nil)
	if code != 200 || !strings.Contains(body, "rejected_no_access") || strings.Contains(body, "<b>Re</b>") {
		t.Fatalf("admin inbound list: %d", code)
	}
	if !strings.Contains(body, "no longer belongs to the transaction&#39;s company") {
		t.Error("the verdict has no reason in words")
	}
	f.db.Exec(`UPDATE person_emails SET failing_since = now() WHERE address = 'bruno@bolt.test'`)
	if _, body, _ := admin.do("GET", "/admin/outbox", nil); !strings.Contains(body, "bruno@bolt.test (Bruno Client, since") {
		t.Error("the outbox page does not list the address whose mail keeps bouncing")
	}
	if _, body, _ := admin.do("GET", "/admin/inbound?verdict=posted", nil); strings.Contains(body, `data-verdict="rejected_no_access"`) {
		t.Error("the verdict filter does not filter")
	}
	code, body, h := admin.do("GET", fmt.Sprintf("/admin/inbound/%d", res.InboundID), nil)
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || !strings.Contains(body, "<script>x()</script>") {
		t.Errorf("raw source: %d %s", code, h.Get("Content-Type"))
	}
	code, body, h = admin.do("GET", fmt.Sprintf("/admin/inbound/%d/download", res.InboundID), nil)
	if code != 200 || body != raw || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q", code, h.Get("Content-Disposition"))
	}
	f.store.SetMembership(ctx, f.acme.ID, f.ana.ID, threads.RoleClient)
	code, _, h = admin.do("POST", fmt.Sprintf("/admin/inbound/%d/reprocess", res.InboundID), url.Values{})
	if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "verdict=posted") {
		t.Fatalf("reprocess: %d to %s", code, h.Get("Location"))
	}
	if _, body, _ := admin.do("GET", h.Get("Location"), nil); !strings.Contains(body, fmt.Sprintf("Mail #%d processed again: Posted.", res.InboundID)) {
		t.Error("the inbound page does not say what reprocessing did")
	}
	if code, _, _ := admin.do("POST", fmt.Sprintf("/admin/inbound/%d/reprocess", res.InboundID), url.Values{}); code != http.StatusConflict {
		t.Errorf("reprocessing a posted mail: %d, want 409", code)
	}
	// Retry a failed email.
	f.db.Exec(`UPDATE outbox SET status = 'failed', last_error = '550 no such user' WHERE id = (SELECT min(id) FROM outbox)`)
	_, body, _ = admin.do("GET", "/admin/outbox?status=failed", nil)
	if !strings.Contains(body, "550 no such user") {
		t.Error("failed emails are not listed with their error")
	}
	var id int64
	f.db.Get(&id, `SELECT min(id) FROM outbox`)
	if code, _, _ := admin.do("POST", fmt.Sprintf("/admin/outbox/%d/retry", id), url.Values{}); code != http.StatusSeeOther {
		t.Errorf("retry: %d", code)
	}
	var status string
	f.db.Get(&status, `SELECT status FROM outbox WHERE id = $1`, id)
	if status != "pending" {
		t.Errorf("after retry the email is %s", status)
	}
	if code, _, _ := admin.do("POST", fmt.Sprintf("/admin/people/%d/revoke-tokens", f.ana.ID), url.Values{"confirm": {"yes"}}); code != http.StatusSeeOther {
		t.Errorf("revoke: %d", code)
	}
	if _, err := f.store.LookupReplyToken(ctx, token); err == nil {
		t.Error("the token still resolves after revocation")
	}

	// People, companies and memberships from the admin forms.
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/admin/companies", url.Values{"external_id": {"dune"}, "name": {"Dune Cafe"}}},
		{"/admin/people", url.Values{"external_id": {"dee"}, "name": {"Dee Dune"}, "emails": {"dee@dune.test"}, "time_zone": {"UTC"}, "locale": {"en"}}},
		{"/admin/memberships", url.Values{"company": {"dune"}, "person": {"dee"}, "role": {"client"}}},
		{"/admin/emails/verify", url.Values{"address": {"dee@dune.test"}}},
	} {
		if code, body, _ := admin.do("POST", step.path, step.form); code != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %s", step.path, code, body)
		}
	}
	dee, err := f.store.PersonByExternalID(ctx, "dee")
	if err != nil || !dee.HasVerifiedEmail("dee@dune.test") {
		t.Fatalf("person from the admin form: %+v, %v", dee, err)
	}
	if _, body, _ := admin.do("GET", "/admin/people?edit=dee", nil); !strings.Contains(body, `value="dee@dune.test"`) {
		t.Error("editing a person does not fill the form with their addresses")
	}
	if code, _, _ := admin.do("POST", fmt.Sprintf("/admin/people/%d/password", dee.ID), url.Values{"password": {"a new password"}}); code != http.StatusSeeOther {
		t.Fatalf("set password: %d", code)
	}
	d := f.client(t)
	if code, _, _ := d.do("POST", "/login", url.Values{"email": {"dee@dune.test"}, "password": {"a new password"}}); code != http.StatusSeeOther {
		t.Errorf("sign-in with the password an admin set: %d", code)
	}
	_, _, h = d.do("GET", "/", nil) // one company: straight to its home
	if _, body, _ := d.do("GET", h.Get("Location"), nil); !strings.Contains(body, "Dune Cafe") {
		t.Error("the new member does not see the company")
	}
}

// Every admin page and action answers someone who is not staff as a page
// that does not exist, and does nothing; the header links to admin for
// staff only.
func TestAdminIsStaffOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	adminSite(t, f, web.AdminOptions{})
	token, key := f.somethingToLose(t)

	ana := f.client(t)
	ana.login("ana@acme.test", "/")
	yes := url.Values{"confirm": {"yes"}}
	person := fmt.Sprint(f.ana.ID)
	for _, req := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/admin", nil}, {"GET", "/admin/inbound", nil}, {"GET", "/admin/inbound/1", nil},
		{"GET", "/admin/inbound/1/download", nil}, {"GET", "/admin/outbox", nil}, {"GET", "/admin/outbox/retry-failed", nil},
		{"GET", "/admin/people", nil}, {"GET", "/admin/people/" + person + "/revoke-tokens", nil}, {"GET", "/admin/keys", nil},
		{"GET", "/admin/keys/revoke?name=ledger", nil},
		{"POST", "/admin/inbound/1/reprocess", yes}, {"POST", "/admin/outbox/1/retry", yes},
		{"POST", "/admin/outbox/retry-failed", yes}, {"POST", "/admin/people/" + person + "/revoke-tokens", yes},
		{"POST", "/admin/companies", url.Values{"external_id": {"acme"}, "name": {"Taken"}}},
		{"POST", "/admin/people", url.Values{"external_id": {"ana"}, "name": {"Ana"}, "staff": {"on"}, "confirm": {"yes"}}},
		{"POST", "/admin/memberships", url.Values{"company": {"acme"}, "person": {"ana"}, "role": {"accountant"}}},
		{"POST", "/admin/emails/verify", url.Values{"address": {"ana@acme.test"}}},
		{"POST", "/admin/people/" + person + "/password", url.Values{"password": {"taken over"}}},
		{"POST", "/admin/keys", url.Values{"name": {"mine"}}}, {"POST", "/admin/keys/revoke", url.Values{"name": {"ledger"}, "confirm": {"yes"}}},
	} {
		if code, _, _ := ana.do(req.method, req.path, req.form); code != http.StatusNotFound {
			t.Errorf("%s %s by a client: %d, want 404", req.method, req.path, code)
		}
	}
	if _, err := f.store.LookupReplyToken(ctx, token); err != nil {
		t.Errorf("the client's requests revoked a token: %v", err)
	}
	var failed int
	f.db.Get(&failed, `SELECT count(*) FROM outbox WHERE status = 'failed'`)
	if p, _ := f.store.Person(ctx, f.ana.ID); p.Staff || failed != 1 {
		t.Errorf("the client's requests changed something: staff %v, %d failed emails", p.Staff, failed)
	}
	if code, _ := f.api(t, key, "GET", "/api/v1/people/ana/unread", ""); code == http.StatusUnauthorized {
		t.Error("the client's requests revoked the API key")
	}
	if _, body, _ := ana.do("GET", fmt.Sprintf("/companies/%d", f.acme.ID), nil); strings.Contains(body, `href="/admin"`) {
		t.Error("the header links a client to admin")
	}
	admin := f.staffClient(t, f.accountant, "en")
	if _, body, _ := admin.do("GET", fmt.Sprintf("/companies/%d", f.acme.ID), nil); !strings.Contains(body, `<a href="/admin" id="admin-link">Admin</a>`) {
		t.Error("the header does not link staff to admin")
	}
	signedOut := f.client(t)
	if code, _, h := signedOut.do("GET", "/admin/outbox", nil); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("admin while signed out: %d to %s", code, h.Get("Location"))
	}
}

// somethingToLose gives the admin actions something to act on: a message
// to Ana whose email failed, her reply token and an API key "ledger".
func (f *fixture) somethingToLose(t *testing.T) (token, key string) {
	t.Helper()
	ctx := t.Context()
	if _, err := f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID, RecipientID: f.ana.ID,
		Body: "Receipt?", Source: threads.SourceWeb}); err != nil {
		t.Fatal(err)
	}
	token, err := f.store.ReplyTokenFor(ctx, f.ana.ID, f.invoice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Exec(`UPDATE outbox SET status = 'failed'`); err != nil {
		t.Fatal(err)
	}
	if key, err = f.store.CreateAPIKey(ctx, "ledger"); err != nil {
		t.Fatal(err)
	}
	return token, key
}
