package threads

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// OutboxBounced marks a notification whose delivery failure came back.
const OutboxBounced = "bounced"

// HardBouncesToFail is how many permanent failures in a row mark an
// address as failing.
const HardBouncesToFail = 3

// BounceToken names one notification in its envelope sender (VERP), signed
// so no one can make a delivery failure count against someone else's
// notification: "b<outbox id>-<16 hex digits>", lower case.
func (s *Store) BounceToken(outboxID int64) string {
	return fmt.Sprintf("b%d-%s", outboxID, hex.EncodeToString(s.keyed("bounce", outboxID)[:8]))
}

// ParseBounceToken checks a bounce token and returns its notification;
// ErrNotFound when it is not one the store signed.
func (s *Store) ParseBounceToken(token string) (int64, error) {
	rest, ok := strings.CutPrefix(strings.ToLower(token), "b")
	idText, _, ok2 := strings.Cut(rest, "-")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || !ok2 || err != nil || !hmac.Equal([]byte(s.BounceToken(id)), []byte(strings.ToLower(token))) {
		return 0, fmt.Errorf("bounce token: %w", ErrNotFound)
	}
	return id, nil
}

// Bounce is a delivery failure report matched to its notification.
type Bounce struct {
	OutboxID int64
	// Permanent: the remote server gave up (a 5.x.x status); a delay or a
	// temporary failure is recorded but does not mark the notification.
	Permanent bool
	Status    string // "5.1.1"
	Detail    string // the Diagnostic-Code or the report's words
}

// recordBounce marks the notification bounced and, after HardBouncesToFail
// permanent failures in a row to its address, the address as failing.
func (s *Store) recordBounce(ctx context.Context, tx *sqlx.Tx, b Bounce) error {
	if !b.Permanent {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET last_error = $2 WHERE id = $1 AND kind = 'notification'`,
			b.OutboxID, clip("delivery delayed: "+b.Status+" "+b.Detail))
		return wrapStore("record delay", err)
	}
	var to string
	err := tx.GetContext(ctx, &to, `UPDATE outbox SET status = 'bounced', bounce_status = $2, last_error = $3, bounced_at = $4
		WHERE id = $1 AND kind = 'notification' AND status IN ('sent', 'pending', 'bounced') RETURNING to_address`,
		b.OutboxID, clip(b.Status), clip(b.Detail), s.now())
	if isNoRows(err) {
		return nil // muted, failed, or gone: nothing to mark
	}
	if err != nil {
		return wrapStore("record bounce", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE person_emails SET failing_since = coalesce(failing_since, $2)
		WHERE address = $1 AND $3 <= (
			SELECT count(*) FROM (SELECT status FROM outbox WHERE to_address = $1 AND kind = 'notification'
				AND status IN ('sent', 'bounced') ORDER BY id DESC LIMIT $3) last WHERE status = 'bounced')`,
		to, s.now(), HardBouncesToFail)
	return wrapStore("mark address failing", err)
}

// clearFailing forgets an address's failures once mail to it is delivered
// without a bounce (a reply from it proves it works).
func (s *Store) clearFailing(ctx context.Context, tx *sqlx.Tx, address string) error {
	err := s.execPrepared(ctx, tx, `UPDATE person_emails SET failing_since = NULL WHERE address = $1 AND failing_since IS NOT NULL`,
		address)
	return wrapStore("clear failing address", err)
}

// FailingAddress is an address marked failing, for the admin view.
type FailingAddress struct {
	Address      string    `db:"address"`
	PersonID     int64     `db:"person_id"`
	PersonName   string    `db:"name"`
	FailingSince time.Time `db:"failing_since"`
}

// FailingAddresses lists addresses whose mail keeps bouncing.
func (s *Store) FailingAddresses(ctx context.Context) ([]FailingAddress, error) {
	out := []FailingAddress{}
	err := s.db.SelectContext(ctx, &out, `SELECT e.address, e.person_id, p.name, e.failing_since
		FROM person_emails e JOIN people p ON p.id = e.person_id WHERE e.failing_since IS NOT NULL
		ORDER BY e.failing_since DESC LIMIT 200`)
	return out, wrapStore("failing addresses", err)
}
