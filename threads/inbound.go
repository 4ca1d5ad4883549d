package threads

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrAlreadyPosted refuses to reprocess a mail that already made a message.
var ErrAlreadyPosted = errors.New("this mail was already posted")

// ErrHeaderOnly refuses to reprocess a mail of which only the header is
// kept (it was too large, or older than raw mail is kept): read again, it
// would lose its verdict for one about a mail without a body.
var ErrHeaderOnly = errors.New("only this mail's header is kept")

// InboundRecord is one received mail and what the pipeline made of it before
// posting.
type InboundRecord struct {
	DedupeKey       string // Message-ID and sender, or a hash of the raw mail
	MessageIDHeader string
	Intake          string // imap, smtp, lmtp, stdin
	Sender          string
	Subject         string
	TokenCandidates []string
	Class           string // reply, auto-reply, bounce, other
	Verdict         Verdict
	Detail          string
	Raw             []byte // the mail, or its header alone when too large
	RawSize         int64
	Truncated       bool
	// SenderAuth is what vouched for the sender ("dmarc", "dkim", "spf",
	// "none", "fail"; "" when not checked), SenderAuthDetail what was read.
	SenderAuth       string
	SenderAuthDetail string
	// Bounce, for a delivery failure report that names one of our
	// notifications in its signed envelope sender, marks that notification.
	Bounce        *Bounce
	PersonID      int64 // the token's person, when known
	TransactionID int64 // the token's transaction, when known
	// ReprocessID, when set, updates that row instead of adding one.
	ReprocessID int64
}

// RejectionNotice asks for an email telling a known person why their mail
// was rejected. It is sent at most once per address, reason and day.
type RejectionNotice struct {
	PersonID      int64
	Address       string
	TransactionID int64 // linked only if the person still belongs to its company
}

// InboundResult is what RecordInbound did.
type InboundResult struct {
	ID        int64
	Verdict   Verdict
	MessageID int64 // the posted message
	Duplicate bool  // the same mail was recorded before; nothing changed
}

// RecordInbound writes the mail to the inbound log and, when post is set and
// the verdict so far is posted, posts it and queues the notification to the
// other side, all in one database transaction. A post the domain refuses
// (the person left the company, the kind no longer allows conversations, an
// empty body) is recorded with that rejection instead. A mail recorded
// before is a duplicate unless its earlier processing failed transiently.
func (s *Store) RecordInbound(ctx context.Context, rec InboundRecord, post *NewMessage, notice *RejectionNotice) (InboundResult, error) {
	var refused error
	if post != nil && rec.Verdict == VerdictPosted {
		p := *post
		if refused = p.clean(s.fileLimits); refused == nil {
			// Bodies in a bucket go first; a mail read twice writes the same keys.
			if err := s.putBodies(ctx, p.prepared); err != nil {
				return InboundResult{}, err
			}
		}
		post = &p
	}
	var res InboundResult
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		id, dup, fresh, err := s.claimInbound(ctx, tx, rec)
		if err != nil || dup {
			res = InboundResult{ID: id, Duplicate: dup}
			return err
		}
		res.ID, res.Verdict = id, rec.Verdict
		if post != nil && rec.Verdict == VerdictPosted {
			if res.MessageID, res.Verdict, err = s.postInbound(ctx, tx, id, *post, refused); err != nil {
				return err
			}
		}
		// A new row already holds its verdict unless the post was refused;
		// the message points back at the row.
		if !fresh || res.Verdict != rec.Verdict {
			if err := s.finishInbound(ctx, tx, id, res.Verdict, rec.Detail); err != nil {
				return err
			}
		}
		if rec.Bounce != nil {
			if err := s.recordBounce(ctx, tx, *rec.Bounce); err != nil {
				return err
			}
		}
		if res.Verdict == VerdictPosted && rec.Sender != "" {
			if err := s.clearFailing(ctx, tx, rec.Sender); err != nil {
				return err
			}
		}
		if notice != nil && res.Verdict.Class() == "rejected" {
			return s.queueNotice(ctx, tx, id, res.Verdict, *notice)
		}
		return nil
	})
	return res, err
}

