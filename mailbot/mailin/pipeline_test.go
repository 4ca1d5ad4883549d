package mailin_test

import (
	"bytes"
	"errors"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"strings"
	"testing"
	"time"

	"mailbot/mailbot/mailin"
	"mailbot/threads"
)

func TestReplyIsPostedAndOtherSideNotified(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	res := f.ingest(t, f.raw(reply{}))
	if res.Verdict != threads.VerdictPosted || res.MessageID == 0 || res.Duplicate {
		t.Fatalf("result = %+v", res)
	}
	thread, err := f.store.Thread(t.Context(), f.client.ID, f.invoice.ID)
	if err != nil || len(thread) != 2 {
		t.Fatalf("thread = %d messages, %v", len(thread), err)
	}
	m := thread[1]
	if m.Body != "It was the spring stock order." || m.Source != threads.SourceEmail ||
		m.AuthorID != f.client.ID || m.RecipientID != f.accountant.ID || !strings.Contains(m.Elided, "What was this charge for?") {
		t.Errorf("posted message = %+v", m)
	}
	var queued int
	f.db.Get(&queued, `SELECT count(*) FROM outbox WHERE recipient_id = $1 AND message_id = $2 AND status = 'pending'`,
		f.accountant.ID, m.ID)
	if queued != 1 {
		t.Errorf("%d notifications queued to the accountant, want 1", queued)
	}
	var verdict string
	var linked int64
	f.db.QueryRow(`SELECT i.verdict, m.id FROM inbound i JOIN messages m ON m.inbound_id = i.id WHERE i.id = $1`, res.InboundID).Scan(&verdict, &linked)
	if verdict != "posted" || linked != m.ID {
		t.Errorf("inbound row: verdict %s, message %d", verdict, linked)
	}
}

