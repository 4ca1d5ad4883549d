package threads

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Source says how a message arrived.
type Source string

// Message sources.
const (
	SourceWeb   Source = "web"
	SourceEmail Source = "email"
	SourceAPI   Source = "api" // posted through the JSON API, by the ledger
)

// MaxBodyBytes is the largest message body accepted, in bytes of UTF-8.
// Elided quoted text may be up to MaxElidedBytes more.
const (
	MaxBodyBytes   = 64 << 10
	MaxElidedBytes = 256 << 10
)

// Message is one entry in a transaction's Activities.
type Message struct {
	ID            int64  `db:"id"`
	TransactionID int64  `db:"transaction_id"`
	CompanyID     int64  `db:"company_id"`
	AuthorID      int64  `db:"author_id"`
	AuthorName    string `db:"author_name"`
	RecipientID   int64  `db:"recipient_id"`
	RecipientName string `db:"recipient_name"`
	Body          string `db:"body"`
	Elided        string `db:"elided"`
	Source        Source `db:"source"`
	// SenderAuth says, for a message made from an email, what vouched for
	// its sender: "dmarc", "dkim" or "spf", "none" (not verified) or "fail"
	// (posted while refusals were off); "" for other sources.
	SenderAuth string     `db:"sender_auth"`
	CreatedAt  time.Time  `db:"created_at"`
	ReadAt     *time.Time `db:"read_at"`
	// Files that came with the message, filled by Thread and Messages.
	Files []File `db:"-"`
	// Delivery is what became of the email that told the recipient,
	// filled by Thread and Messages.
	Delivery Delivery `db:"-"`
	// Repeated: this post's key was seen before; this is the message it made.
	Repeated bool `db:"-"`
	// The ledger's ids of the two people, filled by Thread and Messages.
	AuthorExternalID    string `db:"-"`
	RecipientExternalID string `db:"-"`
}

// NewMessage is a message about to be posted.
type NewMessage struct {
	TransactionID int64
	AuthorID      int64
	RecipientID   int64
	Body          string
	Elided        string // quoted history or signature cut from an email reply
	Source        Source
	SenderAuth    string // for an email: see Message.SenderAuth
	// Key, when set, makes the post idempotent: a later post by the same
	// author with the same key returns the stored message (Repeated) and
	// stores nothing.
	Key string
	// Files to post with the message. A message with files may have no
	// words; a file the rules refuse is recorded with the reason.
	Files []NewFile

	prepared []preparedFile
}

// MaxPostKeyBytes is the longest post key accepted.
const MaxPostKeyBytes = 200

const messageSelect = `
	SELECT m.id, m.transaction_id, m.company_id, m.author_id, a.name AS author_name,
		m.recipient_id, r.name AS recipient_name, m.body, m.elided, m.source, m.sender_auth, m.created_at, m.read_at
	FROM messages m JOIN people a ON a.id = m.author_id JOIN people r ON r.id = m.recipient_id`

// clean gives the text LF line ends, whichever intake it came by,
// and checks the message.
func (n *NewMessage) clean(limits FileLimits) error {
	n.Body, n.Elided = normalizeLineEnds(n.Body), normalizeLineEnds(n.Elided)
	n.prepared = prepareFiles(n.Files, limits)
	return n.validate()
}

func (n *NewMessage) validate() error {
	if n.Source != SourceWeb && n.Source != SourceEmail && n.Source != SourceAPI {
		return invalid("source", "one_of", "{value} is not one of {list}", "value", strconv.Quote(string(n.Source)), "list", "web, email, api")
	}
	if n.RecipientID == n.AuthorID {
		return invalid("recipient", "recipient_is_author", "must be someone other than the author")
	}
	if err := checkText("message", n.Body, MaxBodyBytes); err != nil {
		return err
	}
	if strings.TrimSpace(n.Body) == "" && len(n.Files) == 0 {
		return &ValidationError{Field: "message", Problem: "is empty", Rule: "empty", empty: true}
	}
	if len(n.Key) > MaxPostKeyBytes {
		return invalid("key", "too_long_bytes", "is longer than {limit} bytes", "limit", strconv.Itoa(MaxPostKeyBytes))
	}
	if err := checkText("key", n.Key, MaxPostKeyBytes); err != nil {
		return err
	}
	return checkText("elided text", n.Elided, MaxElidedBytes)
}

