package web_test

import (
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
