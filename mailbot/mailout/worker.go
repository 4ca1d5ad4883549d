package mailout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"mailbot/internal/backoff"
	"mailbot/threads"
)

// Store is what a worker needs of the outbox.
type Store interface {
	Links
	FileOpener
	ClaimNotifications(ctx context.Context, limit int, lease time.Duration) ([]threads.Notification, error)
	ExtendClaims(ctx context.Context, ids []int64, attempts []int64, lease time.Duration) error
	MarkSent(ctx context.Context, outboxID int64, attempt int) (bool, error)
	MarkRetry(ctx context.Context, outboxID int64, attempt int, next time.Time, reason string) (bool, error)
	MarkFailed(ctx context.Context, outboxID int64, attempt int, reason string) (bool, error)
	OutboxLag(ctx context.Context) (time.Duration, error)
}

var _ Store = (*threads.Store)(nil)

// Sender delivers composed emails; *SMTPSender is one.
type Sender interface {
	Send(ctx context.Context, from string, to []string, data []byte) error
	Close() error
}

// WorkerOptions tune a worker; a nil *WorkerOptions means the defaults.
type WorkerOptions struct {
	Batch        int           // rows claimed at once; default 50
	Lease        time.Duration // how long a claim holds unless renewed; default 1m, renewed every third of it
	PollInterval time.Duration // how often to look without being woken; default 5s
	RetryBase    time.Duration // first retry delay; default 30s, doubling
	RetryMax     time.Duration // longest retry delay; default 30m
	RetryFor     time.Duration // give up this long after queueing; default 48h
	Logger       *slog.Logger
	Metrics      *Metrics
	// Relay is shared by the workers of one process; nil gives the worker
	// its own.
	Relay *Relay
}

// Worker sends queued notifications. Several workers, in one process or
// many, can share one database: each row is claimed by one at a time.
type Worker struct {
	store    Store
	composer *Composer
	sender   Sender
	opts     WorkerOptions
}

// NewWorker returns a worker that sends with sender; it owns sender.
func NewWorker(store Store, composer *Composer, sender Sender, opts *WorkerOptions) *Worker {
	w := &Worker{store: store, composer: composer, sender: sender}
	if opts != nil {
		w.opts = *opts
	}
	setDefault(&w.opts.Batch, 50)
	setDefault(&w.opts.Lease, time.Minute)
	setDefault(&w.opts.PollInterval, 5*time.Second)
	setDefault(&w.opts.RetryBase, 30*time.Second)
	setDefault(&w.opts.RetryMax, 30*time.Minute)
	setDefault(&w.opts.RetryFor, 48*time.Hour)
	if w.opts.Logger == nil {
		w.opts.Logger = slog.New(slog.DiscardHandler)
	}
	if w.opts.Relay == nil {
		w.opts.Relay = &Relay{}
	}
	return w
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Run sends until ctx ends, waking on wake (a NOTIFY on the outbox channel)
// or every PollInterval.
func (w *Worker) Run(ctx context.Context, wake <-chan struct{}) error {
	defer w.sender.Close()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.opts.Logger.Warn("outbox round failed", slog.String("error", err.Error()))
		}
		if n == w.opts.Batch && err == nil {
			continue // more may be due
		}
		timer.Reset(max(w.opts.PollInterval, w.opts.Relay.pause()))
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-timer.C:
		}
	}
}

// errRelayDown stops a batch: the relay cannot take any of it.
var errRelayDown = errors.New("relay down")

// RunOnce claims one batch of due notifications and sends them, recording
// each result as soon as it is known. It returns how many it claimed;
// while a relay-wide problem pauses the workers, it claims none.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if lag, err := w.store.OutboxLag(ctx); err == nil {
		w.opts.Metrics.setLag(lag.Seconds())
	}
	if w.opts.Relay.pause() > 0 {
		return 0, nil
	}
	batch, err := w.store.ClaimNotifications(ctx, w.opts.Batch, w.opts.Lease)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	var left atomic.Int64 // how many of the batch are still in hand, from the end
	left.Store(int64(len(batch)))
	stop := sync.OnceFunc(w.renewClaims(ctx, batch, &left))
	defer stop()
	for i, n := range batch {
		if ctx.Err() != nil {
			// Shutting down: what was not tried goes back at once, for
			// another instance or the next start, not after the lease.
			stop()
			return len(batch), w.release(ctx, batch[i:])
		}
		err := w.deliver(ctx, n)
		left.Store(int64(len(batch) - i - 1))
		switch {
		case errors.Is(err, errRelayDown):
			stop()
			return len(batch), w.putBack(ctx, batch[i+1:])
		case errors.Is(err, errInterrupted):
			stop()
			return len(batch), w.release(ctx, batch[i:])
		case err != nil:
			return len(batch), err
		}
	}
	return len(batch), nil
}

// errInterrupted stops a batch: the worker is shutting down and the
// notification in hand was not sent.
var errInterrupted = errors.New("interrupted before sending")

// release makes notifications not sent due now, even as ctx ends.
func (w *Worker) release(ctx context.Context, rest []threads.Notification) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return w.dueIn(rctx, rest, 0)
}

// putBack leaves the rest of a batch pending, due when the relay's pause
// ends, so no worker anywhere tries them before.
func (w *Worker) putBack(ctx context.Context, rest []threads.Notification) error {
	return w.dueIn(ctx, rest, w.opts.Relay.pause())
}

// dueIn makes the claimed notifications due after d.
func (w *Worker) dueIn(ctx context.Context, ns []threads.Notification, d time.Duration) error {
	if len(ns) == 0 {
		return nil
	}
	ids, attempts := claimsOf(ns)
	return w.store.ExtendClaims(ctx, ids, attempts, d)
}

