package threads

import (
	"context"
	"strings"
	"time"
)

// SentNotification is what one of the service's own Message-IDs refers to,
// with the state of the reply token that email carried.
type SentNotification struct {
	RecipientID   int64      `db:"recipient_id"`
	TransactionID int64      `db:"transaction_id"`
	CompanyID     int64      `db:"company_id"`
	AuthorID      int64      `db:"author_id"`
	ExpiresAt     time.Time  `db:"expires_at"`
	RevokedAt     *time.Time `db:"revoked_at"`
}

// NotificationByMailID finds the notification sent with this Message-ID
// local part, so a reply that lost its token can still be matched, and the
// reply token that email carried. A Message-ID is worth no more than that
// token: like LookupReplyToken it returns ErrTokenRevoked or ErrTokenExpired
// (with the notification), and ErrNotFound when no notification matches.
func (s *Store) NotificationByMailID(ctx context.Context, mailID string) (SentNotification, error) {
	var n SentNotification
	// The reply goes to the notified message's author while they still
	// belong to the company; else (0) to whom the reply address would send it.
	err := s.getPrepared(ctx, nil, &n, `SELECT o.recipient_id, o.transaction_id, m.company_id,
			CASE WHEN EXISTS (SELECT 1 FROM memberships WHERE person_id = m.author_id AND company_id = m.company_id)
				THEN m.author_id ELSE 0 END AS author_id,
			rt.expires_at, rt.revoked_at
		FROM outbox o JOIN messages m ON m.id = o.message_id JOIN reply_tokens rt ON rt.id = o.reply_token_id
		WHERE o.mail_id = $1 AND o.kind = 'notification'`, mailID)
	switch {
	case err != nil:
		return SentNotification{}, notFound("notification", err)
	case n.RevokedAt != nil:
		return n, ErrTokenRevoked
	case !n.ExpiresAt.After(s.now()):
		return n, ErrTokenExpired
	}
	return n, nil
}

// IsOwnMailID reports whether a Message-ID local part is one this service
// sent (a notification or a notice).
func (s *Store) IsOwnMailID(ctx context.Context, mailID string) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM outbox WHERE mail_id = $1)`, mailID)
	return ok, wrapStore("own mail id", err)
}

// ReplyContext is what the mail pipeline checks of a person writing to a
// transaction by email, read in one query.
type ReplyContext struct {
	// VerifiedSender: the From address is one of the person's verified ones.
	VerifiedSender bool `db:"verified_sender"`
	// Member: the person still belongs to the transaction's company.
	Member bool `db:"member"`
	// RecipientID is who the reply goes to: the author of the latest
	// message to the person there, else one of the latest other authors who
	// still belongs to the company; 0 when there is no one.
	RecipientID int64 `db:"recipient_id"`
}

// ReplyContext reads what the pipeline needs to accept a reply.
func (s *Store) ReplyContext(ctx context.Context, personID, txnID int64, from string) (ReplyContext, error) {
	var rc ReplyContext
	err := s.getPrepared(ctx, nil, &rc, `
		WITH t AS (SELECT $3::bigint AS person_id, id AS transaction_id, company_id FROM transactions WHERE id = $1)
		SELECT `+replyContextColumns+` FROM t`, txnID, fromAddress(from), personID)
	if isNoRows(err) { // the transaction is gone: no one may post there
		return ReplyContext{}, nil
	}
	return rc, wrapStore("reply context", err)
}

// TokenContext resolves a reply token and reads its ReplyContext in one
// query; the errors are LookupReplyToken's.
func (s *Store) TokenContext(ctx context.Context, token, from string) (ReplyToken, ReplyContext, error) {
	token = strings.ToLower(token)
	if !LooksLikeToken(token) {
		return ReplyToken{}, ReplyContext{}, ErrTokenNotFound
	}
	var row struct {
		ReplyToken
		ReplyContext
	}
	err := s.getPrepared(ctx, nil, &row, `
		WITH t AS (SELECT r.id, r.person_id, r.transaction_id, tx.company_id, r.expires_at, r.revoked_at
			FROM reply_tokens r JOIN transactions tx ON tx.id = r.transaction_id WHERE r.token_hash = $1)
		SELECT t.id, t.person_id, t.transaction_id, t.company_id, t.expires_at, t.revoked_at, `+replyContextColumns+`
		FROM t`, hashToken(token), fromAddress(from))
	switch {
	case isNoRows(err):
		return ReplyToken{}, ReplyContext{}, ErrTokenNotFound
	case err != nil:
		return ReplyToken{}, ReplyContext{}, wrapStore("token context", err)
	case row.RevokedAt != nil:
		return row.ReplyToken, row.ReplyContext, ErrTokenRevoked
	case !row.ExpiresAt.After(s.now()):
		return row.ReplyToken, row.ReplyContext, ErrTokenExpired
	}
	return row.ReplyToken, row.ReplyContext, nil
}

func fromAddress(from string) string {
	addr, err := NormalizeEmail(from)
	if err != nil {
		return ""
	}
	return addr
}

// replyContextColumns reads a ReplyContext from a row t holding person_id,
// transaction_id and company_id; $2 is the sender's address. The reply goes
// to whoever last wrote to its sender (found through messages_to_person);
// COALESCE reads the fallback only when that person has left the company.
const replyContextColumns = `
	EXISTS (SELECT 1 FROM person_emails WHERE person_id = t.person_id AND address = $2 AND verified) AS verified_sender,
	EXISTS (SELECT 1 FROM memberships WHERE person_id = t.person_id AND company_id = t.company_id) AS member,
	coalesce(
		(SELECT who FROM (SELECT author_id AS who FROM messages
			WHERE transaction_id = t.transaction_id AND recipient_id = t.person_id ORDER BY id DESC LIMIT 1) c
		WHERE EXISTS (SELECT 1 FROM memberships WHERE person_id = c.who AND company_id = t.company_id)),
		-- Only when that person left: the latest other author still here.
		(SELECT who FROM (SELECT author_id AS who, id FROM messages
			WHERE transaction_id = t.transaction_id AND author_id <> t.person_id ORDER BY id DESC LIMIT 20) c
		WHERE EXISTS (SELECT 1 FROM memberships WHERE person_id = c.who AND company_id = t.company_id)
		ORDER BY id DESC LIMIT 1),
		0) AS recipient_id`
