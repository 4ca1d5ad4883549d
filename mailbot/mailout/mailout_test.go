package mailout_test

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailbot/internal/smtptest"
	"mailbot/mailbot/mailout"
	"mailbot/threads"
)

var replyAddr = regexp.MustCompile(`^reply\+([a-z2-7]{32})@reply\.example\.test$`)

func TestNotificationEmail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.accountant, f.clientEN, "What was this charge for?\nI need the receipt.")
	drain(t, f.worker(t, f.smtp.Addr, nil), 3)

	got := f.smtp.Messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	// The envelope sender names this notification, signed, on the reply
	// domain: a delivery failure comes back through the reply intakes.
	var outboxID int64
	f.db.Get(&outboxID, `SELECT id FROM outbox WHERE recipient_id = $1`, f.clientEN.ID)
	bounce := "reply+" + f.store.BounceToken(outboxID) + "@reply.example.test"
	if got[0].From != bounce || strings.Join(got[0].To, ",") != "dana@client.test" {
		t.Errorf("envelope = %s -> %v, want from %s", got[0].From, got[0].To, bounce)
	}
	if id, err := f.store.ParseBounceToken(strings.TrimSuffix(strings.TrimPrefix(got[0].From, "reply+"), "@reply.example.test")); err != nil || id != outboxID {
		t.Errorf("envelope sender names %d, %v", id, err)
	}
	e := parse(t, got[0].Data)
	h := e.header
	from, _ := h.AddressList("From")
	if len(from) != 1 || from[0].Name != "Avery Quill via Ledger Chat" || from[0].Address != "notifications@mail.example.test" {
		t.Errorf("From = %v", from)
	}
	to, _ := h.AddressList("To")
	if len(to) != 1 || to[0].Address != "dana@client.test" {
		t.Errorf("To = %v", to)
	}
	replyTo, _ := h.AddressList("Reply-To")
	if len(replyTo) != 1 || !replyAddr.MatchString(replyTo[0].Address) {
		t.Fatalf("Reply-To = %v", replyTo)
	}
	token := replyAddr.FindStringSubmatch(replyTo[0].Address)[1]
	rt, err := f.store.LookupReplyToken(t.Context(), token)
	if err != nil || rt.PersonID != f.clientEN.ID || rt.TransactionID != f.invoice.ID {
		t.Errorf("Reply-To token resolves to %+v, %v; want the recipient on the invoice", rt, err)
	}
	wantHeader(t, &h, "List-Post", "<mailto:"+replyTo[0].Address+">")
	wantHeader(t, &h, "Auto-Submitted", "auto-generated")
	wantHeader(t, &h, "X-Auto-Response-Suppress", "All")
	wantHeader(t, &h, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	unsub := h.Get("List-Unsubscribe")
	if !strings.HasPrefix(unsub, "<https://app.example.test/unsubscribe/") {
		t.Errorf("List-Unsubscribe = %q", unsub)
	}
	muteToken := strings.TrimSuffix(strings.TrimPrefix(unsub, "<https://app.example.test/unsubscribe/"), ">")
	if p, txn, err := f.store.ParseMuteToken(muteToken); err != nil || p != f.clientEN.ID || txn != f.invoice.ID {
		t.Errorf("mute link names person %d, transaction %d, %v", p, txn, err)
	}
	subject, _ := h.Subject()
	if subject != "Invoice A-1001 · Harbor Tools Ltd" {
		t.Errorf("Subject = %q", subject)
	}
	msgID, _ := h.MessageID()
	if rows := f.outbox(t); len(rows) != 1 || msgID != rows[0].MailID+"@mail.example.test" || rows[0].Status != "sent" {
		t.Errorf("Message-ID %q, outbox %+v", msgID, rows)
	}
	refs, _ := h.MsgIDList("References")
	inReplyTo, _ := h.MsgIDList("In-Reply-To")
	if len(refs) != 2 || len(inReplyTo) != 1 || refs[0] != inReplyTo[0] || refs[1] != "reply-"+token+"@reply.example.test" {
		t.Errorf("References = %v, In-Reply-To = %v", refs, inReplyTo)
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "multipart/alternative") {
		t.Errorf("Content-Type = %q", h.Get("Content-Type"))
	}
	for _, want := range []string{"##- Please type your reply above this line -##", "Avery Quill wrote about invoice A-1001 of Harbor Tools Ltd",
		"What was this charge for?\nI need the receipt.", "Date: Mar 14, 2026", "Amount: 1,250.00 USD", "Customer: Coastal Steel Supply",
		fmt.Sprintf("https://app.example.test/companies/%d/transactions/%d#activities", f.company.ID, f.invoice.ID),
		"Reply to this email to answer Avery Quill; your reply is added to the conversation."} {
		if !strings.Contains(e.text, want) {
			t.Errorf("text part lacks %q:\n%s", want, e.text)
		}
	}
	if !strings.Contains(e.html, "What was this charge for?") || !strings.Contains(e.html, `href="https://app.example.test/companies/`) {
		t.Errorf("html part:\n%s", e.html)
	}
}

