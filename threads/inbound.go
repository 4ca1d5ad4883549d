package threads

import (
	"context"
	"errors"
	"fmt"

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
