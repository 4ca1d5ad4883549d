package threads

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// OutboxChannel is the Postgres NOTIFY channel that wakes outbox workers when
// a row is queued.
const OutboxChannel = "mailbot_outbox"

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
	OutboxMuted   = "muted"
)

// Notification is one claimed outbox row with everything needed to write
// its email.
type Notification struct {
	Kind   string  // "notification" or "rejection_notice"
	Reason Verdict // for a rejection notice
	// InboundSubject and InboundMessageID describe the mail a notice is about.
	InboundSubject   string
	InboundMessageID string
	// InboundDetail is what the log says of that mail: for one too large,
	// its size and the limit.
	InboundDetail string
	OutboxID      int64
	Attempt       int    // fencing number: pass it back with the result
	MailID        string // local part of the email's Message-ID
	Position      int    // earlier notifications to this recipient on the transaction
	ToAddress     string
	QueuedAt      time.Time

	MessageID     int64
	Body          string
	PostedAt      time.Time
	AuthorName    string
	RecipientID   int64
	RecipientName string
	Locale        string
	TimeZone      string
	CompanyID     int64
	CompanyName   string
	Transaction   Transaction
	// Files are the message's files, accepted and refused, in the order
	// they were given.
	Files []File

	// ReplyToken is the recipient's current token for the transaction.
	ReplyToken string
	nonce      []byte
}

// newMailID is the random local part of a notification's Message-ID.
func newMailID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// enqueueNotification queues the email that tells m's recipient about it,
// inside the transaction that stores m. A muted recipient's row is kept as
// muted, and one without an address as failed, so every message accounts
// for its notification.
func (s *Store) enqueueNotification(ctx context.Context, tx *sqlx.Tx, m Message) error {
	// postMessage checked the recipient belongs to the company.
	_, tokenID, err := s.currentToken(ctx, tx, m.RecipientID, m.TransactionID)
	if err != nil {
		return err
	}
	err = s.execPrepared(ctx, tx, `
		WITH addr AS (
			SELECT address FROM person_emails WHERE person_id = $2 ORDER BY verified DESC, address LIMIT 1),
		ins AS (
			INSERT INTO outbox (message_id, recipient_id, transaction_id, to_address, position, mail_id, status, last_error, reply_token_id)
			SELECT $1, $2, $3, coalesce((SELECT address FROM addr), ''),
				CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE recipient_id = $2 AND transaction_id = $3) THEN 1 ELSE 0 END, $4,
				CASE WHEN EXISTS (SELECT 1 FROM mutes WHERE person_id = $2 AND transaction_id = $3) THEN 'muted'
				     WHEN NOT EXISTS (SELECT 1 FROM addr) THEN 'failed' ELSE 'pending' END,
				CASE WHEN NOT EXISTS (SELECT 1 FROM addr) THEN 'recipient has no email address' ELSE '' END, $6
			RETURNING id)
		SELECT pg_notify($5, '') FROM ins`,
		m.ID, m.RecipientID, m.TransactionID, newMailID(), OutboxChannel, tokenID)
	return wrapStore("queue notification", err)
}

// ClaimNotifications claims up to limit due notifications for lease: no
// other worker gets them until the lease ends or a result is recorded.
func (s *Store) ClaimNotifications(ctx context.Context, limit int, lease time.Duration) ([]Notification, error) {
	var ns []Notification
	now := s.now()
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		rows, err := tx.QueryxContext(ctx, claimQuery, now, now.Add(lease), limit)
		if err != nil {
			return wrapStore("claim notifications", err)
		}
		defer rows.Close()
		for rows.Next() {
			var n Notification
			if err := rows.Scan(&n.OutboxID, &n.Attempt, &n.MailID, &n.Position, &n.ToAddress, &n.QueuedAt, &n.Kind, &n.Reason, &n.InboundSubject, &n.InboundMessageID, &n.InboundDetail,
				&n.MessageID, &n.Body, &n.PostedAt, &n.AuthorName, &n.RecipientID, &n.RecipientName,
				&n.Locale, &n.TimeZone, &n.CompanyID, &n.CompanyName,
				&n.Transaction.ID, &n.Transaction.ExternalID, &n.Transaction.Kind, &n.Transaction.Number,
				&n.Transaction.Date, &n.Transaction.AmountMinor, &n.Transaction.Currency,
				&n.Transaction.Counterparty, &n.Transaction.Posted, &n.nonce); err != nil {
				return wrapStore("claim notifications", err)
			}
			n.Transaction.CompanyID = n.CompanyID
			ns = append(ns, n)
		}
		if err := rows.Err(); err != nil {
			return wrapStore("claim notifications", err)
		}
		rows.Close()
		if err := s.fillNotificationFiles(ctx, tx, ns); err != nil {
			return err
		}
		return s.fillReplyTokens(ctx, tx, ns)
	})
	return ns, err
}

