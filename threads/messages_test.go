package threads_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"mailbot/threads"
)

func TestConversationEligibilityByKind(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	refusals := map[threads.Kind]string{
		threads.KindSalesReceipt:    "conversations are not available on sales receipts",
		threads.KindExpense:         "conversations are not available on expenses",
		threads.KindBillableExpense: "conversations are not available on billable expense charges",
		threads.KindDelayedCharge:   "conversations are not available on delayed charges",
		threads.KindCreditMemo:      "conversations are not available on credit memos",
		threads.KindPaycheck:        "conversations are not available on paychecks",
		"journal_entry":             "conversations are not available on transactions of kind journal entry",
	}
	allowed := []threads.Kind{threads.KindInvoice, threads.KindBill, threads.KindCustomerPayment,
		threads.KindCheck, threads.KindCreditCardCharge, threads.KindCreditCardCredit}
	if got := len(allowed) + len(refusals) - 1; got != len(threads.Kinds()) {
		t.Fatalf("test covers %d known kinds, domain knows %d", got, len(threads.Kinds()))
	}
	for _, kind := range allowed {
		txn := mustTxn(t, w.s, w.acme, "k-"+string(kind), kind)
		m := w.post(t, txn, w.accountant, w.ana, "what was this for?")
		if m.TransactionID != txn.ID || m.CreatedAt.IsZero() {
			t.Errorf("%s: stored message %+v", kind, m)
		}
	}
	for kind, want := range refusals {
		txn := mustTxn(t, w.s, w.acme, "k-"+string(kind), kind)
		_, err := w.s.PostMessage(t.Context(), threads.NewMessage{
			TransactionID: txn.ID, AuthorID: w.accountant.ID, RecipientID: w.ana.ID, Body: "hi", Source: threads.SourceWeb})
		var kerr *threads.KindError
		if !errors.Is(err, threads.ErrNotAllowedKind) || !errors.As(err, &kerr) || err.Error() != want {
			t.Errorf("%s: err = %v, want %q", kind, err, want)
		}
		if thread, _ := w.s.Thread(t.Context(), w.accountant.ID, txn.ID); len(thread) != 0 {
			t.Errorf("%s: refused post left %d messages", kind, len(thread))
		}
	}
}

func TestNonMemberCanNeitherPostNorRead(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	w.post(t, w.invoice, w.accountant, w.ana, "receipt please")

	_, err := w.s.PostMessage(ctx, threads.NewMessage{TransactionID: w.invoice.ID,
		AuthorID: w.bruno.ID, RecipientID: w.ana.ID, Body: "let me in", Source: threads.SourceWeb})
	if !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("outsider post: err = %v, want ErrNotFound", err)
	}
	if _, err := w.s.Thread(ctx, w.bruno.ID, w.invoice.ID); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("outsider thread: err = %v, want ErrNotFound", err)
	}
	if _, err := w.s.Transaction(ctx, w.bruno.ID, w.invoice.ID); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("outsider transaction: err = %v, want ErrNotFound", err)
	}
	// The same answer as for a transaction that does not exist.
	if _, err := w.s.Thread(ctx, w.ana.ID, 1<<40); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("missing transaction: err = %v, want ErrNotFound", err)
	}
	// A member who is removed loses access.
	if err := w.s.RemoveMembership(ctx, w.acme.ID, w.ana.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Thread(ctx, w.ana.ID, w.invoice.ID); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("removed member thread: err = %v, want ErrNotFound", err)
	}
}

