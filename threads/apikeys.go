package threads

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// APIKey is a key of the JSON API as an operator sees it; the key itself is
// shown once, when made, and only its hash is kept.
type APIKey struct {
	ID        int64      `db:"id"`
	Name      string     `db:"name"`
	CreatedAt time.Time  `db:"created_at"`
	LastUsed  *time.Time `db:"last_used_at"` // nil: never used
	RevokedAt *time.Time `db:"revoked_at"`
}

// apiKeyUseStep is how stale a key's last use may get before a use writes
// it: a busy key costs one write a minute, not one per request.
const apiKeyUseStep = time.Minute

// CreateAPIKey makes a key for the JSON API and returns it; only its hash
// is kept. The name says who uses it ("ledger"); no two live keys share one.
func (s *Store) CreateAPIKey(ctx context.Context, name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := checkLine("key name", name, 100); err != nil {
		return "", err
	}
	if name == "" {
		return "", invalid("key name", "empty", "is empty")
	}
	key := "mbk_" + newSecret()
	_, err := s.db.ExecContext(ctx, `INSERT INTO api_keys (name, key_hash, created_at) VALUES ($1, $2, $3)`,
		name, secretHash(key), s.now())
	if isUniqueViolation(err, "api_keys_live_name") {
		return "", invalid("key name", "key_name_taken", "a live key is already called {value}: revoke it first, or choose another name", "value", strconv.Quote(name))
	}
	return key, wrapStore("create api key", err)
}

// APIKeyValid reports whether a key exists and is not revoked, and notes
// its use (to the minute).
func (s *Store) APIKeyValid(ctx context.Context, key string) (bool, error) {
	var ok bool
	now := s.now()
	err := s.getPrepared(ctx, nil, &ok, `
		WITH k AS (SELECT id, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL),
		used AS (
			UPDATE api_keys SET last_used_at = $2
			WHERE id = (SELECT id FROM k WHERE last_used_at IS NULL OR last_used_at <= $3))
		SELECT EXISTS (SELECT 1 FROM k)`, secretHash(key), now, now.Add(-apiKeyUseStep))
	return ok, wrapStore("api key", err)
}

// APIKeys lists every key, live ones first, newest first.
func (s *Store) APIKeys(ctx context.Context) ([]APIKey, error) {
	keys := []APIKey{}
	err := s.db.SelectContext(ctx, &keys, `SELECT id, name, created_at, last_used_at, revoked_at FROM api_keys
		ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC`)
	return keys, wrapStore("api keys", err)
}

// RevokeAPIKey revokes the live key with this name; ErrNotFound when there
// is none.
func (s *Store) RevokeAPIKey(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL`,
		strings.TrimSpace(name), s.now())
	if err != nil {
		return wrapStore("revoke api key", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revoke api key %q: %w", name, ErrNotFound)
	}
	return nil
}
