package web_test

import (
	"bytes"
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

func TestAdmin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	pipe, err := mailin.NewPipeline(f.store, mailin.Options{Addressing: inbound.Addressing{
		ReplyPattern: "reply+{token}@reply.example.test", IDDomain: "mail.example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	server, _ := web.New(f.store, web.Options{})
	mux := http.NewServeMux()
	web.NewAdmin(server, f.store, web.AdminOptions{Reprocess: func(ctx context.Context, id int64) (string, error) {
		res, err := pipe.Reprocess(ctx, id)
		return string(res.Verdict), err
	}, Ready: func(context.Context) (string, error) {
		return "schema", errors.New("database at version 9, binary at 7")
	}}).Register(mux)
	srv := httptest.NewServer(server.Register(mux))
	defer srv.Close()
	f.srv = srv

	// A reply from a person who has left the company: rejected, then
	// reprocessed once they are back.
	f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID, RecipientID: f.ana.ID,
		Body: "Receipt?", Source: threads.SourceWeb})
	token, _ := f.store.ReplyTokenFor(ctx, f.ana.ID, f.invoice.ID)
	f.store.RemoveMembership(ctx, f.acme.ID, f.ana.ID)
	raw := "From: ana@acme.test\r\nTo: reply+" + token + "@reply.example.test\r\nSubject: <b>Re</b>\r\nMessage-ID: <r1@acme.test>\r\n\r\nHere <script>x()</script> it is.\r\n"
	res, err := pipe.Ingest(ctx, bytes.NewReader([]byte(raw)), "test", nil)
	if err != nil || res.Verdict != threads.VerdictRejectedNoAccess {
		t.Fatalf("ingest: %+v, %v", res, err)
	}

	plain := f.client(t)
	plain.login("avery@firm.test", "/")
	if code, _, _ := plain.do("GET", "/admin", nil); code != http.StatusNotFound {
		t.Errorf("admin for a non-staff person: %d, want 404", code)
	}
	f.store.UpsertPerson(ctx, threads.PersonInput{ExternalID: "acc", Name: "Avery Quill", Staff: true, TimeZone: "America/New_York",
		Emails: []threads.EmailAddress{{Address: "avery@firm.test", Verified: true}}})
	admin := plain
	code, body, _ := admin.do("GET", "/admin?verdict=rejected", nil)
	if code != 200 || !strings.Contains(body, "rejected_no_access") || strings.Contains(body, "<b>Re</b>") {
		t.Fatalf("admin inbound list: %d", code)
	}
	if !strings.Contains(body, "not ready (schema): database at version 9, binary at 7") {
		t.Error("the health section lacks why the process is not ready")
	}
	f.db.Exec(`UPDATE person_emails SET failing_since = now() WHERE address = 'bruno@bolt.test'`)
	if _, body, _ := admin.do("GET", "/admin", nil); !strings.Contains(body, "bruno@bolt.test (Bruno Client, since") {
		t.Error("the outbox section does not list the address whose mail keeps bouncing")
	}
	if _, body, _ := admin.do("GET", "/admin?verdict=posted", nil); strings.Contains(body, "rejected_no_access") {
		t.Error("the verdict filter does not filter")
	}
	code, body, h := admin.do("GET", fmt.Sprintf("/admin/inbound/%d", res.InboundID), nil)
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || !strings.Contains(body, "<script>x()</script>") {
		t.Errorf("raw source: %d %s", code, h.Get("Content-Type"))
	}
	f.store.SetMembership(ctx, f.acme.ID, f.ana.ID, threads.RoleClient)
	code, _, h = admin.do("POST", fmt.Sprintf("/admin/inbound/%d/reprocess", res.InboundID), url.Values{})
	if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "posted") {
		t.Fatalf("reprocess: %d to %s", code, h.Get("Location"))
	}
	if code, _, _ := admin.do("POST", fmt.Sprintf("/admin/inbound/%d/reprocess", res.InboundID), url.Values{}); code != http.StatusConflict {
		t.Errorf("reprocessing a posted mail: %d, want 409", code)
	}
	// Retry a failed email.
	f.db.Exec(`UPDATE outbox SET status = 'failed', last_error = '550 no such user' WHERE id = (SELECT min(id) FROM outbox)`)
	_, body, _ = admin.do("GET", "/admin?outbox=failed", nil)
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
	if code, _, _ := admin.do("POST", fmt.Sprintf("/admin/people/%d/revoke-tokens", f.ana.ID), url.Values{}); code != http.StatusSeeOther {
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
