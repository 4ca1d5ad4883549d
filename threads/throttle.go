package threads

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// LoginBudget is how many sign-in attempts one key allows: Burst at once,
// then one more each Per/Burst as earlier ones drain away.
type LoginBudget struct {
	Key   string
	Burst int
	Per   time.Duration
}

func (b LoginBudget) step() time.Duration { return b.Per / time.Duration(max(b.Burst, 1)) }

// ThrottledError refuses a sign-in attempt that a budget has no room for.
type ThrottledError struct {
	// RetryAfter is how long until the budget has room again.
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many sign-in attempts: try again in %s", e.RetryAfter.Round(time.Second))
}

// ReserveLoginAttempt takes one attempt from every budget, or from none
// when one has no room (then it returns *ThrottledError). One statement
// counts the attempt and locks the budgets' rows until it is judged, so
// attempts made at once cannot all pass a check made before any of them
// counts: reserve before checking the password, and release after a
// success.
func (s *Store) ReserveLoginAttempt(ctx context.Context, budgets ...LoginBudget) error {
	now := s.now().Truncate(time.Microsecond) // as Postgres keeps it
	hashes, steps := throttleRows(budgets)
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var rows []struct {
			KeyHash []byte    `db:"key_hash"`
			EmptyAt time.Time `db:"empty_at"`
		}
		// Rows are locked in key order, so two attempts sharing keys never
		// wait for each other in a cycle.
		err := tx.SelectContext(ctx, &rows, `
			INSERT INTO login_throttle AS t (key_hash, empty_at)
			SELECT k.key_hash, $3::timestamptz + k.step * interval '1 microsecond'
			FROM unnest($1::bytea[], $2::bigint[]) AS k (key_hash, step) ORDER BY k.key_hash
			ON CONFLICT (key_hash) DO UPDATE
				SET empty_at = greatest(t.empty_at, $3::timestamptz) + (EXCLUDED.empty_at - $3::timestamptz)
			RETURNING t.key_hash, t.empty_at`, pq.ByteaArray(hashes), pq.Int64Array(steps), now)
		if err != nil {
			return wrapStore("reserve login attempt", err)
		}
		var wait time.Duration
		for _, row := range rows {
			i := slices.IndexFunc(hashes, func(h []byte) bool { return bytes.Equal(h, row.KeyHash) })
			wait = max(wait, row.EmptyAt.Sub(now)-budgets[i].Per)
		}
		if wait > 0 {
			return &ThrottledError{RetryAfter: wait} // rolls the other budgets back too
		}
		return s.pruneLoginThrottle(ctx, tx, now)
	})
}

// pruneLoginThrottle forgets a few drained budgets. It skips rows other
// attempts hold, so it never waits while holding this attempt's rows.
func (s *Store) pruneLoginThrottle(ctx context.Context, tx *sqlx.Tx, now time.Time) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key_hash IN (
		SELECT key_hash FROM login_throttle WHERE empty_at < $1 ORDER BY empty_at LIMIT 100 FOR UPDATE SKIP LOCKED)`, now)
	return wrapStore("prune login throttle", err)
}

// ReleaseLoginAttempt gives back the attempt a sign-in reserved under each
// budget once it succeeded, so only failures use a budget up.
func (s *Store) ReleaseLoginAttempt(ctx context.Context, budgets ...LoginBudget) error {
	hashes, steps := throttleRows(budgets)
	// One row per statement: holding none while waiting for another, a
	// release cannot deadlock with a reservation.
	for i := range hashes {
		_, err := s.db.ExecContext(ctx, `UPDATE login_throttle SET empty_at = empty_at - $2 * interval '1 microsecond'
			WHERE key_hash = $1`, hashes[i], steps[i])
		if err != nil {
			return wrapStore("release login attempt", err)
		}
	}
	return nil
}

// throttleRows are the budgets' key hashes and steps in microseconds.
func throttleRows(budgets []LoginBudget) ([][]byte, []int64) {
	hashes := make([][]byte, len(budgets))
	steps := make([]int64, len(budgets))
	for i, b := range budgets {
		hashes[i] = secretHash(b.Key)
		steps[i] = b.step().Microseconds()
	}
	return hashes, steps
}