func wantHeader(t *testing.T, h interface{ Get(string) string }, key, want string) {
	t.Helper()
	if got := h.Get(key); got != want {
		t.Errorf("%s = %q, want %q", key, got, want)
	}
}

func TestNotificationsThreadTogether(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.accountant, f.clientEN, "first")
	f.post(t, f.clientEN, f.accountant, "answer")
	f.post(t, f.accountant, f.clientEN, "second")
	drain(t, f.worker(t, f.smtp.Addr, nil), 3)
	got := f.smtp.Messages()
	if len(got) != 3 {
		t.Fatalf("received %d, want 3", len(got))
	}
	roots := map[string]bool{}
	ids := map[string]bool{}
	subjects := map[string][]string{}
	for _, msg := range got {
		e := parse(t, msg.Data)
		refs, _ := e.header.MsgIDList("References")
		roots[refs[0]] = true
		id, _ := e.header.MessageID()
		ids[id] = true
		s, _ := e.header.Subject()
		subjects[msg.To[0]] = append(subjects[msg.To[0]], s)
	}
	if len(roots) != 1 || len(ids) != 3 {
		t.Errorf("%d thread roots and %d Message-IDs; want 1 root and 3 ids", len(roots), len(ids))
	}
	dana := subjects["dana@client.test"]
	if len(dana) != 2 || dana[0] != "Invoice A-1001 · Harbor Tools Ltd" || dana[1] != "Re: Invoice A-1001 · Harbor Tools Ltd" {
		t.Errorf("subjects to the client = %q", dana)
	}
	if s := subjects["avery@firm.test"]; len(s) != 1 || s[0] != "Invoice A-1001 · Harbor Tools Ltd" {
		t.Errorf("subjects to the accountant = %q", s)
	}
}

func TestSpanishRecipient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.accountant, f.client, "¿Para qué fue este cargo?")
	drain(t, f.worker(t, f.smtp.Addr, nil), 3)
	got := f.smtp.Messages()
	if len(got) != 1 {
		t.Fatalf("received %d, want 1", len(got))
	}
	e := parse(t, got[0].Data)
	subject, _ := e.header.Subject()
	if subject != "Factura A-1001 · Harbor Tools Ltd" {
		t.Errorf("Subject = %q", subject)
	}
	for _, want := range []string{"##- Escriba su respuesta encima de esta línea -##", "Avery Quill escribió sobre la factura A-1001 de Harbor Tools Ltd",
		"¿Para qué fue este cargo?", "Fecha: 14 de marzo de 2026", "Importe: 1.250,00 USD", "Cliente: Coastal Steel Supply",
		"Responda a este correo"} {
		if !strings.Contains(e.text, want) {
			t.Errorf("text part lacks %q:\n%s", want, e.text)
		}
	}
	if !strings.Contains(e.html, `lang="es"`) || !strings.Contains(e.html, "Abrir la conversación") {
		t.Errorf("html part is not Spanish:\n%s", e.html)
	}
}

func TestHeaderInjection(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	evil := "Eve\r\nBcc: x@evil.test"
	n := threads.Notification{
		OutboxID: 1, Attempt: 1, MailID: "abc", ToAddress: "dana@client.test", MessageID: 1,
		Body: "hello\r\nBcc: x@evil.test\r\n\r\n<script>alert(1)</script>", AuthorName: evil,
		RecipientID: f.clientEN.ID, RecipientName: evil, Locale: "en", CompanyID: f.company.ID, CompanyName: evil,
		Transaction: threads.Transaction{ID: f.invoice.ID, Kind: threads.KindInvoice, Number: "1\r\nBcc: x@evil.test",
			Date: time.Now(), Currency: "USD", Counterparty: evil},
		ReplyToken: strings.Repeat("a", 32),
	}
	f.composeAndSend(t, n)
	got := f.smtp.Messages()
	if len(got) != 1 || len(got[0].To) != 1 {
		t.Fatalf("received %+v", got)
	}
	e := parse(t, got[0].Data)
	fields := e.header.Fields()
	for fields.Next() {
		if strings.EqualFold(fields.Key(), "Bcc") {
			t.Fatalf("a Bcc header was injected:\n%s", got[0].Data)
		}
	}
	from, err := e.header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "notifications@mail.example.test" {
		t.Errorf("From = %v, %v", from, err)
	}
	if strings.Contains(e.html, "<script>") {
		t.Error("the body's markup reached the HTML part unescaped")
	}
}

