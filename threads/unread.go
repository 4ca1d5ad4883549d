package threads

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// CompanyUnread is how many messages wait for a person in one company.
type CompanyUnread struct {
	Company
	Unread int `db:"unread"`
}

// UnreadCount is how many messages wait, unread, for the person in the
// company; zero when they do not belong to it.
func (s *Store) UnreadCount(ctx context.Context, personID, companyID int64) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `
		SELECT count(*) FROM messages m
		WHERE m.recipient_id = $1 AND m.company_id = $2 AND m.read_at IS NULL
		AND EXISTS (SELECT 1 FROM memberships WHERE company_id = $2 AND person_id = $1)`,
		personID, companyID)
	if err != nil {
		return 0, fmt.Errorf("store: unread count: %w", err)
	}
	return n, nil
}

// UnreadCounts lists every company the person belongs to, by name, with the
// number of messages waiting for them there.
func (s *Store) UnreadCounts(ctx context.Context, personID int64) ([]CompanyUnread, error) {
	out := []CompanyUnread{}
	err := s.db.SelectContext(ctx, &out, `
		SELECT c.id, c.external_id, c.name, c.created_at,
			(SELECT count(*) FROM messages m
			 WHERE m.recipient_id = $1 AND m.company_id = c.id AND m.read_at IS NULL) AS unread
		FROM memberships ms JOIN companies c ON c.id = ms.company_id
		WHERE ms.person_id = $1 ORDER BY c.name, c.id`, personID)
	if err != nil {
		return nil, fmt.Errorf("store: unread counts: %w", err)
	}
	return out, nil
}

// MarkRead marks the person's messages on the transaction read and returns
// how many were unread.
func (s *Store) MarkRead(ctx context.Context, personID, txnID int64) (int64, error) {
	return s.markRead(ctx, nil, personID, txnID)
}

// markRead runs through a prepared statement: an emailed reply marks its
// thread read inside the transaction that posts it.
func (s *Store) markRead(ctx context.Context, tx *sqlx.Tx, personID, txnID int64) (int64, error) {
	// Two pages opened at once mark the same rows: each takes the rows the
	// other has not locked, in id order, so neither waits for the other or
	// deadlocks with it, and every row is marked once.
	res, err := s.execPreparedResult(ctx, tx, `
		UPDATE messages SET read_at = $3
		WHERE id IN (SELECT id FROM messages
			WHERE transaction_id = $1 AND recipient_id = $2 AND read_at IS NULL
			ORDER BY id FOR NO KEY UPDATE SKIP LOCKED)`,
		txnID, personID, s.now())
	if err != nil {
		return 0, fmt.Errorf("store: mark read: %w", err)
	}
	return res.RowsAffected()
}
