package mailin_test

import (
	"fmt"
	"strings"
	"testing"

	"mailbot/threads"
)

// dsn is a delivery status notification, as an MTA returns it to a
// notification's envelope sender.
func (f *fixture) dsn(to, action, status string) []byte {
	return []byte(fmt.Sprintf("From: Mail Delivery System <MAILER-DAEMON@mx.client.test>\r\nTo: %s\r\n"+
		"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <%s.%s@mx.client.test>\r\nAuto-Submitted: auto-replied\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n"+
		"--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"+
		"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.client.test\r\n\r\n"+
		"Final-Recipient: rfc822; dana@client.test\r\nAction: %s\r\nStatus: %s\r\n"+
		"Diagnostic-Code: smtp; 550 %s mailbox unknown\r\n--r--\r\n", to, status, strings.ReplaceAll(to, "@", "."), action, status, status))
}

func (f *fixture) outboxID(t *testing.T) int64 {
	t.Helper()
	var id int64
	f.db.Get(&id, `SELECT id FROM outbox WHERE recipient_id = $1 ORDER BY id DESC LIMIT 1`, f.client.ID)
	return id
}

func (f *fixture) outboxStatus(t *testing.T, id int64) (status, bounceStatus string) {
	t.Helper()
	f.db.QueryRow(`SELECT status, bounce_status FROM outbox WHERE id = $1`, id).Scan(&status, &bounceStatus)
	return status, bounceStatus
}

func TestBounceMarksItsNotification(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.outboxID(t)
	verp := "reply+" + f.store.BounceToken(id) + "@reply.example.test"

	// A forged report: someone else's notification, a made-up signature.
	forged := "reply+" + strings.Replace(f.store.BounceToken(id), "-", "-0", 1)[:len(f.store.BounceToken(id))] + "@reply.example.test"
	if res := f.ingest(t, f.dsn(forged, "failed", "5.1.1")); res.Verdict != threads.VerdictIgnoredBounce {
		t.Fatalf("forged report: verdict %s", res.Verdict)
	}
	if status, _ := f.outboxStatus(t, id); status == threads.OutboxBounced {
		t.Fatal("a report with a forged signature marked the notification")
	}
	// A delay is only noted, as a report or as a warning in words.
	if res := f.ingest(t, f.dsn(verp, "delayed", "4.4.1")); res.Verdict != threads.VerdictIgnoredOther {
		t.Errorf("delay report: verdict %s, want %s", res.Verdict, threads.VerdictIgnoredOther)
	}
	warning := "From: Mail Delivery System <Mailer-Daemon@mx.client.test>\r\nTo: " + verp + "\r\nSubject: Warning: message 1a2b3c delayed 24 hours\r\n" +
		"Message-ID: <w1@mx.client.test>\r\n\r\nA message that you sent has not yet been delivered to one or more of its recipients.\r\n" +
		"No action is required on your part. Delivery attempts will continue for some time.\r\n"
	if res := f.ingest(t, []byte(warning)); res.Verdict != threads.VerdictIgnoredOther {
		t.Errorf("delay warning: verdict %s, want %s", res.Verdict, threads.VerdictIgnoredOther)
	}
	var lastError string
	f.db.Get(&lastError, `SELECT last_error FROM outbox WHERE id = $1`, id)
	if status, _ := f.outboxStatus(t, id); status == threads.OutboxBounced || !strings.HasPrefix(lastError, "delivery delayed") {
		t.Fatalf("after the delays: %s, %q; want not bounced, the delay noted", status, lastError)
	}
	res := f.ingest(t, f.dsn(verp, "failed", "5.1.1"))
	if res.Verdict != threads.VerdictIgnoredBounce || res.MessageID != 0 {
		t.Fatalf("report: %+v", res)
	}
	if status, code := f.outboxStatus(t, id); status != threads.OutboxBounced || code != "5.1.1" {
		t.Errorf("notification %s %q, want bounced 5.1.1", status, code)
	}
	if n := f.notices(t); n != 0 {
		t.Errorf("%d notices for a bounce", n)
	}
}

func TestRepeatedHardBouncesMarkTheAddressFailing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	failing := func() bool {
		var since *string
		f.db.Get(&since, `SELECT failing_since::text FROM person_emails WHERE address = 'dana@client.test'`)
		return since != nil
	}
	for i := range threads.HardBouncesToFail {
		if i > 0 {
			f.store.PostMessage(t.Context(), threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID,
				RecipientID: f.client.ID, Body: fmt.Sprintf("Reminder %d", i), Source: threads.SourceWeb})
		}
		if failing() {
			t.Fatalf("failing after %d bounces", i)
		}
		f.ingest(t, f.dsn("reply+"+f.store.BounceToken(f.outboxID(t))+"@reply.example.test", "failed", "5.1.1"))
	}
	if !failing() {
		t.Fatalf("not failing after %d bounces", threads.HardBouncesToFail)
	}
	failures, _ := f.store.FailingAddresses(t.Context())
	if len(failures) != 1 || failures[0].PersonID != f.client.ID {
		t.Errorf("failing addresses = %+v", failures)
	}
	// A reply from the address proves it works again.
	if res := f.ingest(t, f.raw(reply{})); res.Verdict != threads.VerdictPosted {
		t.Fatalf("reply: %s", res.Verdict)
	}
	if failing() {
		t.Error("still failing after a reply from the address")
	}
}