func TestPostMessageRules(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cases := []struct {
		name      string
		recipient int64
		body      string
		field     string
	}{
		{"recipient outside the company", w.bruno.ID, "hello", "recipient"},
		{"recipient is the author", w.accountant.ID, "hello", "recipient"},
		{"recipient does not exist", 1 << 40, "hello", "recipient"},
		{"blank body", w.ana.ID, " \n\t ", "message"},
		{"body too long", w.ana.ID, strings.Repeat("a", threads.MaxBodyBytes+1), "message"},
		{"invalid UTF-8", w.ana.ID, "bad \xff byte", "message"},
		{"NUL byte", w.ana.ID, "nul \x00 byte", "message"},
	}
	for _, c := range cases {
		_, err := w.s.PostMessage(t.Context(), threads.NewMessage{TransactionID: w.invoice.ID,
			AuthorID: w.accountant.ID, RecipientID: c.recipient, Body: c.body, Source: threads.SourceWeb})
		var verr *threads.ValidationError
		if !errors.Is(err, threads.ErrInvalid) || !errors.As(err, &verr) || verr.Field != c.field {
			t.Errorf("%s: err = %v, want a validation error on %s", c.name, err, c.field)
		}
	}
	// The limit itself is allowed.
	w.post(t, w.invoice, w.accountant, w.ana, strings.Repeat("a", threads.MaxBodyBytes))
	if thread, _ := w.s.Thread(t.Context(), w.ana.ID, w.invoice.ID); len(thread) != 1 {
		t.Fatalf("thread has %d messages, want only the valid one", len(thread))
	}
}

