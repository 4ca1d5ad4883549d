package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"mailbot/threads"
	"mailbot/web"
)

// The health page says what the relay last answered, and "Retry all
// failed" queues every failed email again, leaving the others alone.
func TestAdminRelayHealthAndRetryAllFailed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	server, _ := web.New(f.store, web.Options{})
	mux := http.NewServeMux()
	web.NewAdmin(server, f.store, web.AdminOptions{Relay: func() web.RelayStatus {
		return web.RelayStatus{Down: true, RetryAt: time.Now().Add(time.Minute),
			LastError: "smtp: the relay refused the log-in as relay: 535 bad credentials", LastErrorAt: time.Now()}
	}}).Register(mux)
	srv := httptest.NewServer(server.Register(mux))
	defer srv.Close()
	f.srv = srv
	f.store.UpsertPerson(ctx, threads.PersonInput{ExternalID: "acc", Name: "Avery Quill", Staff: true, TimeZone: "America/New_York",
		Emails: []threads.EmailAddress{{Address: "avery@firm.test", Verified: true}}})
	admin := f.client(t)
	admin.login("avery@firm.test", "/")

	_, body, _ := admin.do("GET", "/admin", nil)
	if !strings.Contains(body, "held back") || !strings.Contains(body, "535 bad credentials") {
		t.Error("the health section does not show the relay's problem")
	}
	for _, text := range []string{"one", "two", "three"} {
		if _, err := f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID,
			RecipientID: f.ana.ID, Body: text, Source: threads.SourceWeb}); err != nil {
			t.Fatal(err)
		}
	}
	f.db.Exec(`UPDATE outbox SET status = 'failed', last_error = '535 bad credentials' WHERE id < (SELECT max(id) FROM outbox)`)
	code, _, h := admin.do("POST", "/admin/outbox/retry-failed", url.Values{"confirm": {"yes"}})
	if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "n=2") {
		t.Fatalf("retry all failed: %d to %s, want 2 queued again", code, h.Get("Location"))
	}
	var statuses []string
	f.db.Select(&statuses, `SELECT status FROM outbox ORDER BY id`)
	if strings.Join(statuses, " ") != "pending pending pending" {
		t.Errorf("after retry all: %v, want every row pending", statuses)
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