func TestSecurityVerdicts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T, f *fixture) reply
		want  threads.Verdict
	}{
		{"forged token", func(t *testing.T, f *fixture) reply {
			return reply{to: "reply+" + strings.Repeat("q", 32) + "@reply.example.test", inReplyTo: "<x@elsewhere.test>"}
		}, threads.VerdictRejectedBadToken},
		{"no token anywhere", func(t *testing.T, f *fixture) reply {
			return reply{to: "avery@firm.test", inReplyTo: "<x@elsewhere.test>"}
		}, threads.VerdictRejectedNoToken},
		{"From an unknown address", func(t *testing.T, f *fixture) reply {
			return reply{from: "Mallory <mallory@evil.test>"}
		}, threads.VerdictRejectedSender},
		{"Reply-To spoofing", func(t *testing.T, f *fixture) reply {
			return reply{from: "Mallory <mallory@evil.test>", extra: "Reply-To: dana@client.test\r\nSender: dana@client.test\r\n"}
		}, threads.VerdictRejectedSender},
		{"From another member", func(t *testing.T, f *fixture) reply {
			return reply{from: "Avery Quill <avery@firm.test>"}
		}, threads.VerdictRejectedSender},
		{"two From addresses", func(t *testing.T, f *fixture) reply {
			return reply{from: "dana@client.test, mallory@evil.test"}
		}, threads.VerdictRejectedSender},
		{"two From fields, the owner's first", func(t *testing.T, f *fixture) reply {
			return reply{from: "Dana Harbor <dana@client.test>\r\nFrom: Mallory <mallory@evil.test>"}
		}, threads.VerdictRejectedSender},
		{"two From fields, the owner's last", func(t *testing.T, f *fixture) reply {
			return reply{from: "Mallory <mallory@evil.test>\r\nFrom: Dana Harbor <dana@client.test>"}
		}, threads.VerdictRejectedSender},
		{"two From fields, both the owner's", func(t *testing.T, f *fixture) reply {
			return reply{from: "dana@client.test\r\nFrom: Dana Harbor <dana@client.test>"}
		}, threads.VerdictRejectedSender},
		{"unverified address of the person", func(t *testing.T, f *fixture) reply {
			f.store.UpsertPerson(t.Context(), threads.PersonInput{ExternalID: "cli", Name: "Dana Harbor",
				Emails: []threads.EmailAddress{{Address: "dana@client.test", Verified: false}}})
			return reply{}
		}, threads.VerdictRejectedSender},
		{"person removed from the company", func(t *testing.T, f *fixture) reply {
			f.store.RemoveMembership(t.Context(), f.company.ID, f.client.ID)
			return reply{}
		}, threads.VerdictRejectedNoAccess},
		{"expired token", func(t *testing.T, f *fixture) reply {
			f.clock.Add(200 * 24 * time.Hour)
			return reply{inReplyTo: "<x@elsewhere.test>"}
		}, threads.VerdictRejectedExpired},
		{"revoked token", func(t *testing.T, f *fixture) reply {
			f.store.RevokeReplyTokens(t.Context(), f.client.ID)
			return reply{inReplyTo: "<x@elsewhere.test>"}
		}, threads.VerdictRejectedRevoked},
		// Every mail client names the notification it answers: that must not
		// reopen a reply address that was revoked or expired.
		{"revoked token, the reply names the notification", func(t *testing.T, f *fixture) reply {
			f.store.RevokeReplyTokens(t.Context(), f.client.ID)
			return reply{}
		}, threads.VerdictRejectedRevoked},
		{"revoked token, only the notification's Message-ID", func(t *testing.T, f *fixture) reply {
			f.store.RevokeReplyTokens(t.Context(), f.client.ID)
			return reply{to: "accounts@client.test"}
		}, threads.VerdictRejectedRevoked},
		{"expired token, only the notification's Message-ID", func(t *testing.T, f *fixture) reply {
			f.clock.Add(200 * 24 * time.Hour)
			return reply{to: "accounts@client.test"}
		}, threads.VerdictRejectedExpired},
		{"person removed, only the notification's Message-ID", func(t *testing.T, f *fixture) reply {
			f.store.RemoveMembership(t.Context(), f.company.ID, f.client.ID)
			return reply{to: "accounts@client.test"}
		}, threads.VerdictRejectedNoAccess},
		{"kind changed, only the notification's Message-ID", func(t *testing.T, f *fixture) reply {
			f.store.UpsertTransaction(t.Context(), f.company.ID, threads.TransactionInput{ExternalID: "inv-1",
				Kind: threads.KindSalesReceipt, Date: time.Now(), Currency: "USD"})
			return reply{to: "accounts@client.test"}
		}, threads.VerdictRejectedKind},
		{"forged From, only the notification's Message-ID", func(t *testing.T, f *fixture) reply {
			return reply{to: "accounts@client.test", from: "Mallory <mallory@evil.test>"}
		}, threads.VerdictRejectedSender},
		{"kind no longer allows conversations", func(t *testing.T, f *fixture) reply {
			f.store.UpsertTransaction(t.Context(), f.company.ID, threads.TransactionInput{ExternalID: "inv-1",
				Kind: threads.KindSalesReceipt, Date: time.Now(), Currency: "USD"})
			return reply{}
		}, threads.VerdictRejectedKind},
		{"nothing above the quote", func(t *testing.T, f *fixture) reply {
			return reply{body: "On Tue, Mar 3, 2026 Avery Quill <a@mail.example.test> wrote:\r\n> What was this charge for?\r\n"}
		}, threads.VerdictRejectedEmpty},
		{"our own notification looped back", func(t *testing.T, f *fixture) reply {
			return reply{from: "Avery Quill via Ledger Chat <notifications@mail.example.test>",
				msgID: "<" + f.mailID + "@mail.example.test>"}
		}, threads.VerdictIgnoredOwnMail},
		{"own Message-ID from another sender", func(t *testing.T, f *fixture) reply {
			return reply{msgID: "<" + f.mailID + "@mail.example.test>"}
		}, threads.VerdictIgnoredOwnMail},
		{"Auto-Submitted", func(t *testing.T, f *fixture) reply {
			return reply{extra: "Auto-Submitted: auto-replied\r\n"}
		}, threads.VerdictIgnoredAutoReply},
		{"X-Autoreply", func(t *testing.T, f *fixture) reply {
			return reply{extra: "X-Autoreply: yes\r\n"}
		}, threads.VerdictIgnoredAutoReply},
		{"Precedence bulk", func(t *testing.T, f *fixture) reply {
			return reply{extra: "Precedence: bulk\r\n"}
		}, threads.VerdictIgnoredAutoReply},
		{"Exchange out of office", func(t *testing.T, f *fixture) reply {
			return reply{subject: "Automatic reply: Invoice A-1001", extra: "X-MS-Exchange-Inbox-Rules-Loop: dana@client.test\r\n",
				body: "I am out of the office until Monday.\r\n"}
		}, threads.VerdictIgnoredAutoReply},
		{"challenge-response", func(t *testing.T, f *fixture) reply {
			return reply{body: "This address is protected by a sender filter. To reach me, please add\r\nyourself to my approved senders list: https://filter.example/ok\r\n"}
		}, threads.VerdictIgnoredAutoReply},
		{"DSN bounce", func(t *testing.T, f *fixture) reply {
			return reply{from: "Mail Delivery System <MAILER-DAEMON@client.test>", subject: "Undelivered Mail Returned to Sender",
				contentType: `multipart/report; report-type=delivery-status; boundary="b1"`,
				body: "--b1\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n--b1\r\n" +
					"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.client.test\r\n\r\nFinal-Recipient: rfc822; x@client.test\r\nAction: failed\r\nStatus: 5.1.1\r\n--b1--\r\n"}
		}, threads.VerdictIgnoredBounce},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			before := f.messages(t)
			res := f.ingest(t, f.raw(c.setup(t, f)))
			if res.Verdict != c.want {
				t.Errorf("verdict = %s, want %s", res.Verdict, c.want)
			}
			if after := f.messages(t); after != before {
				t.Errorf("%d messages posted", after-before)
			}
		})
	}
}