func TestThreadOrderAndServerTime(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	before := time.Now().Add(-time.Second)
	w.post(t, w.invoice, w.accountant, w.ana, "first")
	w.post(t, w.invoice, w.ana, w.accountant, "second")
	m := w.post(t, w.invoice, w.accountant, w.ana, "third")
	if m.CreatedAt.Before(before) || m.AuthorName != "Avery Ledger" || m.RecipientName != "Ana Client" {
		t.Errorf("stored message = %+v", m)
	}
	thread, err := w.s.Thread(t.Context(), w.ana.ID, w.invoice.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range thread {
		got = append(got, m.Body)
	}
	if strings.Join(got, ",") != "first,second,third" {
		t.Errorf("thread order = %v", got)
	}
}

func TestUnreadCountsAndMarkRead(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	bill := mustTxn(t, w.s, w.bolt, "bill-1", threads.KindBill)
	check := mustTxn(t, w.s, w.acme, "chk-1", threads.KindCheck)
	w.post(t, w.invoice, w.ana, w.accountant, "a1")
	w.post(t, w.invoice, w.ana, w.accountant, "a2")
	w.post(t, check, w.ana, w.accountant, "a3")
	w.post(t, bill, w.bruno, w.accountant, "b1")
	w.post(t, w.invoice, w.accountant, w.ana, "to ana")

	wantCount(t, w.s, w.accountant, w.acme, 3)
	wantCount(t, w.s, w.accountant, w.bolt, 1)
	wantCount(t, w.s, w.ana, w.acme, 1)
	wantCount(t, w.s, w.bruno, w.bolt, 0)
	wantCount(t, w.s, w.bruno, w.acme, 0) // not a member
	wantCounts(t, w.s, w.accountant, "Acme Tools=3 Bolt Freight=1")

	n, err := w.s.MarkRead(ctx, w.accountant.ID, w.invoice.ID)
	if err != nil || n != 2 {
		t.Fatalf("MarkRead = %d, %v; want 2", n, err)
	}
	wantCount(t, w.s, w.accountant, w.acme, 1) // the check's message still waits
	wantCount(t, w.s, w.ana, w.acme, 1)        // reading is per person
	wantCounts(t, w.s, w.accountant, "Acme Tools=1 Bolt Freight=1")
	if n, _ := w.s.MarkRead(ctx, w.accountant.ID, w.invoice.ID); n != 0 {
		t.Errorf("second MarkRead = %d, want 0", n)
	}
	thread, _ := w.s.Thread(ctx, w.accountant.ID, w.invoice.ID)
	if thread[0].ReadAt == nil || thread[2].ReadAt != nil {
		t.Errorf("read marks: %v, %v", thread[0].ReadAt, thread[2].ReadAt)
	}
	// A person removed from a company no longer counts its messages.
	if err := w.s.RemoveMembership(ctx, w.bolt.ID, w.accountant.ID); err != nil {
		t.Fatal(err)
	}
	wantCount(t, w.s, w.accountant, w.bolt, 0)
	wantCounts(t, w.s, w.accountant, "Acme Tools=1")
}

func wantCount(t *testing.T, s *threads.Store, p threads.Person, c threads.Company, want int) {
	t.Helper()
	got, err := s.UnreadCount(t.Context(), p.ID, c.ID)
	if err != nil || got != want {
		t.Errorf("UnreadCount(%s, %s) = %d, %v; want %d", p.Name, c.Name, got, err, want)
	}
}

func wantCounts(t *testing.T, s *threads.Store, p threads.Person, want string) {
	t.Helper()
	counts, err := s.UnreadCounts(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range counts {
		got = append(got, fmt.Sprintf("%s=%d", c.Name, c.Unread))
	}
	if strings.Join(got, " ") != want {
		t.Errorf("UnreadCounts(%s) = %q, want %q", p.Name, strings.Join(got, " "), want)
	}
}

func TestConcurrentPosters(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const posters = 50
	var wg sync.WaitGroup
	errs := make(chan error, posters)
	for i := range posters {
		wg.Go(func() {
			from, to := w.accountant, w.ana
			if i%2 == 1 {
				from, to = w.ana, w.accountant
			}
			_, err := w.s.PostMessage(t.Context(), threads.NewMessage{TransactionID: w.invoice.ID,
				AuthorID: from.ID, RecipientID: to.ID, Body: fmt.Sprintf("message %d", i), Source: threads.SourceWeb})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	first, err := w.s.Thread(t.Context(), w.ana.ID, w.invoice.ID)
	if err != nil || len(first) != posters {
		t.Fatalf("thread has %d messages, %v; want %d", len(first), err, posters)
	}
	seen := map[string]bool{}
	for i, m := range first {
		seen[m.Body] = true
		if i > 0 && m.ID <= first[i-1].ID {
			t.Errorf("thread not in posting order at %d", i)
		}
	}
	if len(seen) != posters {
		t.Errorf("%d distinct bodies, want %d", len(seen), posters)
	}
	again, _ := w.s.Thread(t.Context(), w.accountant.ID, w.invoice.ID)
	for i := range again {
		if again[i].ID != first[i].ID {
			t.Fatalf("order changed between reads at %d", i)
		}
	}
	wantCount(t, w.s, w.ana, w.acme, posters/2)
	wantCount(t, w.s, w.accountant, w.acme, posters/2)
}

// A post with a key is stored once however often, and however
// concurrently, it is sent; its notification is queued once.
func TestKeyedPostIsStoredOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	n := threads.NewMessage{TransactionID: w.invoice.ID, AuthorID: w.accountant.ID, RecipientID: w.ana.ID,
		Body: "Could you send the receipt?", Source: threads.SourceWeb, Key: "req-7"}
	var wg sync.WaitGroup
	results := make([]threads.Message, 8)
	errs := make([]error, 8)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = w.s.PostMessage(t.Context(), n) })
	}
	wg.Wait()
	repeated := 0
	for i, m := range results {
		if errs[i] != nil {
			t.Fatalf("post %d: %v", i, errs[i])
		}
		if m.ID != results[0].ID {
			t.Errorf("post %d made message %d, post 0 made %d", i, m.ID, results[0].ID)
		}
		if m.Repeated {
			repeated++
		}
	}
	if repeated != len(results)-1 {
		t.Errorf("%d posts say they repeat an earlier one, want %d", repeated, len(results)-1)
	}
	var stored, queued int
	threads.DBOf(w.s).Get(&stored, `SELECT count(*) FROM messages WHERE transaction_id = $1`, w.invoice.ID)
	threads.DBOf(w.s).Get(&queued, `SELECT count(*) FROM outbox WHERE message_id = $1`, results[0].ID)
	if stored != 1 || queued != 1 {
		t.Errorf("%d messages stored and %d notifications queued, want 1 and 1", stored, queued)
	}
	// The same key for different words is a mistake the client hears about.
	other := n
	other.Body = "Something else"
	if _, err := w.s.PostMessage(t.Context(), other); !errors.Is(err, threads.ErrInvalid) {
		t.Errorf("key reused for another message: err = %v, want a validation error", err)
	}
	// Keys belong to their author.
	reply := threads.NewMessage{TransactionID: w.invoice.ID, AuthorID: w.ana.ID, RecipientID: w.accountant.ID,
		Body: "Attached.", Source: threads.SourceWeb, Key: "req-7"}
	if m, err := w.s.PostMessage(t.Context(), reply); err != nil || m.Repeated {
		t.Errorf("another author's post with the same key: %+v, %v", m, err)
	}
}

// Pages opened at once mark a long thread read together: no error, no
// deadlock, every message marked once.
func TestConcurrentMarkRead(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for i := range 300 {
		w.post(t, w.invoice, w.ana, w.accountant, fmt.Sprintf("note %d", i))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := int64(0)
	for range 8 {
		wg.Go(func() {
			n, err := w.s.MarkRead(t.Context(), w.accountant.ID, w.invoice.ID)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	var unread int
	threads.DBOf(w.s).Get(&unread, `SELECT count(*) FROM messages WHERE recipient_id = $1 AND read_at IS NULL`, w.accountant.ID)
	if total != 300 || unread != 0 {
		t.Errorf("marked %d in all, %d left unread; want 300 and 0", total, unread)
	}
}

// A browser's textarea sends CRLF and mail may carry a lone CR; whichever
// intake a message comes by, it is stored with LF line ends only.
func TestLineEndsAreStoredAsLF(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	const written, want = "Paid.\r\n\r\nBy transfer\ron Friday.\r", "Paid.\n\nBy transfer\non Friday.\n"
	web, err := w.s.PostMessage(ctx, threads.NewMessage{TransactionID: w.invoice.ID, AuthorID: w.accountant.ID,
		RecipientID: w.ana.ID, Body: written, Source: threads.SourceWeb, Key: "form-1"})
	if err != nil {
		t.Fatal(err)
	}
	// The same post sent again as LF text is the same post.
	again, err := w.s.PostMessage(ctx, threads.NewMessage{TransactionID: w.invoice.ID, AuthorID: w.accountant.ID,
		RecipientID: w.ana.ID, Body: want, Source: threads.SourceWeb, Key: "form-1"})
	if err != nil || !again.Repeated || again.ID != web.ID {
		t.Errorf("the same post with LF line ends: %+v, %v; want the stored message repeated", again, err)
	}
	res, err := w.s.RecordInbound(ctx, threads.InboundRecord{DedupeKey: "crlf@client.test", Intake: "imap",
		Sender: "ana@acme.test", Verdict: threads.VerdictPosted, Raw: []byte("raw"), RawSize: 3},
		&threads.NewMessage{TransactionID: w.invoice.ID, AuthorID: w.ana.ID, RecipientID: w.accountant.ID,
			Body: written, Elided: "On Friday Avery wrote:\r\n> When?\r", Source: threads.SourceEmail}, nil)
	if err != nil || res.Verdict != threads.VerdictPosted {
		t.Fatalf("record inbound: %+v, %v", res, err)
	}
	thread, err := w.s.Thread(ctx, w.ana.ID, w.invoice.ID)
	if err != nil || len(thread) != 2 {
		t.Fatalf("thread: %d messages, %v", len(thread), err)
	}
	for _, m := range thread {
		if m.Body != want {
			t.Errorf("%s message stored as %q, want %q", m.Source, m.Body, want)
		}
	}
	if e := thread[1].Elided; e != "On Friday Avery wrote:\n> When?\n" {
		t.Errorf("elided text stored as %q", e)
	}
}
