package threads_test

import (
	"errors"
	"testing"

	"mailbot/threads"
)

// The figures a measurement reads start from a mark and count what came
// after it; with nothing sent there is no latency to report.
func TestStatsCountFromAMark(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	if n, err := w.s.InboundCount(ctx); err != nil || n != 0 {
		t.Fatalf("InboundCount = %d, %v; want 0", n, err)
	}
	mark, err := w.s.LastOutboxID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.PostMessage(ctx, threads.NewMessage{TransactionID: w.invoice.ID, AuthorID: w.accountant.ID,
		RecipientID: w.ana.ID, Body: "What was this charge for?", Source: threads.SourceWeb}); err != nil {
		t.Fatal(err)
	}
	if last, err := w.s.LastOutboxID(ctx); err != nil || last <= mark {
		t.Errorf("LastOutboxID after a post = %d, %v; want more than %d", last, err, mark)
	}
	if n, err := w.s.OutboxHandledAfter(ctx, mark); err != nil || n != 0 {
		t.Errorf("OutboxHandledAfter = %d, %v; want 0 while the notification is pending", n, err)
	}
	if _, err := w.s.SentLatencies(ctx, mark, 0.5); !errors.Is(err, threads.ErrNothingSent) {
		t.Errorf("SentLatencies with nothing sent: %v, want ErrNothingSent", err)
	}
	if got, err := w.s.InboundProcessedAt(ctx, "paced-", []string{"ana@acme.test"}); err != nil || len(got) != 0 {
		t.Errorf("InboundProcessedAt = %v, %v; want none", got, err)
	}
}