// PostMessage appends a message to a transaction's Activities and queues the
// email that notifies its recipient, in one database transaction. The author and
// the recipient must both belong to the transaction's company, and its kind
// must allow conversations. An author who may not see the transaction gets
// ErrNotFound, as if it did not exist.
func (s *Store) PostMessage(ctx context.Context, n NewMessage) (Message, error) {
	if err := n.clean(s.fileLimits); err != nil {
		return Message{}, err
	}
	if n.Key != "" {
		if m, err := s.keyedMessage(ctx, n); !errors.Is(err, ErrNotFound) {
			return m, err
		}
	}
	if err := s.putBodies(ctx, n.prepared); err != nil {
		return Message{}, err
	}
	var m Message
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if m, err = s.postMessage(ctx, tx, n, 0); err != nil {
			return err
		}
		return s.enqueueNotification(ctx, tx, m)
	})
	if n.Key != "" && isUniqueViolation(err, "messages_post_key") {
		return s.keyedMessage(ctx, n) // the same post, sent twice at once
	}
	return m, err
}

// files lists prepared files as stored (their ids are not read back).
func files(ps []preparedFile) []File {
	out := make([]File, len(ps))
	for i, p := range ps {
		out[i] = p.File
	}
	return out
}

// keyedMessage returns the message an earlier post with n's author and key
// made, or ErrNotFound.
func (s *Store) keyedMessage(ctx context.Context, n NewMessage) (Message, error) {
	var m Message
	err := s.db.GetContext(ctx, &m, messageSelect+` WHERE m.author_id = $1 AND m.post_key = $2`, n.AuthorID, n.Key)
	if isNoRows(err) {
		return Message{}, ErrNotFound
	}
	if err != nil {
		return Message{}, wrapStore("post message: key", err)
	}
	if m.TransactionID != n.TransactionID || m.RecipientID != n.RecipientID || m.Body != n.Body {
		return Message{}, invalid("key", "key_used", "was used for another message")
	}
	m.Repeated = true
	return m, nil
}

// postMessage checks the rules that need the database and inserts, inside
// tx, in one statement: the row comes back with what the checks found, and
// the insert happens only when they all pass. inboundID links a message made
// from a mail to it (0 for none).
func (s *Store) postMessage(ctx context.Context, tx *sqlx.Tx, n NewMessage, inboundID int64) (Message, error) {
	var row struct {
		CompanyID       int64      `db:"company_id"`
		Kind            Kind       `db:"kind"`
		AuthorMember    bool       `db:"author_member"`
		RecipientMember bool       `db:"recipient_member"`
		ID              *int64     `db:"id"`
		CreatedAt       *time.Time `db:"created_at"`
		AuthorName      *string    `db:"author_name"`
		RecipientName   *string    `db:"recipient_name"`
	}
	err := s.getPrepared(ctx, tx, &row, `
		WITH chk AS (
			SELECT t.id, t.company_id, t.kind,
				EXISTS (SELECT 1 FROM memberships WHERE company_id = t.company_id AND person_id = $2) AS author_member,
				EXISTS (SELECT 1 FROM memberships WHERE company_id = t.company_id AND person_id = $3) AS recipient_member
			FROM transactions t WHERE t.id = $1),
		ins AS (
			INSERT INTO messages (transaction_id, company_id, author_id, recipient_id, body, elided, source, inbound_id, post_key, sender_auth)
			SELECT chk.id, chk.company_id, $2, $3, $4, $5, $6, nullif($7, 0), nullif($9, ''), $10 FROM chk
			WHERE chk.author_member AND chk.recipient_member AND chk.kind = ANY($8)
			RETURNING id, author_id, recipient_id, created_at)
		SELECT chk.company_id, chk.kind, chk.author_member, chk.recipient_member,
			ins.id, ins.created_at, a.name AS author_name, r.name AS recipient_name
		FROM chk LEFT JOIN ins ON true
		LEFT JOIN people a ON a.id = ins.author_id LEFT JOIN people r ON r.id = ins.recipient_id`,
		n.TransactionID, n.AuthorID, n.RecipientID, n.Body, n.Elided, string(n.Source), inboundID, allowedKinds, n.Key, n.SenderAuth)
	switch {
	case isNoRows(err), err == nil && !row.AuthorMember:
		return Message{}, fmt.Errorf("post message: transaction: %w", ErrNotFound)
	case err != nil:
		return Message{}, wrapStore("post message", err)
	case !row.RecipientMember:
		return Message{}, invalid("recipient", "not_member", "does not work on this company")
	case row.ID == nil:
		return Message{}, row.Kind.AllowsConversation()
	}
	if err := s.insertFiles(ctx, tx, *row.ID, n.prepared); err != nil {
		return Message{}, err
	}
	return Message{ID: *row.ID, TransactionID: n.TransactionID, CompanyID: row.CompanyID, AuthorID: n.AuthorID, Files: files(n.prepared),
		AuthorName: *row.AuthorName, RecipientID: n.RecipientID, RecipientName: *row.RecipientName, Body: n.Body,
		Elided: n.Elided, Source: n.Source, SenderAuth: n.SenderAuth, CreatedAt: *row.CreatedAt}, nil
}