// claimsOf lists the outbox ids and attempts of claimed notifications.
func claimsOf(ns []threads.Notification) (ids, attempts []int64) {
	ids, attempts = make([]int64, len(ns)), make([]int64, len(ns))
	for i, n := range ns {
		ids[i], attempts[i] = n.OutboxID, int64(n.Attempt)
	}
	return ids, attempts
}

// renewClaims extends the lease on the batch's notifications not yet
// handled, every third of the lease, until the returned function is
// called: a claim lasts while its worker lives, and a worker that dies
// leaves its notifications to the others within one lease.
func (w *Worker) renewClaims(ctx context.Context, batch []threads.Notification, left *atomic.Int64) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(w.opts.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			rest := batch[len(batch)-int(left.Load()):]
			if len(rest) == 0 {
				return
			}
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.opts.Lease/3)
			err := w.dueIn(rctx, rest, w.opts.Lease)
			cancel()
			if err != nil {
				w.opts.Logger.Warn("could not renew the claim on notifications in hand", slog.String("error", err.Error()))
			}
		}
	}()
	return func() { close(done); <-finished }
}

func (w *Worker) deliver(ctx context.Context, n threads.Notification) error {
	log := w.opts.Logger.With(slog.Int64("outbox_id", n.OutboxID), slog.Int("attempt", n.Attempt))
	email, err := w.composer.Compose(ctx, n, w.store, w.store)
	if err != nil && ctx.Err() != nil {
		return errInterrupted // the message is not at fault
	}
	if errors.Is(err, errReadFile) {
		return w.retry(ctx, log, n, err.Error())
	}
	if err != nil {
		return w.fail(ctx, log, n, err.Error())
	}
	err = w.sender.Send(ctx, email.From, email.To, email.Data)
	if err == nil {
		w.opts.Relay.sent()
		if ok, err := w.markSent(ctx, log, n); err != nil || !ok {
			log.Warn("sent, but the claim was lost; it may be sent again", slog.Any("error", err))
			return err
		}
		w.opts.Metrics.countSent()
		log.Debug("notification sent", slog.Int64("message_id", n.MessageID))
		return nil
	}
	var se *SendError
	errors.As(err, &se)
	if se != nil && se.Interrupted {
		log.Info("shutting down: notification left for later", slog.String("error", err.Error()))
		return errInterrupted
	}
	if se != nil && se.Relay {
		return w.relayDown(ctx, log, n, se)
	}
	w.opts.Relay.failed(err)
	if se != nil && se.Permanent {
		return w.fail(ctx, log, n, err.Error())
	}
	return w.retry(ctx, log, n, err.Error())
}

// relayDown holds the notification, and every other, until the relay is
// fixed: none of them is at fault, so none counts towards giving up.
func (w *Worker) relayDown(ctx context.Context, log *slog.Logger, n threads.Notification, err error) error {
	pause := w.opts.Relay.down(err, w.opts.RetryBase, w.opts.RetryMax)
	log.Error("the SMTP relay cannot take mail; every notification waits", slog.String("error", err.Error()),
		slog.Duration("retry_in", pause))
	if _, err := w.store.MarkRetry(ctx, n.OutboxID, n.Attempt, time.Now().Add(pause), err.Error()); err != nil {
		return err
	}
	return errRelayDown
}

// markSent records a delivery the relay accepted. The database may be away
// for a moment (a restart, a failover): the fact is kept trying for until
// the claim's lease would run out, even while the worker shuts down, since a
// notification not marked sent is sent again.
func (w *Worker) markSent(ctx context.Context, log *slog.Logger, n threads.Notification) (bool, error) {
	ctx = context.WithoutCancel(ctx)
	deadline := time.Now().Add(min(w.opts.Lease, time.Minute))
	delay := 100 * time.Millisecond
	for {
		actx, cancel := context.WithDeadline(ctx, deadline)
		ok, err := w.store.MarkSent(actx, n.OutboxID, n.Attempt)
		cancel()
		if err == nil || time.Now().Add(delay).After(deadline) {
			return ok, err
		}
		log.Info("sent; the database did not take the record yet", slog.String("error", err.Error()))
		time.Sleep(delay)
		delay = min(2*delay, 2*time.Second)
	}
}

func (w *Worker) fail(ctx context.Context, log *slog.Logger, n threads.Notification, reason string) error {
	log.Warn("notification failed", slog.String("error", reason))
	w.opts.Metrics.countFailed()
	_, err := w.store.MarkFailed(ctx, n.OutboxID, n.Attempt, reason)
	return err
}

func (w *Worker) retry(ctx context.Context, log *slog.Logger, n threads.Notification, reason string) error {
	next := time.Now().Add(w.backoff(n.Attempt))
	if next.After(n.QueuedAt.Add(w.opts.RetryFor)) {
		return w.fail(ctx, log, n, fmt.Sprintf("gave up after %d attempts over %s: %s",
			n.Attempt, w.opts.RetryFor, reason))
	}
	log.Info("notification delayed", slog.String("error", reason), slog.Time("next_attempt", next))
	w.opts.Metrics.countRetried()
	_, err := w.store.MarkRetry(ctx, n.OutboxID, n.Attempt, next, reason)
	return err
}

// backoff doubles from RetryBase up to RetryMax, with jitter so that many
// rows failed together do not retry together.
func (w *Worker) backoff(attempt int) time.Duration {
	return backoff.Policy{Base: w.opts.RetryBase, Most: w.opts.RetryMax}.Wait(attempt)
}