// A person who writes afresh to a transaction's address (a new subject, no
// earlier message named) is heard like a reply; a no-reply notice sent there
// is not.
func TestNewMessageToTheAddressIsPosted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fresh := func(r reply) []byte {
		raw := string(f.raw(r))
		start := strings.Index(raw, "In-Reply-To:")
		end := strings.Index(raw, "Date:")
		return []byte(raw[:start] + raw[end:])
	}
	res := f.ingest(t, fresh(reply{subject: "The receipt you asked for", body: "Here is the receipt for the stock order.\r\n"}))
	if res.Verdict != threads.VerdictPosted {
		t.Fatalf("new message: verdict %s, want posted", res.Verdict)
	}
	res = f.ingest(t, fresh(reply{from: "Alerts <no-reply@alerts.example>", subject: "Notification Message", body: "Usage report.\r\n"}))
	if res.Verdict != threads.VerdictIgnoredOther {
		t.Errorf("no-reply notice: verdict %s, want %s", res.Verdict, threads.VerdictIgnoredOther)
	}
	if n := f.messages(t); n != 2 {
		t.Errorf("%d messages, want the notification's and the new one", n)
	}
}

func TestSameMailTwicePostsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	raw := f.raw(reply{})
	first := f.ingest(t, raw)
	// The second delivery may differ in transport headers.
	second := f.ingest(t, append([]byte("Received: from mx2.client.test\r\n"), raw...))
	if first.Verdict != threads.VerdictPosted || !second.Duplicate || second.InboundID != first.InboundID {
		t.Fatalf("first %+v, second %+v", first, second)
	}
	if n := f.messages(t); n != 2 {
		t.Errorf("%d messages, want the notification's and one reply", n)
	}
	var deliveries int
	f.db.Get(&deliveries, `SELECT deliveries FROM inbound WHERE id = $1`, first.InboundID)
	if deliveries != 2 {
		t.Errorf("deliveries = %d, want 2", deliveries)
	}
	if _, err := f.pipe.Reprocess(t.Context(), first.InboundID); !errors.Is(err, threads.ErrAlreadyPosted) {
		t.Errorf("reprocessing a posted mail: %v, want ErrAlreadyPosted", err)
	}
}

