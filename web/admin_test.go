package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

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
	f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID, RecipientID: f.ana.ID,
		Body: "Receipt?", Source: threads.SourceWeb})
	token, _ := f.store.ReplyTokenFor(ctx, f.ana.ID, f.invoice.ID)
	f.db.Exec(`UPDATE outbox SET status = 'failed'`)
	key, err := f.store.CreateAPIKey(ctx, "ledger")
	if err != nil {
		t.Fatal(err)
	}

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

// countOf reads the count an entry of a filter list shows.
func countOf(t *testing.T, body, href string) string {
	t.Helper()
	m := regexp.MustCompile(`<a href="` + regexp.QuoteMeta(href) + `"[^>]*>[^<]*<span class="count">([0-9.,]+)</span>`).FindStringSubmatch(body)
	if m == nil {
		return "none"
	}
	return m[1]
}

// rowsOf returns the inbound log's rows of one verdict.
func rowsOf(body string, v threads.Verdict) []string {
	var out []string
	for _, row := range strings.Split(body, `<tr id="mail-`)[1:] {
		row, _, _ = strings.Cut(row, "</tr>")
		if strings.Contains(row, `data-verdict="`+string(v)+`"`) {
			out = append(out, row)
		}
	}
	return out
}

// The verdict filter lists each verdict found with how many, grouped by
// class and under the sender filter; each mail says why it got its verdict
// and offers Reprocess only where reading it again could end otherwise.
func TestAdminVerdictCountsAndActions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	pipe := adminSite(t, f, web.AdminOptions{})
	f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID, RecipientID: f.ana.ID,
		Body: "Receipt?", Source: threads.SourceWeb})
	token, _ := f.store.ReplyTokenFor(ctx, f.ana.ID, f.invoice.ID)
	to := "reply+" + token + "@reply.example.test"
	ingest(t, pipe, mail("ana@acme.test", to, "p1@acme.test", "Here it is."), threads.VerdictPosted)
	ingest(t, pipe, mail("ana@acme.test", to, "a1@acme.test", "I am away.", "Auto-Submitted: auto-replied"), threads.VerdictIgnoredAutoReply)
	ingest(t, pipe, mail("stranger@elsewhere.test", to, "s1@elsewhere.test", "Me too."), threads.VerdictRejectedSender)
	ingest(t, pipe, mail("ana@acme.test", "reply+abcdefghijklmnopqrstuvwxyz234567@reply.example.test", "b1@acme.test", "Hello?"), threads.VerdictRejectedBadToken)
	ingest(t, pipe, mail("ana@acme.test", "reply+zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz@reply.example.test", "b2@acme.test", "Hello?"), threads.VerdictRejectedBadToken)
	ingest(t, pipe, mail("ana@acme.test", "someone@elsewhere.test", "n1@acme.test", "Hello?"), threads.VerdictRejectedNoToken)

	admin := f.staffClient(t, f.accountant, "en")
	_, body, _ := admin.do("GET", "/admin/inbound", nil)
	for href, want := range map[string]string{
		"/admin/inbound?":                                 "6",
		"/admin/inbound?verdict=posted":                   "1",
		"/admin/inbound?verdict=ignored":                  "1",
		"/admin/inbound?verdict=ignored_auto_reply":       "1",
		"/admin/inbound?verdict=rejected":                 "4",
		"/admin/inbound?verdict=rejected_bad_token":       "2",
		"/admin/inbound?verdict=rejected_no_token":        "1",
		"/admin/inbound?verdict=rejected_sender_mismatch": "1",
		"/admin/inbound?verdict=rejected_expired_token":   "none", // none came: not listed
		"/admin/inbound?verdict=failed":                   "none",
	} {
		if got := countOf(t, body, href); got != want {
			t.Errorf("%s counts %s, want %s", href, got, want)
		}
	}
	for _, v := range []threads.Verdict{threads.VerdictRejectedBadToken, threads.VerdictRejectedNoToken,
		threads.VerdictPosted, threads.VerdictIgnoredAutoReply} {
		for _, row := range rowsOf(body, v) {
			if strings.Contains(row, "Reprocess") {
				t.Errorf("a %s mail offers Reprocess, which cannot change it", v)
			}
			if !strings.Contains(row, "/download") || !strings.Contains(row, "View source") {
				t.Errorf("a %s mail has no source to read or download", v)
			}
		}
	}
	bad := rowsOf(body, threads.VerdictRejectedBadToken)
	if len(bad) != 2 || !strings.Contains(bad[0], "Unknown reply address") || !strings.Contains(bad[0], "belongs to no conversation") {
		t.Errorf("bad-token rows lack their name or reason: %q", bad)
	}
	sender := rowsOf(body, threads.VerdictRejectedSender)
	if len(sender) != 1 || !strings.Contains(sender[0], `<button type="submit" class="reprocess">Reprocess</button>`) ||
		!strings.Contains(sender[0], "add and verify it under People") {
		t.Errorf("the sender-mismatch row does not offer Reprocess with what to fix first: %q", sender)
	}

	// One verdict shown; the counts stay those of every verdict.
	_, body, _ = admin.do("GET", "/admin/inbound?verdict=rejected_bad_token", nil)
	if n := strings.Count(body, `<tr id="mail-`); n != 2 || countOf(t, body, "/admin/inbound?verdict=posted") != "1" ||
		!strings.Contains(body, `<a href="/admin/inbound?verdict=rejected_bad_token" aria-current="page">`) {
		t.Errorf("filtered by bad token: %d rows, or the counts or the current filter are wrong", n)
	}
	// The sender filter narrows the counts too, and verdict links keep it.
	_, body, _ = admin.do("GET", "/admin/inbound?sender=stranger", nil)
	if countOf(t, body, "/admin/inbound?sender=stranger") != "1" ||
		countOf(t, body, "/admin/inbound?sender=stranger&amp;verdict=rejected_sender_mismatch") != "1" ||
		countOf(t, body, "/admin/inbound?sender=stranger&amp;verdict=posted") != "none" {
		t.Error("the counts do not follow the sender filter")
	}
}

