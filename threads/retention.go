package threads

import (
	"context"
	"time"
)

// Retention bounds how long the store keeps what the service no longer
// needs. A zero duration keeps that kind of row forever.
type Retention struct {
	// RawMail is how long a logged mail keeps its whole source; after it
	// the row keeps the header, the verdict and what was read of it.
	RawMail time.Duration
	// Outbox is how long sent and muted emails keep their rows. Failed
	// ones stay until someone retries them, and so does the newest row per
	// recipient and transaction: the next email's subject says "Re:" after
	// it, and a reply to it is still matched by its Message-ID.
	Outbox time.Duration
}

// Pruned counts what one pass removed or cut down.
type Pruned struct {
	RawMail          int64 // mails cut to their header
	Outbox           int64
	Sessions         int64
	LoginThrottle    int64
	RejectionNotices int64
}

// Total is the number of rows the pass touched.
func (p Pruned) Total() int64 {
	return p.RawMail + p.Outbox + p.Sessions + p.LoginThrottle + p.RejectionNotices
}

// retentionLock keeps the pass to one instance at a time.
const retentionLock = "mailbot-retention"

// pruneBatch bounds each statement, so no pass holds many rows locked.
const pruneBatch = 1000

// Prune removes or cuts down what r says is past keeping, and what no
// longer does anything: expired sessions, drained sign-in budgets, and
// rejection-notice marks from before yesterday (they limit notices to one
// a day). ran is false when another instance holds the pass.
func (s *Store) Prune(ctx context.Context, r Retention) (p Pruned, ran bool, err error) {
	lock, ok, err := s.TryLock(ctx, retentionLock)
	if err != nil || !ok {
		return Pruned{}, false, err
	}
	defer lock.Release()
	now := s.now()
	steps := []pruneStep{
		{&p.Sessions, "prune sessions", pruneSessions, now},
		{&p.LoginThrottle, "prune login throttle", pruneThrottle, now},
		{&p.RejectionNotices, "prune rejection notices", pruneNotices, now.UTC().AddDate(0, 0, -1).Format(time.DateOnly)},
	}
	if r.RawMail > 0 {
		steps = append(steps, pruneStep{&p.RawMail, "cut raw mail", cutRawMail, now.Add(-r.RawMail)})
	}
	if r.Outbox > 0 {
		steps = append(steps, pruneStep{&p.Outbox, "prune outbox", pruneOutbox, now.Add(-r.Outbox)})
	}
	for _, st := range steps {
		if *st.n, err = s.pruneAll(ctx, st.what, st.query, st.arg); err != nil {
			return p, true, err
		}
	}
	return p, true, nil
}

// pruneStep is one batched statement of a pass, its argument, and where
// its count goes.
type pruneStep struct {
	n           *int64
	what, query string
	arg         any
}

// pruneAll runs a batched statement until it touches fewer rows than a
// batch.
func (s *Store) pruneAll(ctx context.Context, what, query string, arg any) (int64, error) {
	var total int64
	for {
		res, err := s.db.ExecContext(ctx, query, arg, pruneBatch)
		if err != nil {
			return total, wrapStore(what, err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}

const (
	pruneSessions = `DELETE FROM sessions WHERE token_hash IN (
		SELECT token_hash FROM sessions WHERE expires_at < $1 LIMIT $2)`
	// A drained budget counts as empty whether or not its row is there.
	pruneThrottle = `DELETE FROM login_throttle WHERE key_hash IN (
		SELECT key_hash FROM login_throttle WHERE empty_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`
	pruneNotices = `DELETE FROM rejection_notices WHERE (address, reason, day) IN (
		SELECT address, reason, day FROM rejection_notices WHERE day < $1::date LIMIT $2)`
	// The header is cut as the intake cuts a mail too large to keep: up to
	// the first blank line (CRLF, else LF), at most 256 KiB.
	cutRawMail = `UPDATE inbound SET truncated = true, raw = substring(raw FROM 1 FOR least(262144, CASE
			WHEN position('\x0d0a0d0a'::bytea IN raw) > 0 THEN position('\x0d0a0d0a'::bytea IN raw) + 3
			WHEN position('\x0a0a'::bytea IN raw) > 0 THEN position('\x0a0a'::bytea IN raw) + 1
			ELSE length(raw) END))
		WHERE id IN (SELECT id FROM inbound WHERE NOT truncated AND received_at < $1 ORDER BY id LIMIT $2)`
	pruneOutbox = `DELETE FROM outbox WHERE id IN (
		SELECT o.id FROM outbox o
		WHERE o.status IN ('sent', 'muted') AND coalesce(o.sent_at, o.created_at) < $1
			AND (o.kind <> 'notification' OR EXISTS (SELECT 1 FROM outbox n
				WHERE n.recipient_id = o.recipient_id AND n.transaction_id = o.transaction_id
					AND n.kind = 'notification' AND n.id > o.id))
		ORDER BY o.id LIMIT $2)`
)
