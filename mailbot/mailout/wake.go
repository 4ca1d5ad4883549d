package mailout

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"mailbot/threads"
)

// Wake listens on the outbox's NOTIFY channel and returns n channels that
// each receive a signal whenever rows are queued, so n workers start at once
// instead of at their next poll. Listening stops when ctx ends.
func Wake(ctx context.Context, databaseURL string, n int) ([]<-chan struct{}, error) {
	l := pq.NewListener(databaseURL, time.Second, time.Minute, nil)
	if err := l.Listen(threads.OutboxChannel); err != nil {
		l.Close()
		return nil, fmt.Errorf("mailout: listen for queued notifications: %w", err)
	}
	chans := make([]chan struct{}, n)
	out := make([]<-chan struct{}, n)
	for i := range chans {
		chans[i] = make(chan struct{}, 1)
		out[i] = chans[i]
	}
	go func() {
		defer l.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-l.Notify: // nil after a reconnect: wake too, rows may have come meanwhile
				for _, c := range chans {
					select {
					case c <- struct{}{}:
					default:
					}
				}
			}
		}
	}()
	return out, nil
}