func TestReprocessAfterFix(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.store.RemoveMembership(t.Context(), f.company.ID, f.client.ID)
	res := f.ingest(t, f.raw(reply{}))
	if res.Verdict != threads.VerdictRejectedNoAccess {
		t.Fatalf("verdict %s", res.Verdict)
	}
	f.store.SetMembership(t.Context(), f.company.ID, f.client.ID, threads.RoleClient)
	again, err := f.pipe.Reprocess(t.Context(), res.InboundID)
	if err != nil || again.Verdict != threads.VerdictPosted || again.InboundID != res.InboundID {
		t.Fatalf("reprocess = %+v, %v", again, err)
	}
}

func TestTokenlessReplyMatchedByMessageID(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Forwarded through an alias that rewrote the recipient.
	res := f.ingest(t, f.raw(reply{to: "accounts@client.test"}))
	if res.Verdict != threads.VerdictPosted {
		t.Fatalf("verdict %s, want posted by In-Reply-To", res.Verdict)
	}
	// Upper-cased token in the address still matches.
	res = f.ingest(t, f.raw(reply{to: "REPLY+" + strings.ToUpper(f.token) + "@REPLY.EXAMPLE.TEST", inReplyTo: "<x@elsewhere.test>",
		body: "Second answer.\r\n"}))
	if res.Verdict != threads.VerdictPosted {
		t.Fatalf("verdict %s, want posted with an upper-cased token", res.Verdict)
	}
}

// After a revocation the next notification carries a new address: a reply
// to it posts, a reply naming the earlier email does not.
func TestNewNotificationAfterRevocation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	oldMailID := f.mailID
	f.store.RevokeReplyTokens(t.Context(), f.client.ID)
	if _, err := f.store.PostMessage(t.Context(), threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID,
		RecipientID: f.client.ID, Body: "And the freight line?", Source: threads.SourceWeb}); err != nil {
		t.Fatal(err)
	}
	var newMailID string
	f.db.Get(&newMailID, `SELECT mail_id FROM outbox WHERE recipient_id = $1 AND mail_id <> $2`, f.client.ID, oldMailID)
	res := f.ingest(t, f.raw(reply{to: "accounts@client.test", inReplyTo: "<" + oldMailID + "@mail.example.test>"}))
	if res.Verdict != threads.VerdictRejectedRevoked {
		t.Errorf("reply naming the revoked email: verdict %s, want %s", res.Verdict, threads.VerdictRejectedRevoked)
	}
	res = f.ingest(t, f.raw(reply{to: "accounts@client.test", inReplyTo: "<" + newMailID + "@mail.example.test>"}))
	if res.Verdict != threads.VerdictPosted {
		t.Errorf("reply naming the new email: verdict %s, want posted", res.Verdict)
	}
}

