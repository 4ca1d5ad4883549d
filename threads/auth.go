package threads

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// newSecret returns 256 random bits in URL-safe base64.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func secretHash(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// SetPasswordHash stores a person's password hash (made by the caller) and
// ends every session of theirs: a new password signs out whoever knew the
// old one.
func (s *Store) SetPasswordHash(ctx context.Context, personID int64, hash string) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE people SET password_hash = $2, updated_at = now() WHERE id = $1`, personID, hash)
		if err != nil {
			return wrapStore("set password", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("set password: person: %w", ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE person_id = $1`, personID)
		return wrapStore("set password: end sessions", err)
	})
}

// SetOwnPasswordHash stores the password hash of the person signed in with
// session and ends their other sessions, keeping this one.
func (s *Store) SetOwnPasswordHash(ctx context.Context, session, hash string) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var personID int64
		err := tx.GetContext(ctx, &personID, `UPDATE people SET password_hash = $2, updated_at = now()
			WHERE id = (SELECT person_id FROM sessions WHERE token_hash = $1 AND expires_at > $3) RETURNING id`,
			secretHash(session), hash, s.now())
		if err != nil {
			return notFound("set own password", err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2`, personID, secretHash(session))
		return wrapStore("set own password: end other sessions", err)
	})
}

// Credentials returns the person who owns a verified address and their
// password hash, for signing in.
func (s *Store) Credentials(ctx context.Context, email string) (Person, string, error) {
	addr, err := NormalizeEmail(email)
	if err != nil {
		return Person{}, "", fmt.Errorf("credentials: %w", ErrNotFound)
	}
	var row struct {
		ID   int64  `db:"id"`
		Hash string `db:"password_hash"`
	}
	err = s.db.GetContext(ctx, &row, `SELECT p.id, p.password_hash FROM people p
		JOIN person_emails e ON e.person_id = p.id WHERE e.address = $1 AND e.verified`, addr)
	if err != nil {
		return Person{}, "", notFound("credentials", err)
	}
	p, err := s.Person(ctx, row.ID)
	return p, row.Hash, err
}

// CreateSession starts a session for the person whose password hash was
// checked, and returns its token. When the hash changed meanwhile (a new
// password ends every session) no session starts: ErrNotFound.
func (s *Store) CreateSession(ctx context.Context, personID int64, checkedHash string, ttl time.Duration) (string, error) {
	token := newSecret()
	res, err := s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, person_id, expires_at)
		SELECT $1, id, $3 FROM people WHERE id = $2 AND password_hash = $4`,
		secretHash(token), personID, s.now().Add(ttl), checkedHash)
	if err != nil {
		return "", wrapStore("create session", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", fmt.Errorf("create session: the password changed: %w", ErrNotFound)
	}
	return token, nil
}

// SessionPerson returns the person a live session belongs to, with their
// addresses. Every signed-in page asks, so it is one prepared query.
func (s *Store) SessionPerson(ctx context.Context, token string) (Person, error) {
	st, err := s.prepared(ctx, nil, `
		SELECT p.id, p.external_id, p.name, p.locale, p.time_zone, p.staff,
			ARRAY(SELECT e.address FROM person_emails e WHERE e.person_id = p.id ORDER BY e.address),
			ARRAY(SELECT e.verified FROM person_emails e WHERE e.person_id = p.id ORDER BY e.address)
		FROM sessions s JOIN people p ON p.id = s.person_id
		WHERE s.token_hash = $1 AND s.expires_at > $2`)
	if err != nil {
		return Person{}, err
	}
	var p Person
	var addresses []string
	var verified []bool
	err = st.QueryRowContext(ctx, secretHash(token), s.now()).Scan(&p.ID, &p.ExternalID, &p.Name, &p.Locale, &p.TimeZone, &p.Staff,
		pq.Array(&addresses), pq.Array(&verified))
	if err != nil {
		return Person{}, notFound("session", err)
	}
	for i, a := range addresses {
		p.Emails = append(p.Emails, EmailAddress{Address: a, Verified: i < len(verified) && verified[i]})
	}
	return p, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, secretHash(token))
	return wrapStore("delete session", err)
}
