package mailin_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"mailbot/mailbot/mailin"
	"mailbot/threads"
)

func startReceiver(t *testing.T, f *fixture, lmtp bool) string {
	t.Helper()
	srv := mailin.NewReceiver(f.pipe, f.store, mailin.ReceiverOptions{Domain: "reply.example.test", LMTP: lmtp})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func dialReceiver(t *testing.T, addr string, lmtp bool) *smtp.Client {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClient(conn)
	if lmtp {
		c = smtp.NewClientLMTP(conn)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func TestReceiverRefusesInDialogueAndCommitsBefore250(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, lmtp := range []bool{false, true} {
		addr := startReceiver(t, f, lmtp)
		c := dialReceiver(t, addr, lmtp)
		if err := c.Hello("mx.client.test"); err != nil {
			t.Fatal(err)
		}
		if err := c.Mail("dana@client.test", nil); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"someone@reply.example.test", "reply+" + strings.Repeat("a", 32) + "@reply.example.test"} {
			if err := c.Rcpt(bad, nil); smtpCode(err) != 550 {
				t.Errorf("lmtp=%v: RCPT %s: %v, want 550", lmtp, bad, err)
			}
		}
		good := "reply+" + f.token + "@reply.example.test"
		if err := c.Rcpt(good, nil); err != nil {
			t.Fatalf("lmtp=%v: RCPT %s: %v", lmtp, good, err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		body := "Sent straight to the service, lmtp=" + map[bool]string{true: "yes", false: "no"}[lmtp] + ".\r\n"
		w.Write(f.raw(reply{to: "someone@else.test", inReplyTo: "<x@elsewhere.test>", body: body}))
		if err := w.Close(); err != nil {
			t.Fatalf("lmtp=%v: end of DATA: %v", lmtp, err)
		}
		// Committed before the 250: the post is there now.
		var n int
		f.db.Get(&n, `SELECT count(*) FROM messages WHERE body = $1`, strings.TrimSpace(body))
		if n != 1 {
			t.Errorf("lmtp=%v: %d posts right after 250, want 1 (the envelope recipient carried the token)", lmtp, n)
		}
	}
}

func TestReceiverRefusesOversizedMail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var err error
	f.pipe, err = mailin.NewPipeline(f.store, mailin.Options{Addressing: addressing, MaxSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	addr := startReceiver(t, f, false)
	raw := f.raw(reply{body: strings.Repeat("x", 100<<10)})
	// An MTA announces the size: refused at MAIL FROM.
	c := dialReceiver(t, addr, false)
	if err := c.Mail("dana@client.test", &smtp.MailOptions{Size: int64(len(raw))}); smtpCode(err) != 552 {
		t.Errorf("MAIL with SIZE=%d: %v, want 552", len(raw), err)
	}
	// Without SIZE the DATA is cut off (552, and go-smtp drops the connection).
	c = dialReceiver(t, addr, false)
	err = c.SendMail("dana@client.test", []string{"reply+" + f.token + "@reply.example.test"}, bytes.NewReader(raw))
	if err == nil {
		t.Fatal("oversized mail accepted")
	}
	var rows int
	f.db.Get(&rows, `SELECT count(*) FROM inbound`)
	if rows != 0 {
		t.Errorf("%d inbound rows for refused mail, want 0 (refused in the dialogue)", rows)
	}
}

// A delivery failure report to a notification's signed envelope sender is
// taken in the dialogue and marks the notification; one to a forged
// address is refused there.
func TestReceiverTakesSignedBounceAddresses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	addr := startReceiver(t, f, false)
	c := dialReceiver(t, addr, false)
	if err := c.Hello("mx.client.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("", nil); err != nil {
		t.Fatal(err)
	}
	id := f.outboxID(t)
	forged := "reply+b" + fmt.Sprint(id) + "-0000000000000000@reply.example.test"
	if err := c.Rcpt(forged, nil); smtpCode(err) != 550 {
		t.Errorf("RCPT %s: %v, want 550", forged, err)
	}
	verp := "reply+" + f.store.BounceToken(id) + "@reply.example.test"
	if err := c.Rcpt(verp, nil); err != nil {
		t.Fatalf("RCPT %s: %v", verp, err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write(f.dsn(verp, "failed", "5.1.1"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if status, code := f.outboxStatus(t, id); status != threads.OutboxBounced || code != "5.1.1" {
		t.Errorf("notification %s %q after a report through the intake, want bounced 5.1.1", status, code)
	}
}