func TestRejectionNotices(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.clock.Add(200 * 24 * time.Hour) // the token expires
	for range 2 {
		f.ingest(t, f.raw(reply{inReplyTo: "<x@elsewhere.test>"}))
	}
	if n := f.notices(t); n != 1 {
		t.Fatalf("%d notices for two expired-token replies on one day, want 1", n)
	}
	var to, reason string
	var txn *int64
	f.db.QueryRow(`SELECT to_address, reason, transaction_id FROM outbox WHERE kind = 'rejection_notice'`).Scan(&to, &reason, &txn)
	if to != "dana@client.test" || reason != "rejected_expired_token" || txn == nil || *txn != f.invoice.ID {
		t.Errorf("notice to %s for %s about %v", to, reason, txn)
	}
	// Unknown senders, auto-replies and bounces never get one.
	f.ingest(t, f.raw(reply{from: "stranger@elsewhere.test", inReplyTo: "<y@elsewhere.test>"}))
	f.ingest(t, f.raw(reply{extra: "Auto-Submitted: auto-replied\r\n", inReplyTo: "<z@elsewhere.test>"}))
	if n := f.notices(t); n != 1 {
		t.Errorf("%d notices after an unknown sender and an auto-reply, want still 1", n)
	}
}

func TestHostileMail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tooBig := f.raw(reply{body: strings.Repeat("x", 30<<20)})
	manyParts := f.raw(reply{contentType: `multipart/mixed; boundary="p"`,
		body: "--p\r\nContent-Type: text/plain\r\n\r\nAnswer in the first part.\r\n" + strings.Repeat("--p\r\nContent-Type: application/octet-stream\r\n\r\nAAAA\r\n", 10000) + "--p--\r\n"})
	cases := []struct {
		name string
		raw  []byte
		want threads.Verdict
	}{
		{"no header at all", []byte("just some bytes\x00\xff"), threads.VerdictRejectedMalformed},
		{"empty", nil, threads.VerdictRejectedMalformed},
		{"30 MiB", tooBig, threads.VerdictRejectedTooLarge},
		{"10,000 parts", manyParts, threads.VerdictPosted},
		{"unknown charset", f.raw(reply{contentType: "text/plain; charset=x-unheard-of", body: "Fine by me.\r\n"}), threads.VerdictPosted},
		{"8-bit header", f.raw(reply{extra: "X-Note: caf\xe9 cr\xe8me\r\n", subject: "Re: caf\xe9", body: "Ol\xe9, noted.\r\n",
			contentType: "text/plain; charset=iso-8859-1"}), threads.VerdictPosted},
		{"broken header line", append([]byte("this line is not a field\r\n"), f.raw(reply{body: "Still readable.\r\n"})...), threads.VerdictPosted},
		{"NUL in body", f.raw(reply{body: "nul\x00byte here\r\n"}), threads.VerdictPosted},
		{"deep nesting", f.raw(reply{contentType: `multipart/mixed; boundary="d0"`, body: nested(40)}), threads.VerdictRejectedEmpty},
	}
	for _, c := range cases {
		res, err := f.pipe.Ingest(t.Context(), bytes.NewReader(c.raw), "test", nil)
		if err != nil || res.Verdict != c.want {
			t.Errorf("%s: %+v, %v; want %s", c.name, res, err, c.want)
		}
	}
	var size int64
	var kept int
	var truncated bool
	f.db.QueryRow(`SELECT raw_size, length(raw), truncated FROM inbound WHERE verdict = 'rejected_too_large'`).Scan(&size, &kept, &truncated)
	if size != int64(len(tooBig)) || kept > 64<<10 || !truncated {
		t.Errorf("too-large mail logged with size %d, %d bytes kept, truncated %v", size, kept, truncated)
	}
}

func nested(depth int) string {
	var b strings.Builder
	for i := range depth {
		b.WriteString("--d" + itoa(i) + "\r\nContent-Type: multipart/mixed; boundary=\"d" + itoa(i+1) + "\"\r\n\r\n")
	}
	return b.String()
}

func itoa(i int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+i/10)) + string(rune('0'+i%10)))
}

func TestPipelineOptions(t *testing.T) {
	t.Parallel()
	if _, err := mailin.NewPipeline(nil, mailin.Options{}); err == nil {
		t.Error("a pipeline without a reply pattern was accepted")
	}
}

