package threads

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// errNoListenURL means the store was made without Options.DatabaseURL.
var errNoListenURL = errors.New("store: no database URL to listen with (Options.DatabaseURL)")

// WatchOutbox returns n channels that each receive a signal whenever
// notifications are queued (Postgres NOTIFY on OutboxChannel, from any
// process), so n outbox workers start at once instead of at their next
// poll. A reconnection signals too: rows may have come meanwhile.
// Listening stops when ctx ends.
func (s *Store) WatchOutbox(ctx context.Context, n int) ([]<-chan struct{}, error) {
	if s.dsn == "" {
		return nil, errNoListenURL
	}
	// LISTEN needs a connection of its own, outside database/sql's pool.
	l := pq.NewListener(s.dsn, time.Second, time.Minute, nil)
	if err := l.Listen(OutboxChannel); err != nil {
		l.Close()
		return nil, fmt.Errorf("store: listen for queued notifications: %w", err)
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
			case <-l.Notify:
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
