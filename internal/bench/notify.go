package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"mailbot/threads"
)

// notify posts n messages at once and lets the real outbox workers send them
// to the SMTP server: the rate, and the latency of that burst (mostly
// queueing). Then it posts n/4 more at half that rate for the latency of one
// notification, post to accepted.
func (b *world) notify(ctx context.Context, n int) (Result, error) {
	res := Result{Bench: "notify", N: n}
	startWorkers, err := b.svc.Outbox(b.settings("http://127.0.0.1"), b.store)
	if err != nil {
		return res, err
	}
	before, err := b.store.LastOutboxID(ctx)
	if err != nil {
		return res, err
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				if err := b.postToClient(ctx, i, fmt.Sprintf("Message %d: could you send the receipt?", i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	// The posting goroutines hold ctx; the workers get their own.
	workCtx, cancel := context.WithCancel(ctx)
	stop, err := startWorkers(workCtx)
	if err != nil {
		cancel()
		return res, err
	}
	defer func() { cancel(); stop() }()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return res, err
	}
	if err := b.waitOutbox(ctx, before, n, 10*time.Minute); err != nil {
		return res, err
	}
	rate := float64(n) / time.Since(start).Seconds()
	res.set("notifications_per_s", rate)
	burst, err := b.store.SentLatencies(ctx, before, 0.5, 0.99)
	if err != nil {
		return res, err
	}
	res.set("burst_latency_p50_ms", burst[0])
	res.set("burst_latency_p99_ms", burst[1])
	// Then a steady stream at half that rate: post to accepted, one by one.
	if before, err = b.store.LastOutboxID(ctx); err != nil {
		return res, err
	}
	m := max(n/4, 20)
	gap := time.Duration(float64(time.Second) / max(rate/2, 1))
	for i := range m {
		if err := b.postToClient(ctx, i, fmt.Sprintf("Paced message %d", i)); err != nil {
			return res, err
		}
		time.Sleep(gap)
	}
	if err := b.waitOutbox(ctx, before, m, time.Minute); err != nil {
		return res, err
	}
	paced, err := b.store.SentLatencies(ctx, before, 0.5, 0.95, 0.99)
	if err != nil {
		return res, err
	}
	res.set("latency_p50_ms", paced[0])
	res.set("latency_p95_ms", paced[1])
	res.set("latency_p99_ms", paced[2])
	return res, nil
}

// postToClient posts a message from the accountant to client i (round robin).
func (b *world) postToClient(ctx context.Context, i int, body string) error {
	_, err := b.store.PostMessage(ctx, threads.NewMessage{TransactionID: b.invoice.ID, AuthorID: b.accountant.ID,
		RecipientID: b.clients[i%len(b.clients)].ID, Body: body, Source: threads.SourceWeb})
	return err
}

// waitOutbox waits until n notifications queued after outbox row after
// were handled.
func (b *world) waitOutbox(ctx context.Context, after int64, n int, timeout time.Duration) error {
	for deadline := time.Now().Add(timeout); ; time.Sleep(10 * time.Millisecond) {
		done, err := b.store.OutboxHandledAfter(ctx, after)
		if err != nil {
			return err
		}
		if done >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: only %d of %d notifications handled after %s", done, n, timeout)
		}
	}
}