func TestTransientFailuresRetryUntilDelivered(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.smtp.Refuse(func(attempt int) *smtp.SMTPError {
		if attempt <= 3 {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		return nil
	})
	f.post(t, f.accountant, f.clientEN, "one")
	f.post(t, f.accountant, f.clientEN, "two")
	w := f.worker(t, f.smtp.Addr, &mailout.WorkerOptions{RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond})
	waitDrained(t, f, w)
	got := f.smtp.Messages()
	if len(got) != 2 || countIDs(t, got) != 2 {
		t.Fatalf("received %d messages with %d distinct ids, want 2 and 2", len(got), countIDs(t, got))
	}
	rows := f.outbox(t)
	if rows[0].Status != "sent" || rows[1].Status != "sent" || rows[0].Attempts+rows[1].Attempts != 5 {
		t.Errorf("outbox = %+v; want both sent after 5 attempts in all", rows)
	}
}

// waitDrained runs the worker until every row is sent or failed.
func waitDrained(t *testing.T, f *fixture, w *mailout.Worker) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := w.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		var pending int
		f.db.Get(&pending, `SELECT count(*) FROM outbox WHERE status = 'pending'`)
		if pending == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("outbox not drained: %+v", f.outbox(t))
}

func countIDs(t *testing.T, msgs []smtptest.Message) int {
	ids := map[string]bool{}
	for _, m := range msgs {
		h := parse(t, m.Data).header
		id, _ := h.MessageID()
		ids[id] = true
	}
	return len(ids)
}

func TestPermanentFailureWaitsForRetry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.smtp.Refuse(func(int) *smtp.SMTPError {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox here"}
	})
	f.post(t, f.accountant, f.clientEN, "hello")
	w := f.worker(t, f.smtp.Addr, &mailout.WorkerOptions{RetryBase: time.Millisecond})
	drain(t, w, 5)
	rows := f.outbox(t)
	if rows[0].Status != "failed" || !strings.Contains(rows[0].LastError, "550") ||
		!strings.Contains(rows[0].LastError, "no such mailbox here") || rows[0].Attempts != 1 {
		t.Fatalf("outbox = %+v; want failed with the server's reply after one attempt", rows)
	}
	drain(t, w, 5)
	if rows := f.outbox(t); rows[0].Attempts != 1 {
		t.Fatalf("a failed row was retried without being asked: %+v", rows)
	}
	// Retrying on request, once the address works, delivers it.
	f.smtp.Refuse(nil)
	var id int64
	f.db.Get(&id, `SELECT id FROM outbox`)
	if err := f.store.RetryOutbox(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	drain(t, w, 5)
	if rows := f.outbox(t); rows[0].Status != "sent" || len(f.smtp.Messages()) != 1 {
		t.Fatalf("after retry: outbox %+v, %d received", rows, len(f.smtp.Messages()))
	}
}

func TestServerDownAtStart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	addr := smtptest.FreeAddr(t)
	f.post(t, f.accountant, f.clientEN, "are you there?")
	w := f.worker(t, addr, &mailout.WorkerOptions{RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond})
	drain(t, w, 3)
	rows := f.outbox(t)
	if rows[0].Status != "pending" || rows[0].LastError == "" {
		t.Fatalf("with the server down: %+v; want pending with the error", rows)
	}
	srv := smtptest.StartAt(t, addr)
	waitDrained(t, f, w)
	if got := srv.Messages(); len(got) != 1 {
		t.Fatalf("received %d once the server came up, want 1", len(got))
	}
}

func TestMutedRecipientGetsNoEmail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := f.store.Mute(t.Context(), f.clientEN.ID, f.invoice.ID); err != nil {
		t.Fatal(err)
	}
	f.post(t, f.accountant, f.clientEN, "muted")
	f.post(t, f.clientEN, f.accountant, "not muted")
	drain(t, f.worker(t, f.smtp.Addr, nil), 3)
	got := f.smtp.Messages()
	if len(got) != 1 || got[0].To[0] != "avery@firm.test" {
		t.Fatalf("received %+v; want only the accountant's", got)
	}
	if rows := f.outbox(t); rows[0].Status != "muted" {
		t.Errorf("outbox = %+v", rows)
	}
}

func TestThreeWorkersDeliverEachOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const total = 1000
	postMany(t, f, total)
	var wg sync.WaitGroup
	for range 3 {
		w := f.worker(t, f.smtp.Addr, &mailout.WorkerOptions{Batch: 20})
		wg.Go(func() { drain(t, w, total) })
	}
	wg.Wait()
	got := f.smtp.Messages()
	if len(got) != total || countIDs(t, got) != total {
		t.Fatalf("server received %d messages with %d distinct ids; want %d each", len(got), countIDs(t, got), total)
	}
	var sent int
	f.db.Get(&sent, `SELECT count(*) FROM outbox WHERE status = 'sent'`)
	if sent != total {
		t.Errorf("%d rows marked sent, want %d", sent, total)
	}
}

// postMany posts n messages, alternating directions, from 4 goroutines.
func postMany(t testing.TB, f *fixture, n int) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				from, to := f.accountant, f.clientEN
				if i%2 == 1 {
					from, to = to, from
				}
				if _, err := f.store.PostMessage(context.Background(), threads.NewMessage{TransactionID: f.invoice.ID,
					AuthorID: from.ID, RecipientID: to.ID, Body: fmt.Sprintf("message %d", i), Source: threads.SourceWeb}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// A worker renews its claim while it works through a slow batch, so a
// second worker does not take the same notifications when the lease would
// have run out; a worker that stops renewing (it died) lets them go.
func TestClaimsRenewedWhileInHand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.smtp.Refuse(func(int) *smtp.SMTPError { time.Sleep(150 * time.Millisecond); return nil })
	for i := range 6 {
		f.post(t, f.accountant, f.clientEN, fmt.Sprintf("slow %d", i))
	}
	opts := &mailout.WorkerOptions{Batch: 6, Lease: 300 * time.Millisecond}
	slow, other := f.worker(t, f.smtp.Addr, opts), f.worker(t, f.smtp.Addr, opts)
	done := make(chan struct{})
	go func() { drain(t, slow, 1); close(done) }()
	for claimed := 0; claimed < 6; {
		f.db.Get(&claimed, `SELECT count(*) FROM outbox WHERE attempts > 0`)
	}
	// The batch takes about 900 ms, three leases: the other worker keeps
	// looking meanwhile and must find nothing due.
	for stolen := 0; ; {
		select {
		case <-done:
			if got := f.smtp.Messages(); len(got) != 6 || countIDs(t, got) != 6 || stolen != 0 {
				t.Fatalf("%d sent with %d distinct ids, %d taken by the other worker; want 6, 6, 0", len(got), countIDs(t, got), stolen)
			}
			return
		default:
		}
		n, err := other.RunOnce(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		stolen += n
		time.Sleep(20 * time.Millisecond)
	}
}

// A notice about a mail that was too large says its size and the limit.
func TestTooLargeNoticeSaysSizeAndLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.store.RecordInbound(t.Context(), threads.InboundRecord{DedupeKey: "big-1", Intake: "test",
		Sender: "dana@client.test", Subject: "Re: Invoice A-1001", Verdict: threads.VerdictRejectedTooLarge,
		Detail: "31.4 MB; the limit is 26.2 MB", Raw: []byte("From: dana@client.test\r\n\r\n"), RawSize: 31400000, Truncated: true},
		nil, &threads.RejectionNotice{PersonID: f.clientEN.ID, Address: "dana@client.test"})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := f.store.ClaimNotifications(t.Context(), 10, time.Minute)
	if err != nil || len(ns) != 1 || ns[0].Kind != "rejection_notice" {
		t.Fatalf("claimed %+v, %v", ns, err)
	}
	email, err := f.composer.Compose(t.Context(), ns[0], f.store, f.store)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(email.Data), "31.4 MB; the limit is 26.2 MB") {
		t.Errorf("notice does not say the size and the limit:\n%s", email.Data)
	}
}

// A worker stopped while its relay has not yet greeted it sends nothing
// and leaves its batch due at once: another instance, or the next start,
// takes it without waiting for the lease to run out.
func TestShutdownReleasesWhatWasNotSent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			accepted <- c // held open, never greeted
		}
	}()
	for _, body := range []string{"one", "two", "three"} {
		f.post(t, f.accountant, f.clientEN, body)
	}
	sender, err := mailout.NewSMTPSender(mailout.SMTPOptions{Addr: silent.Addr().String(), TLS: mailout.TLSNone, CommandTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	w := mailout.NewWorker(f.store, f.composer, sender, &mailout.WorkerOptions{Lease: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, nil) }()
	select {
	case c := <-accepted:
		defer c.Close()
	case <-time.After(time.Minute):
		t.Fatal("the worker never connected")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the worker did not stop while the relay kept silent")
	}
	again, err := f.store.ClaimNotifications(context.Background(), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 3 {
		t.Errorf("%d notifications claimable right after the stop, want all 3", len(again))
	}
	for _, r := range f.outbox(t) {
		if r.Status != "pending" {
			t.Errorf("outbox row %+v; want pending", r)
		}
	}
}