// An outbox row says what the email is (its subject as sent, in the
// recipient's language), its transaction, its recipient and its times.
func TestAdminOutboxNamesEachEmail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	pipe := adminSite(t, f, web.AdminOptions{})
	f.store.UpsertPerson(ctx, threads.PersonInput{ExternalID: "ana", Name: "Ana Client", Locale: "es", TimeZone: "Europe/Madrid",
		Emails: []threads.EmailAddress{{Address: "ana@acme.test", Verified: true}}})
	for _, n := range []threads.NewMessage{
		{AuthorID: f.accountant.ID, RecipientID: f.ana.ID, Body: "Receipt?"},
		{AuthorID: f.ana.ID, RecipientID: f.accountant.ID, Body: "Attached."},
		{AuthorID: f.accountant.ID, RecipientID: f.ana.ID, Body: "Thanks."},
	} {
		n.TransactionID, n.Source = f.invoice.ID, threads.SourceWeb
		if _, err := f.store.PostMessage(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	// The first is sent, the second fails.
	ns, _ := f.store.ClaimNotifications(ctx, 1, time.Minute)
	f.store.MarkSent(ctx, ns[0].OutboxID, ns[0].Attempt)
	f.db.Exec(`UPDATE outbox SET status = 'failed', last_error = '550 mailbox unavailable' WHERE id = $1`, ns[0].OutboxID+1)
	// A reply Ana sends once she has left the company gets her a notice.
	token, _ := f.store.ReplyTokenFor(ctx, f.ana.ID, f.invoice.ID)
	f.store.RemoveMembership(ctx, f.acme.ID, f.ana.ID)
	ingest(t, pipe, mail("ana@acme.test", "reply+"+token+"@reply.example.test", "late@acme.test", "One more thing."), threads.VerdictRejectedNoAccess)

	admin := f.staffClient(t, f.accountant, "en")
	_, body, _ := admin.do("GET", "/admin/outbox", nil)
	rows := strings.Split(body, `<tr id="email-`)[1:]
	if len(rows) != 4 {
		t.Fatalf("%d emails listed, want 4", len(rows))
	}
	link := fmt.Sprintf(`<a href="/companies/%d/transactions/%d">Invoice INV-1</a>`, f.acme.ID, f.invoice.ID)
	for i, want := range [][]string{
		{"Su correo no se añadió a la conversación", "Rejection notice: No longer on the company", "Ana Client", "ana@acme.test", "—", "Waiting", "next attempt"},
		{"Re: Factura INV-1 · Acme Tools", link, "Ana Client", "ana@acme.test", "Waiting", "created ", "next attempt "},
		{"Invoice INV-1 · Acme Tools", link, "Avery Quill", "avery@firm.test", "Failed", "550 mailbox unavailable", ">Retry</button>"},
		{"Factura INV-1 · Acme Tools", link, "Ana Client", "Sent", "sent ", "1 attempt"},
	} {
		for _, w := range want {
			if !strings.Contains(rows[i], w) {
				t.Errorf("row %d lacks %q:\n%s", i, w, rows[i])
			}
		}
	}
	if strings.Contains(rows[3], "next attempt") || strings.Contains(rows[3], "Retry") {
		t.Error("a sent email shows a next attempt or a retry")
	}
	_, body, _ = admin.do("GET", "/admin/outbox?status=failed", nil)
	if strings.Count(body, `<tr id="email-`) != 1 || countOf(t, body, "/admin/outbox?status=pending") != "2" ||
		countOf(t, body, "/admin/outbox") != "4" {
		t.Error("the status filter does not filter, or its counts are wrong")
	}
}

// Nothing that cannot be undone happens on a first request: revoking reply
// addresses or a key, retrying every failed email, removing a member or
// taking addresses or staff rights from a person each answer with a
// question, and only the confirmed form acts.
func TestAdminConfirmsDestructiveActions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	adminSite(t, f, web.AdminOptions{})
	f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID, RecipientID: f.ana.ID,
		Body: "Receipt?", Source: threads.SourceWeb})
	token, _ := f.store.ReplyTokenFor(ctx, f.ana.ID, f.invoice.ID)
	f.db.Exec(`UPDATE outbox SET status = 'failed'`)
	key, _ := f.store.CreateAPIKey(ctx, "ledger")
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