// The pipeline counts mails by verdict, and duplicates apart.
func TestPipelineMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	reg := prometheus.NewRegistry()
	pipe, err := mailin.NewPipeline(f.store, mailin.Options{Addressing: addressing, Metrics: mailin.NewMetrics(reg)})
	if err != nil {
		t.Fatal(err)
	}
	raw := f.raw(reply{})
	for _, r := range [][]byte{raw, raw, f.raw(reply{extra: "Auto-Submitted: auto-replied\r\n"})} {
		if _, err := pipe.Ingest(t.Context(), bytes.NewReader(r), "test", nil); err != nil {
			t.Fatal(err)
		}
	}
	want := `
# HELP mailbot_inbound_total Mails recorded by the inbound pipeline, by verdict (duplicate deliveries as "duplicate").
# TYPE mailbot_inbound_total counter
mailbot_inbound_total{verdict="duplicate"} 1
mailbot_inbound_total{verdict="ignored_auto_reply"} 1
mailbot_inbound_total{verdict="posted"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "mailbot_inbound_total"); err != nil {
		t.Error(err)
	}
	if n, _ := testutil.GatherAndCount(reg, "mailbot_inbound_seconds"); n != 1 {
		t.Errorf("mailbot_inbound_seconds: %d series, want 1", n)
	}
}

// Answering by email reads the thread: what waited for the author there no
// longer counts in their Conversation badge.
func TestEmailedAnswerMarksTheThreadRead(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if n, _ := f.store.UnreadCount(t.Context(), f.client.ID, f.company.ID); n != 1 {
		t.Fatalf("before the reply %d messages wait for the client, want 1", n)
	}
	if res := f.ingest(t, f.raw(reply{})); res.Verdict != threads.VerdictPosted {
		t.Fatalf("verdict %s", res.Verdict)
	}
	if n, _ := f.store.UnreadCount(t.Context(), f.client.ID, f.company.ID); n != 0 {
		t.Errorf("after the reply %d messages wait for the client, want 0", n)
	}
	if n, _ := f.store.UnreadCount(t.Context(), f.accountant.ID, f.company.ID); n != 1 {
		t.Errorf("%d messages wait for the accountant, want the reply", n)
	}
}

// The notification quoted in a reply holds the recipient's reply address
// and unsubscribe link; shown to the other side they would let them post
// as, or mute, the recipient. The raw source keeps them, for staff.
func TestQuotedReplyAddressAndUnsubscribeLinkAreRedacted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mute := "https://mailbot.example.test/unsubscribe/12.34.0123456789abcdef0123456789abcdef"
	body := "Sent it to reply+" + f.token + "@reply.example.test as asked.\r\n\r\n" +
		"On Tue, Mar 3, 2026 at 9:14 AM Avery Quill via Ledger Chat <reply+" + strings.ToUpper(f.token) + "@reply.example.test> wrote:\r\n" +
		"> What was this charge for?\r\n> Stop emails about this invoice: " + mute + "\r\n"
	res := f.ingest(t, f.raw(reply{body: body}))
	if res.Verdict != threads.VerdictPosted {
		t.Fatalf("verdict %s", res.Verdict)
	}
	var stored, raw string
	f.db.QueryRow(`SELECT body || elided FROM messages WHERE id = $1`, res.MessageID).Scan(&stored)
	f.db.QueryRow(`SELECT convert_from(raw, 'UTF8') FROM inbound WHERE id = $1`, res.InboundID).Scan(&raw)
	for _, secret := range []string{f.token, "0123456789abcdef0123456789abcdef"} {
		if strings.Contains(strings.ToLower(stored), secret) {
			t.Errorf("stored message keeps %q: %q", secret, stored)
		}
		if !strings.Contains(strings.ToLower(raw), secret) {
			t.Errorf("raw source lost %q", secret)
		}
	}
	if !strings.Contains(stored, "Sent it to [reply address removed] as asked.") || !strings.Contains(stored, "[unsubscribe link removed]") {
		t.Errorf("stored message = %q", stored)
	}
}