// fillNotificationFiles adds the files of the batch's messages, in one
// query for the whole batch.
func (s *Store) fillNotificationFiles(ctx context.Context, tx *sqlx.Tx, ns []Notification) error {
	at := map[int64][]int{} // message id -> the rows about it
	var ids []int64
	for i, n := range ns {
		if n.Kind == "notification" && n.MessageID != 0 {
			if _, seen := at[n.MessageID]; !seen {
				ids = append(ids, n.MessageID)
			}
			at[n.MessageID] = append(at[n.MessageID], i)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	files, err := s.filesOf(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, f := range files {
		for _, i := range at[f.MessageID] {
			ns[i].Files = append(ns[i].Files, f)
		}
	}
	return nil
}

const claimQuery = `
	WITH claimed AS (
		UPDATE outbox o SET next_attempt_at = $2, attempts = o.attempts + 1
		WHERE o.id IN (
			SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1
			ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING o.id, o.attempts, o.mail_id, o.position, o.to_address, o.queued_at, o.kind, o.reason,
			o.message_id, o.recipient_id, o.transaction_id, o.inbound_id, o.reply_token_id)
	SELECT c.id, c.attempts, c.mail_id, c.position, c.to_address, c.queued_at, c.kind, c.reason,
		coalesce(i.subject, ''), coalesce(i.message_id_hdr, ''), coalesce(i.detail, ''),
		coalesce(m.id, 0), coalesce(m.body, ''), coalesce(m.created_at, c.queued_at), coalesce(a.name, ''),
		r.id, r.name, r.locale, r.time_zone, coalesce(co.id, 0), coalesce(co.name, ''),
		coalesce(t.id, 0), coalesce(t.external_id, ''), coalesce(t.kind, ''), coalesce(t.number, ''),
		coalesce(t.txn_date, date '1970-01-01'), coalesce(t.amount_minor, 0), coalesce(t.currency, ''),
		coalesce(t.counterparty, ''), coalesce(t.posted, false), rt.nonce
	FROM claimed c
	LEFT JOIN inbound i ON i.id = c.inbound_id
	LEFT JOIN messages m ON m.id = c.message_id
	LEFT JOIN people a ON a.id = m.author_id
	JOIN people r ON r.id = c.recipient_id
	LEFT JOIN transactions t ON t.id = c.transaction_id
	LEFT JOIN companies co ON co.id = t.company_id
	LEFT JOIN reply_tokens rt ON rt.id = c.reply_token_id AND rt.retired_at IS NULL AND rt.expires_at > $1
	ORDER BY c.id`

// fillReplyTokens derives each row's token; a row whose token was revoked or
// expired since it was queued gets the current one, and remembers it: a
// reply that names this email's Message-ID obeys that token.
func (s *Store) fillReplyTokens(ctx context.Context, tx *sqlx.Tx, ns []Notification) error {
	for i := range ns {
		n := &ns[i]
		if n.Kind != "notification" {
			continue
		}
		if n.nonce != nil {
			n.ReplyToken = s.deriveToken(n.nonce)
			continue
		}
		tok, id, err := s.currentToken(ctx, tx, n.RecipientID, n.Transaction.ID)
		if err != nil {
			return err
		}
		n.ReplyToken = tok
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET reply_token_id = $2 WHERE id = $1`, n.OutboxID, id); err != nil {
			return wrapStore("record notification token", err)
		}
	}
	return nil
}

// MarkSent records a delivered notification. It returns false when the claim
// was lost (its lease ended and another attempt began).
func (s *Store) MarkSent(ctx context.Context, outboxID int64, attempt int) (bool, error) {
	return s.recordResult(ctx, `UPDATE outbox SET status = 'sent', sent_at = $3, last_error = ''
		WHERE id = $1 AND attempts = $2 AND status = 'pending'`, outboxID, attempt, s.now())
}

// ExtendClaims pushes the lease of claimed notifications still in hand
// (each id with the attempt that claimed it) to lease from now, so a
// worker that is alive keeps them while one that died lets them go soon.
func (s *Store) ExtendClaims(ctx context.Context, ids []int64, attempts []int64, lease time.Duration) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox o SET next_attempt_at = $3
		FROM unnest($1::bigint[], $2::bigint[]) AS c(id, attempt)
		WHERE o.id = c.id AND o.attempts = c.attempt AND o.status = 'pending'`,
		pq.Array(ids), pq.Array(attempts), s.now().Add(lease))
	return wrapStore("extend claims", err)
}

// MarkRetry records a transient failure and when to try again.
func (s *Store) MarkRetry(ctx context.Context, outboxID int64, attempt int, next time.Time, reason string) (bool, error) {
	return s.recordResult(ctx, `UPDATE outbox SET next_attempt_at = $3, last_error = $4
		WHERE id = $1 AND attempts = $2 AND status = 'pending'`, outboxID, attempt, next, clip(reason))
}

// MarkFailed records a permanent failure; nothing retries the row until
// RetryOutbox is called.
func (s *Store) MarkFailed(ctx context.Context, outboxID int64, attempt int, reason string) (bool, error) {
	return s.recordResult(ctx, `UPDATE outbox SET status = 'failed', last_error = $3
		WHERE id = $1 AND attempts = $2 AND status = 'pending'`, outboxID, attempt, clip(reason))
}

func (s *Store) recordResult(ctx context.Context, query string, args ...any) (bool, error) {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return false, wrapStore("record outbox result", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RetryOutbox puts a failed row back in the queue, due now, with a fresh
// retry deadline.
func (s *Store) RetryOutbox(ctx context.Context, outboxID int64) error {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET status = 'pending', next_attempt_at = $2, queued_at = $2
		WHERE id = $1 AND status = 'failed'`, outboxID, now)
	if err != nil {
		return wrapStore("retry outbox", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("retry outbox: failed row %d: %w", outboxID, ErrNotFound)
	}
	_, err = s.db.ExecContext(ctx, `SELECT pg_notify($1, '')`, OutboxChannel)
	return wrapStore("notify outbox", err)
}

// OutboxLag is the age of the oldest pending row, zero when none waits.
func (s *Store) OutboxLag(ctx context.Context) (time.Duration, error) {
	var oldest *time.Time
	if err := s.db.GetContext(ctx, &oldest, `SELECT min(queued_at) FROM outbox WHERE status = 'pending'`); err != nil {
		return 0, wrapStore("outbox lag", err)
	}
	if oldest == nil {
		return 0, nil
	}
	return max(s.now().Sub(*oldest), 0), nil
}

// clip keeps stored error texts to a readable size.
func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000]
	}
	return s
}

// RetryFailedOutbox puts every failed row back in the queue, due now, with
// a fresh retry deadline, and returns how many. Rows without an address
// stay failed: no retry can send them.
func (s *Store) RetryFailedOutbox(ctx context.Context) (int64, error) {
	now := s.now()
	var n int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &n, `WITH retried AS (
				UPDATE outbox SET status = 'pending', next_attempt_at = $1, queued_at = $1
				WHERE status = 'failed' AND to_address <> '' RETURNING id)
			SELECT count(*) FROM retried`, now)
		if err != nil {
			return wrapStore("retry failed outbox", err)
		}
		if n > 0 {
			_, err = tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, OutboxChannel)
		}
		return wrapStore("notify outbox", err)
	})
	return n, err
}