// A Spanish-speaking staff person reads the admin pages in Spanish.
func TestAdminInSpanish(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	pipe := adminSite(t, f, web.AdminOptions{})
	f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID, RecipientID: f.ana.ID,
		Body: "Receipt?", Source: threads.SourceWeb})
	ingest(t, pipe, mail("stranger@elsewhere.test", "reply+abcdefghijklmnopqrstuvwxyz234567@reply.example.test", "x@elsewhere.test", "Hola"),
		threads.VerdictRejectedBadToken)
	f.db.Exec(`UPDATE outbox SET status = 'failed', last_error = '550 no such user'`)
	f.store.CreateAPIKey(ctx, "ledger")
	admin := f.staffClient(t, f.accountant, "es")

	english := []string{"Inbound mail", "Outbox", "People", "API keys", "Health", "Verdict", "Reprocess", "View source", "Waiting"}
	for path, want := range map[string][]string{
		"/admin":                     {"Estado", "Entrada IMAP", "sin configurar", "Últimas 24 horas", "1 correo fallido", "Administración"},
		"/admin/inbound":             {"Correo entrante", "Dirección de respuesta desconocida", "no pertenece a ninguna conversación", "Ver original", "Descargar", "Rechazados"},
		"/admin/outbox":              {"Bandeja de salida", "Notificación", "Factura INV-1", "Fallido", "Reintentar", "creado el"},
		"/admin/people":              {"Personas", "Añadir o editar una persona", "Revocar direcciones de respuesta…", "Nueva contraseña"},
		"/admin/keys":                {"Claves de API", "Crear clave", "nunca"},
		"/admin/outbox/retry-failed": {"¿Reintentar todos los correos fallidos?", "1 correo fallido vuelve a la cola", "Cancelar"},
		fmt.Sprintf("/admin/people/%d/revoke-tokens", f.ana.ID): {"¿Revocar las direcciones de respuesta de Ana Client?"},
	} {
		code, body, _ := admin.do("GET", path, nil)
		if code != http.StatusOK {
			t.Errorf("%s: %d", path, code)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s does not say %q", path, w)
			}
		}
		text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " ")
		for _, w := range english {
			if strings.Contains(text, w) {
				t.Errorf("%s says %q in English", path, w)
			}
		}
	}
	var id int64
	f.db.Get(&id, `SELECT min(id) FROM outbox`)
	_, _, h := admin.do("POST", fmt.Sprintf("/admin/outbox/%d/retry", id), url.Values{})
	if _, body, _ := admin.do("GET", h.Get("Location"), nil); !strings.Contains(body, fmt.Sprintf("Correo n.º %d de nuevo en la cola.", id)) {
		t.Error("the outbox page does not say in Spanish what retrying did")
	}
}
