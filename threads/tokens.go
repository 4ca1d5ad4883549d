package threads

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// A reply token is 160 bits derived with HMAC-SHA256 from the store's key and
// a 128-bit random nonce, written in lower-case base32 (32 characters) so
// mail servers that fold the case of addresses do not break it. Only its
// SHA-256 is stored; the nonce lets the store derive the same token again
// when it reuses it for the next notification to the same person.
const (
	tokenBytes = 20
	nonceBytes = 16
	// TokenLen is the length of an encoded reply token.
	TokenLen = 32
)

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ReplyToken is what a token resolves to. The token itself is never stored.
type ReplyToken struct {
	ID            int64      `db:"id"`
	PersonID      int64      `db:"person_id"`
	TransactionID int64      `db:"transaction_id"`
	CompanyID     int64      `db:"company_id"`
	ExpiresAt     time.Time  `db:"expires_at"`
	RevokedAt     *time.Time `db:"revoked_at"`
}

func (s *Store) deriveToken(nonce []byte) string {
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write([]byte("mailbot reply token v1\x00"))
	mac.Write(nonce)
	return tokenEncoding.EncodeToString(mac.Sum(nil)[:tokenBytes])
}

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// LooksLikeToken reports whether s has the shape of a reply token, in any case.
func LooksLikeToken(s string) bool {
	if len(s) != TokenLen {
		return false
	}
	_, err := tokenEncoding.DecodeString(strings.ToLower(s))
	return err == nil
}

// ReplyTokenFor returns the person's reply token for the transaction,
// reusing the current one and extending its expiry, or creating one when
// there is none or it expired. The person must belong to the company.
func (s *Store) ReplyTokenFor(ctx context.Context, personID, txnID int64) (string, error) {
	var token string
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		token, err = s.replyTokenFor(ctx, tx, personID, txnID)
		return err
	})
	return token, err
}

func (s *Store) replyTokenFor(ctx context.Context, tx *sqlx.Tx, personID, txnID int64) (string, error) {
	t, err := transactionByID(ctx, tx, txnID)
	if err != nil {
		return "", err
	}
	if _, err := memberRole(ctx, tx, t.CompanyID, personID); err != nil {
		return "", fmt.Errorf("reply token: %w", err)
	}
	token, _, err := s.currentToken(ctx, tx, personID, txnID)
	return token, err
}

// currentToken is replyTokenFor without the access check, for callers that
// made it already. It returns the token and its row's id.
func (s *Store) currentToken(ctx context.Context, tx *sqlx.Tx, personID, txnID int64) (string, int64, error) {
	now := s.now()
	expires := now.Add(s.tokenTTL)
	for range 3 {
		var cur struct {
			ID        int64     `db:"id"`
			Nonce     []byte    `db:"nonce"`
			ExpiresAt time.Time `db:"expires_at"`
		}
		err := s.getPrepared(ctx, tx, &cur, `SELECT id, nonce, expires_at FROM reply_tokens
			WHERE person_id = $1 AND transaction_id = $2 AND retired_at IS NULL`, personID, txnID)
		switch {
		case err == nil && cur.ExpiresAt.After(expires.Add(-s.tokenTTL/100)):
			return s.deriveToken(cur.Nonce), cur.ID, nil // extended recently enough
		case err == nil && cur.ExpiresAt.After(now):
			_, err = tx.ExecContext(ctx, `UPDATE reply_tokens SET expires_at = $2 WHERE id = $1`, cur.ID, expires)
			return s.deriveToken(cur.Nonce), cur.ID, wrapStore("extend reply token", err)
		case err == nil:
			_, err = tx.ExecContext(ctx, `UPDATE reply_tokens SET retired_at = $2 WHERE id = $1`, cur.ID, now)
			if err != nil {
				return "", 0, wrapStore("retire reply token", err)
			}
		case !isNoRows(err):
			return "", 0, wrapStore("current reply token", err)
		}
		token, id, err := s.insertToken(ctx, tx, personID, txnID, now, expires)
		if err != nil || id != 0 {
			return token, id, err
		}
	}
	return "", 0, fmt.Errorf("store: reply token: concurrent updates did not settle")
}

// insertToken adds a current token unless another transaction just did
// (then its id is 0).
func (s *Store) insertToken(ctx context.Context, tx *sqlx.Tx, personID, txnID int64, now, expires time.Time) (string, int64, error) {
	nonce := make([]byte, nonceBytes)
	rand.Read(nonce)
	token := s.deriveToken(nonce)
	var id int64
	err := tx.GetContext(ctx, &id, `
		INSERT INTO reply_tokens (token_hash, nonce, person_id, transaction_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (person_id, transaction_id) WHERE retired_at IS NULL DO NOTHING RETURNING id`,
		hashToken(token), nonce, personID, txnID, now, expires)
	if isNoRows(err) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, wrapStore("insert reply token", err)
	}
	return token, id, nil
}

// LookupReplyToken resolves a token, in any case. It returns ErrTokenNotFound,
// ErrTokenRevoked or ErrTokenExpired, with the token's record for the last two.
func (s *Store) LookupReplyToken(ctx context.Context, token string) (ReplyToken, error) {
	token = strings.ToLower(token)
	if !LooksLikeToken(token) {
		return ReplyToken{}, ErrTokenNotFound
	}
	var rt ReplyToken
	err := s.getPrepared(ctx, nil, &rt, `
		SELECT r.id, r.person_id, r.transaction_id, t.company_id, r.expires_at, r.revoked_at
		FROM reply_tokens r JOIN transactions t ON t.id = r.transaction_id
		WHERE r.token_hash = $1`, hashToken(token))
	switch {
	case isNoRows(err):
		return ReplyToken{}, ErrTokenNotFound
	case err != nil:
		return ReplyToken{}, wrapStore("lookup reply token", err)
	case rt.RevokedAt != nil:
		return rt, ErrTokenRevoked
	case !rt.ExpiresAt.After(s.now()):
		return rt, ErrTokenExpired
	}
	return rt, nil
}

// RevokeReplyTokens revokes every token of the person and returns how many.
// The next notification to them carries a new one.
func (s *Store) RevokeReplyTokens(ctx context.Context, personID int64) (int64, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `UPDATE reply_tokens SET revoked_at = $2, retired_at = coalesce(retired_at, $2)
		WHERE person_id = $1 AND revoked_at IS NULL`, personID, now)
	if err != nil {
		return 0, wrapStore("revoke reply tokens", err)
	}
	return res.RowsAffected()
}
