package threads

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// RejectionNotice asks for an email telling a known person why their mail
// was rejected. It is sent at most once per address, reason and day.
type RejectionNotice struct {
	PersonID      int64
	Address       string
	TransactionID int64 // linked only if the person still belongs to its company
}

// queueNotice queues a rejection notice unless this address already got one
// for this reason today.
func (s *Store) queueNotice(ctx context.Context, tx *sqlx.Tx, inboundID int64, v Verdict, n RejectionNotice) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO rejection_notices (address, reason, day) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, n.Address, string(v), s.now().UTC().Format(time.DateOnly))
	if err != nil {
		return wrapStore("rate-limit notice", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return nil
	}
	// The link goes with the notice only while the person may see it.
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (kind, recipient_id, transaction_id, to_address, mail_id, reason, inbound_id)
		SELECT 'rejection_notice', $1, (SELECT t.id FROM transactions t JOIN memberships m ON m.company_id = t.company_id
			WHERE t.id = $2 AND m.person_id = $1), $3, $4, $5, $6`,
		n.PersonID, n.TransactionID, n.Address, newMailID(), string(v), inboundID)
	if err != nil {
		return wrapStore("queue notice", err)
	}
	_, err = tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, OutboxChannel)
	return wrapStore("notify outbox", err)
}