// Thread returns a transaction's messages, oldest first, to a viewer who
// belongs to its company; others get ErrNotFound.
func (s *Store) Thread(ctx context.Context, viewerID, txnID int64) ([]Message, error) {
	if _, err := s.Transaction(ctx, viewerID, txnID); err != nil {
		return nil, err
	}
	ms, _, err := s.threadRows(ctx, txnID, 0)
	if err != nil {
		return nil, err
	}
	return ms, s.fillDetails(ctx, ms)
}

// ThreadNewest is Thread cut to the newest limit messages (still oldest
// first), with how many earlier ones it left out: a page opens a long
// thread at its end without reading all of it.
func (s *Store) ThreadNewest(ctx context.Context, viewerID, txnID int64, limit int) ([]Message, int, error) {
	if _, err := s.Transaction(ctx, viewerID, txnID); err != nil {
		return nil, 0, err
	}
	ms, total, err := s.threadRows(ctx, txnID, limit)
	if err != nil {
		return nil, 0, err
	}
	return ms, total - len(ms), s.fillDetails(ctx, ms)
}

// threadRows reads the messages, the newest limit of them when limit > 0,
// with their people's names and how many the thread has, in one prepared
// query whose rows are scanned by hand: long threads are read often.
func (s *Store) threadRows(ctx context.Context, txnID int64, limit int) ([]Message, int, error) {
	const columns = `id, transaction_id, company_id, author_id, recipient_id,
		body, elided, source, sender_auth, created_at, read_at`
	const withNames = `SELECT m.id, m.transaction_id, m.company_id, m.author_id, m.recipient_id,
		m.body, m.elided, m.source, m.sender_auth, m.created_at, m.read_at,
		a.name, a.external_id, r.name, r.external_id, `
	const people = ` JOIN people a ON a.id = m.author_id JOIN people r ON r.id = m.recipient_id`
	query := withNames + `0 FROM messages m` + people + ` WHERE m.transaction_id = $1 ORDER BY m.id`
	args := []any{txnID}
	if limit > 0 {
		// A long thread has a few people: their rows are looked up once each.
		query = withNames + `(SELECT count(*) FROM messages WHERE transaction_id = $1)
			FROM (SELECT ` + columns + ` FROM messages WHERE transaction_id = $1
			ORDER BY id DESC LIMIT $2) m` + people + ` ORDER BY m.id`
		args = append(args, limit)
	}
	st, err := s.prepared(ctx, nil, query)
	if err != nil {
		return nil, 0, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: thread: %w", err)
	}
	defer rows.Close()
	ms := []Message{}
	total := 0
	for rows.Next() {
		var m Message
		err := rows.Scan(&m.ID, &m.TransactionID, &m.CompanyID, &m.AuthorID, &m.RecipientID,
			&m.Body, &m.Elided, &m.Source, &m.SenderAuth, &m.CreatedAt, &m.ReadAt,
			&m.AuthorName, &m.AuthorExternalID, &m.RecipientName, &m.RecipientExternalID, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("store: thread: %w", err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: thread: %w", err)
	}
	if limit <= 0 {
		total = len(ms)
	}
	return ms, total, nil
}

// Messages returns a transaction's messages, oldest first, without an
// access check: for the ledger's API.
func (s *Store) Messages(ctx context.Context, txnID int64) ([]Message, error) {
	ms, _, err := s.threadRows(ctx, txnID, 0)
	if err != nil {
		return nil, err
	}
	return ms, s.fillDetails(ctx, ms)
}