// claimInbound inserts the row (fresh), or finds and locks the row a
// reprocessing or a repeated mail refers to. dup reports a mail already
// handled.
func (s *Store) claimInbound(ctx context.Context, tx *sqlx.Tx, rec InboundRecord) (id int64, dup, fresh bool, err error) {
	if rec.TokenCandidates == nil {
		rec.TokenCandidates = []string{}
	}
	if rec.ReprocessID == 0 {
		err = s.getPrepared(ctx, tx, &id, `
			INSERT INTO inbound (dedupe_key, message_id_hdr, intake, sender, subject, token_candidates, class,
				verdict, detail, raw, raw_size, truncated, person_id, transaction_id, sender_auth, sender_auth_detail)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, nullif($13, 0), nullif($14, 0), $15, $16)
			ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
			rec.DedupeKey, rec.MessageIDHeader, rec.Intake, rec.Sender, rec.Subject, pq.Array(rec.TokenCandidates),
			rec.Class, string(rec.Verdict), rec.Detail, rec.Raw, rec.RawSize, rec.Truncated, rec.PersonID, rec.TransactionID,
			rec.SenderAuth, clip(rec.SenderAuthDetail))
		if err == nil {
			return id, false, true, nil
		}
		if !isNoRows(err) {
			return 0, false, false, wrapStore("insert inbound", err)
		}
	}
	var prior struct {
		ID        int64   `db:"id"`
		Verdict   Verdict `db:"verdict"`
		Truncated bool    `db:"truncated"`
	}
	err = tx.GetContext(ctx, &prior, `SELECT id, verdict, truncated FROM inbound
		WHERE (id = $1 OR ($1 = 0 AND dedupe_key = $2)) FOR UPDATE`, rec.ReprocessID, rec.DedupeKey)
	if err != nil {
		return 0, false, false, notFound("inbound", err)
	}
	if rec.ReprocessID == 0 {
		_, err = tx.ExecContext(ctx, `UPDATE inbound SET deliveries = deliveries + 1 WHERE id = $1`, prior.ID)
		if err != nil || prior.Verdict != VerdictFailedTransient {
			return prior.ID, true, false, wrapStore("count delivery", err)
		}
	} else if prior.Verdict == VerdictPosted {
		return prior.ID, false, false, fmt.Errorf("reprocess inbound %d: %w", prior.ID, ErrAlreadyPosted)
	} else if prior.Truncated {
		return prior.ID, false, false, fmt.Errorf("reprocess inbound %d: %w", prior.ID, ErrHeaderOnly)
	}
	_, err = tx.ExecContext(ctx, `UPDATE inbound SET sender = $2, subject = $3, token_candidates = $4, class = $5,
		person_id = nullif($6, 0), transaction_id = nullif($7, 0), sender_auth = $8, sender_auth_detail = $9,
		processings = processings + 1, processed_at = now()
		WHERE id = $1`, prior.ID, rec.Sender, rec.Subject, pq.Array(rec.TokenCandidates), rec.Class, rec.PersonID, rec.TransactionID,
		rec.SenderAuth, clip(rec.SenderAuthDetail))
	return prior.ID, false, false, wrapStore("update inbound", err)
}

// postInbound posts the mail's message. A refusal by the domain (checked
// before anything is written: refused) becomes the verdict instead of an
// error.
func (s *Store) postInbound(ctx context.Context, tx *sqlx.Tx, inboundID int64, n NewMessage, refused error) (int64, Verdict, error) {
	if refused != nil {
		return 0, refusalVerdict(refused), nil
	}
	m, err := s.postMessage(ctx, tx, n, inboundID)
	if v := refusalVerdict(err); v != "" {
		return 0, v, nil
	}
	if err != nil {
		return 0, "", err
	}
	// Whoever answers a thread by email has read it.
	if _, err := s.markRead(ctx, tx, n.AuthorID, n.TransactionID); err != nil {
		return 0, "", err
	}
	return m.ID, VerdictPosted, s.enqueueNotification(ctx, tx, m)
}

// refusalVerdict maps a domain refusal to its verdict; "" for other errors.
func refusalVerdict(err error) Verdict {
	var verr *ValidationError
	switch {
	case errors.Is(err, ErrNotAllowedKind):
		return VerdictRejectedKind
	case errors.Is(err, ErrNotFound):
		return VerdictRejectedNoAccess
	case errors.Is(err, ErrEmpty):
		return VerdictRejectedEmpty
	case errors.As(err, &verr) && verr.Field == "message":
		return VerdictRejectedTooLong
	case errors.As(err, &verr) && verr.Field == "recipient":
		return VerdictRejectedNoAccess
	case errors.As(err, &verr):
		return VerdictRejectedMalformed
	}
	return ""
}

func (s *Store) finishInbound(ctx context.Context, tx *sqlx.Tx, id int64, v Verdict, detail string) error {
	err := s.execPrepared(ctx, tx, `UPDATE inbound SET verdict = $2, detail = $3 WHERE id = $1`, id, string(v), clip(detail))
	return wrapStore("finish inbound", err)
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

// InboundRaw returns a logged mail's raw source and intake, for reprocessing.
func (s *Store) InboundRaw(ctx context.Context, id int64) (raw []byte, intake string, err error) {
	var row struct {
		Raw    []byte `db:"raw"`
		Intake string `db:"intake"`
	}
	if err := s.db.GetContext(ctx, &row, `SELECT raw, intake FROM inbound WHERE id = $1`, id); err != nil {
		return nil, "", notFound("inbound", err)
	}
	return row.Raw, row.Intake, nil
}

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

// MailboxState is where an IMAP mailbox's intake stands.
type MailboxState struct {
	UIDValidity uint32    `db:"uidvalidity"`
	LastUID     uint32    `db:"last_uid"`
	SyncedAt    time.Time `db:"synced_at"`
}

// MailboxState returns the mailbox's state; zero values when never synced.
func (s *Store) MailboxState(ctx context.Context, mailbox string) (MailboxState, error) {
	var st MailboxState
	err := s.db.GetContext(ctx, &st, `SELECT uidvalidity, last_uid, synced_at FROM mailbox_state WHERE mailbox = $1`, mailbox)
	if isNoRows(err) {
		return MailboxState{}, nil
	}
	return st, wrapStore("mailbox state", err)
}

// SetMailboxState records that every UID up to lastUID is handled.
func (s *Store) SetMailboxState(ctx context.Context, mailbox string, uidValidity, lastUID uint32) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid, synced_at)
		VALUES ($1, $2, $3, now()) ON CONFLICT (mailbox) DO UPDATE
		SET uidvalidity = EXCLUDED.uidvalidity, last_uid = EXCLUDED.last_uid, synced_at = now()`,
		mailbox, int64(uidValidity), int64(lastUID))
	return wrapStore("set mailbox state", err)
}
