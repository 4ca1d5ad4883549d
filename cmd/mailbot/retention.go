package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"mailbot/threads"
)

// retentionEvery is how often serve runs the retention pass; one instance
// runs it at a time, and the others skip their turn.
const retentionEvery = time.Hour

// startRetention runs the retention pass soon after start and then every
// period until ctx ends; the returned function waits for a pass under way
// to stop.
func startRetention(ctx context.Context, store *threads.Store, r threads.Retention, period time.Duration, log *slog.Logger) func() {
	var wg sync.WaitGroup
	wg.Go(func() {
		wait := min(time.Minute, period) // let the start settle first
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = period
			prune(ctx, store, r, log)
		}
	})
	return wg.Wait
}

func prune(ctx context.Context, store *threads.Store, r threads.Retention, log *slog.Logger) {
	p, ran, err := store.Prune(ctx, r)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("retention pass failed", slog.String("error", err.Error()))
	case ran && p.Total() > 0:
		log.Info("retention pass", slog.Int64("raw_mail_cut", p.RawMail), slog.Int64("outbox_removed", p.Outbox),
			slog.Int64("sessions_removed", p.Sessions), slog.Int64("login_budgets_removed", p.LoginThrottle),
			slog.Int64("notice_marks_removed", p.RejectionNotices))
	}
}
