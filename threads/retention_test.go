package threads_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"mailbot/threads"
)

// Retention removes what its settings say, and nothing else: old raw mail
// is cut to its header (the verdict stays), old sent emails go but failed
// ones and the newest per recipient and transaction stay, expired sessions,
// drained sign-in budgets and old notice marks go.
func TestPruneKeepsWhatItShould(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := t.Context(), w.s
	day := 24 * time.Hour
	r := threads.Retention{RawMail: 90 * day, Outbox: 30 * day}

	// Before: mail, emails, a session, a sign-in budget, a notice.
	crlf := mustInbound(t, s, "a@old.test", "From: a@x.test\r\nSubject: old\r\n\r\nbody of the old mail\r\n", nil)
	lf := mustInbound(t, s, "b@old.test", "From: b@x.test\nSubject: old\n\nbody\n", nil)
	noticed := mustInbound(t, s, "c@old.test", "From: ana@acme.test\r\n\r\nno token\r\n",
		&threads.RejectionNotice{PersonID: w.ana.ID, Address: "ana@acme.test"})
	other := mustTxn(t, s, w.acme, "inv-2", threads.KindInvoice)
	toAnaOld := []threads.Message{w.post(t, w.invoice, w.accountant, w.ana, "first"), w.post(t, w.invoice, w.accountant, w.ana, "second")}
	toAvery := w.post(t, w.invoice, w.ana, w.accountant, "answer")
	failed := w.post(t, other, w.accountant, w.ana, "to a dead address")
	w.clock.Add(time.Hour) // rows are queued at the database's time, a moment after the clock's start
	settle(t, s, failed.ID)
	oldSession := mustSession(t, s, w.ana)
	if err := s.ReserveLoginAttempt(ctx, threads.LoginBudget{Key: "old", Burst: 5, Per: time.Minute}); err != nil {
		t.Fatal(err)
	}

	w.clock.Add(91 * day)
	// After: a mail, an email, a session, a budget and a notice of today.
	recent := mustInbound(t, s, "d@new.test", "From: d@x.test\r\n\r\nkept whole\r\n",
		&threads.RejectionNotice{PersonID: w.ana.ID, Address: "ana@acme.test"})
	threads.DBOf(s).MustExec(`UPDATE inbound SET received_at = $2 WHERE id = $1`, recent, w.clock.Now())
	toAnaNew := w.post(t, w.invoice, w.accountant, w.ana, "third")
	settle(t, s, 0)
	newSession := mustSession(t, s, w.bruno)

	// A pass another instance holds does nothing here.
	lock, ok, err := s.TryLock(ctx, "mailbot-retention")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if _, ran, err := s.Prune(ctx, r); ran || err != nil {
		t.Errorf("prune while another holds the lock: ran %v, %v", ran, err)
	}
	lock.Release()
	// Zero settings keep mail and emails forever.
	p, ran, err := s.Prune(ctx, threads.Retention{})
	if err != nil || !ran || p.RawMail != 0 || p.Outbox != 0 {
		t.Errorf("prune keeping mail and emails: %+v, ran %v, %v", p, ran, err)
	}
	if p.Sessions != 1 || p.LoginThrottle != 1 || p.RejectionNotices != 1 {
		t.Errorf("pruned %+v; want the old session, budget and notice mark", p)
	}
	// (A sign-in prunes drained budgets itself, so this one comes after.)
	if err := s.ReserveLoginAttempt(ctx, threads.LoginBudget{Key: "new", Burst: 5, Per: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if p, _, err = s.Prune(ctx, r); err != nil || p.RawMail != 3 || p.Outbox != 3 || p.Total() != 6 {
		t.Errorf("prune: %+v, %v; want 3 mails cut and 3 emails gone", p, err)
	}

	for id, want := range map[int64]string{crlf: "From: a@x.test\r\nSubject: old\r\n\r\n", lf: "From: b@x.test\nSubject: old\n\n",
		noticed: "From: ana@acme.test\r\n\r\n", recent: "From: d@x.test\r\n\r\nkept whole\r\n"} {
		raw, _, err := s.InboundRaw(ctx, id)
		if err != nil || !bytes.Equal(raw, []byte(want)) {
			t.Errorf("mail %d after pruning: %q, %v; want %q", id, raw, err, want)
		}
	}
	var row struct {
		Verdict   string `db:"verdict"`
		Truncated bool   `db:"truncated"`
		RawSize   int64  `db:"raw_size"`
	}
	threads.DBOf(s).Get(&row, `SELECT verdict, truncated, raw_size FROM inbound WHERE id = $1`, crlf)
	if row.Verdict != string(threads.VerdictIgnoredOther) || !row.Truncated || row.RawSize < 40 {
		t.Errorf("the cut mail's row: %+v; want its verdict and size, marked truncated", row)
	}
	// Read again, a header alone would lose the mail its verdict.
	_, err = s.RecordInbound(ctx, threads.InboundRecord{ReprocessID: crlf, Verdict: threads.VerdictRejectedEmpty}, nil, nil)
	if !errors.Is(err, threads.ErrHeaderOnly) {
		t.Errorf("reprocessing a mail cut to its header: %v, want ErrHeaderOnly", err)
	}
	var left []int64
	threads.DBOf(s).Select(&left, `SELECT coalesce(message_id, 0) FROM outbox ORDER BY id`)
	if want := []int64{toAvery.ID, failed.ID, 0, toAnaNew.ID}; !equalIDs(left, want) {
		t.Errorf("outbox rows left for messages %v, want %v (old emails to Ana and the old notice gone: %v)", left, want, toAnaOld)
	}
	if _, err := s.SessionPerson(ctx, newSession); err != nil {
		t.Errorf("the live session: %v", err)
	}
	if _, err := s.SessionPerson(ctx, oldSession); err == nil {
		t.Error("the expired session still works")
	}
	var budgets, marks int
	threads.DBOf(s).Get(&budgets, `SELECT count(*) FROM login_throttle`)
	threads.DBOf(s).Get(&marks, `SELECT count(*) FROM rejection_notices`)
	if budgets != 1 || marks != 1 {
		t.Errorf("%d sign-in budgets and %d notice marks left, want today's one of each", budgets, marks)
	}
	if p, _, _ := s.Prune(ctx, r); p.Total() != 0 {
		t.Errorf("a second pass touched %+v", p)
	}
}

func mustInbound(t *testing.T, s *threads.Store, key, raw string, notice *threads.RejectionNotice) int64 {
	t.Helper()
	v := threads.VerdictIgnoredOther
	if notice != nil {
		v = threads.VerdictRejectedNoToken
	}
	res, err := s.RecordInbound(t.Context(), threads.InboundRecord{DedupeKey: key, Intake: "imap", Verdict: v,
		Raw: []byte(raw), RawSize: int64(len(raw))}, nil, notice)
	if err != nil {
		t.Fatal(err)
	}
	return res.ID
}

func mustSession(t *testing.T, s *threads.Store, p threads.Person) string {
	t.Helper()
	hash := "$2a$10$hash-of-a-password-for-tests"
	if err := s.SetPasswordHash(t.Context(), p.ID, hash); err != nil {
		t.Fatal(err)
	}
	session, err := s.CreateSession(t.Context(), p.ID, hash, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return session
}

// settle sends every queued email, except the one about message failID,
// which fails.
func settle(t *testing.T, s *threads.Store, failID int64) {
	t.Helper()
	ns, err := s.ClaimNotifications(t.Context(), 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.MessageID == failID && failID != 0 {
			_, err = s.MarkFailed(t.Context(), n.OutboxID, n.Attempt, "550 no such user")
		} else {
			_, err = s.MarkSent(t.Context(), n.OutboxID, n.Attempt)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
