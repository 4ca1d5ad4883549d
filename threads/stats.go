package threads

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// The figures below are what a measurement of the running service reads:
// how far the intake and the outbox have got, and how long mail took.

// InboundCount is how many mails the inbound log holds.
func (s *Store) InboundCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM inbound`); err != nil {
		return 0, fmt.Errorf("store: count inbound: %w", err)
	}
	return n, nil
}

// InboundProcessedAt is when each mail from one of senders whose Message-ID
// starts with prefix was processed, by Message-ID.
func (s *Store) InboundProcessedAt(ctx context.Context, prefix string, senders []string) (map[string]time.Time, error) {
	var rows []struct {
		ID string    `db:"message_id_hdr"`
		At time.Time `db:"processed_at"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT message_id_hdr, processed_at FROM inbound
		WHERE starts_with(message_id_hdr, $1) AND sender = ANY($2)`, prefix, pq.Array(senders))
	if err != nil {
		return nil, fmt.Errorf("store: inbound processed at: %w", err)
	}
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		out[r.ID] = r.At
	}
	return out, nil
}

// LastOutboxID is the id of the newest outbox row, 0 when there is none:
// the mark from which OutboxHandledAfter and SentLatencies count.
func (s *Store) LastOutboxID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.db.GetContext(ctx, &id, `SELECT coalesce(max(id), 0) FROM outbox`); err != nil {
		return 0, fmt.Errorf("store: last outbox id: %w", err)
	}
	return id, nil
}

// OutboxHandledAfter is how many outbox rows newer than after are no longer
// pending: sent, failed or otherwise done with.
func (s *Store) OutboxHandledAfter(ctx context.Context, after int64) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM outbox WHERE id > $1 AND status <> $2`,
		after, OutboxPending); err != nil {
		return 0, fmt.Errorf("store: count handled outbox: %w", err)
	}
	return n, nil
}

// ErrNothingSent is SentLatencies finding no sent notification to measure.
var ErrNothingSent = errors.New("store: no sent notifications to measure")

// SentLatencies is the given quantiles (0 to 1, ascending) of the time from
// a message's post to its notification's acceptance, in milliseconds, over
// the notifications sent from outbox rows newer than after.
func (s *Store) SentLatencies(ctx context.Context, after int64, quantiles ...float64) ([]float64, error) {
	var ms []float64
	err := s.db.SelectContext(ctx, &ms, `SELECT percentile_cont(x) WITHIN GROUP (ORDER BY extract(epoch FROM o.sent_at - m.created_at) * 1000)
		FROM outbox o JOIN messages m ON m.id = o.message_id, unnest($2::float8[]) x
		WHERE o.status = $3 AND o.id > $1 GROUP BY x ORDER BY x`, after, pq.Array(quantiles), OutboxSent)
	if err != nil {
		return nil, fmt.Errorf("store: sent latencies: %w", err)
	}
	if len(ms) != len(quantiles) {
		return nil, ErrNothingSent
	}
	return ms, nil
}
