package mailout_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"mailbot/internal/smtptest"
	"mailbot/mailbot/mailout"
)

// A relay that refuses the log-in holds every notification back, pending,
// logged as an error and shown in the relay's status; once the log-in
// works they all go out. None is marked failed.
func TestRelayAuthFailureHoldsEveryNotification(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := smtptest.StartWith(t, smtptest.Options{TLS: "starttls", Username: "relay", Password: "pw"})
	for _, body := range []string{"one", "two", "three"} {
		f.post(t, f.accountant, f.clientEN, body)
	}
	var logs bytes.Buffer
	relay := &mailout.Relay{}
	worker := func(password string) *mailout.Worker {
		sender, err := mailout.NewSMTPSender(mailout.SMTPOptions{Addr: srv.Addr, RootCAs: srv.CertPool,
			Username: "relay", Password: password, CommandTimeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sender.Close() })
		return mailout.NewWorker(f.store, f.composer, sender, &mailout.WorkerOptions{RetryBase: 200 * time.Millisecond,
			RetryMax: time.Second, RetryFor: time.Millisecond, Relay: relay, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	}
	bad := worker("wrong")
	for range 3 {
		if _, err := bad.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	rows := f.outbox(t)
	for _, r := range rows {
		if r.Status != "pending" || r.Attempts != 1 {
			t.Errorf("after a refused log-in: %+v; want every row pending, claimed once", rows)
			break
		}
	}
	if !strings.Contains(rows[0].LastError, "535") {
		t.Errorf("the row in hand says %q, want the relay's reply", rows[0].LastError)
	}
	st := relay.Status()
	if !st.Down || !strings.Contains(st.LastError, "535") || st.LastErrorAt.IsZero() || !st.RetryAt.After(time.Now()) {
		t.Errorf("relay status %+v; want down with the error", st)
	}
	if !strings.Contains(logs.String(), "level=ERROR") || strings.Count(logs.String(), "level=ERROR") != 1 {
		t.Errorf("log:\n%s\nwant one error for the refused log-in", logs.String())
	}
	waitDrained(t, f, worker("pw"))
	if got := srv.Messages(); len(got) != 3 {
		t.Fatalf("relay received %d after the log-in was fixed, want 3", len(got))
	}
	if st := relay.Status(); st.Down || st.LastSent.IsZero() {
		t.Errorf("relay status after delivery %+v; want up", st)
	}
}
