package threads

import (
	"context"
	"database/sql"
	"time"

	"github.com/lib/pq"
)

// Delivery is what became of the email a message sent its recipient.
type Delivery struct {
	Status string    // pending, sent, failed, muted, bounced; "" when none was queued
	Detail string    // why it failed or bounced
	SentAt time.Time // when the relay took it; zero when it did not
}

// fillDetails adds what Thread and Messages show beside each message (its
// people's names come with its row): its files and what became of its email.
func (s *Store) fillDetails(ctx context.Context, ms []Message) error {
	if err := s.fillFiles(ctx, ms); err != nil {
		return err
	}
	return s.fillDeliveries(ctx, ms)
}

func (s *Store) fillDeliveries(ctx context.Context, ms []Message) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]int64, len(ms))
	at := make(map[int64]int, len(ms))
	for i, m := range ms {
		ids[i], at[m.ID] = m.ID, i
	}
	st, err := s.prepared(ctx, nil, `SELECT message_id, status,
			CASE WHEN status = 'bounced' THEN trim(bounce_status || ' ' || last_error)
			     WHEN status = 'failed' THEN last_error ELSE '' END, sent_at
		FROM outbox WHERE message_id = ANY($1) AND kind = 'notification'`)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, pq.Array(ids))
	if err != nil {
		return wrapStore("message deliveries", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var d Delivery
		var sent sql.NullTime
		if err := rows.Scan(&id, &d.Status, &d.Detail, &sent); err != nil {
			return wrapStore("message deliveries", err)
		}
		d.SentAt = sent.Time
		ms[at[id]].Delivery = d
	}
	return wrapStore("message deliveries", rows.Err())
}
