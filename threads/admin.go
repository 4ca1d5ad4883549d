package threads

import (
	"context"
	"time"
)

// InboundRow is one line of the inbound log, for the admin view.
type InboundRow struct {
	ID         int64     `db:"id"`
	Intake     string    `db:"intake"`
	Sender     string    `db:"sender"`
	Subject    string    `db:"subject"`
	Class      string    `db:"class"`
	Verdict    Verdict   `db:"verdict"`
	Detail     string    `db:"detail"`
	SenderAuth string    `db:"sender_auth"`
	AuthDetail string    `db:"sender_auth_detail"`
	RawSize    int64     `db:"raw_size"`
	Truncated  bool      `db:"truncated"`
	Deliveries int       `db:"deliveries"`
	MessageID  *int64    `db:"message_id"`
	ReceivedAt time.Time `db:"received_at"`
}

// InboundFilter narrows the inbound log; zero values match everything.
type InboundFilter struct {
	Verdict string
	Sender  string
	Since   time.Time
	Until   time.Time
	Limit   int
}

// InboundLog lists received mail, newest first.
func (s *Store) InboundLog(ctx context.Context, f InboundFilter) ([]InboundRow, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	if f.Until.IsZero() {
		f.Until = s.now().Add(time.Hour)
	}
	rows := []InboundRow{}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT id, intake, sender, subject, class, verdict, detail, sender_auth, sender_auth_detail, raw_size, truncated, deliveries,
			(SELECT m.id FROM messages m WHERE m.inbound_id = inbound.id) AS message_id, received_at
		FROM inbound
		WHERE ($1 = '' OR verdict = $1 OR verdict LIKE $1 || '\_%') AND ($2 = '' OR sender ILIKE '%' || $2 || '%')
			AND received_at >= $3 AND received_at < $4
		ORDER BY received_at DESC, id DESC LIMIT $5`, f.Verdict, f.Sender, f.Since, f.Until, f.Limit)
	return rows, wrapStore("inbound log", err)
}

// VerdictCount is how many mails of the log got one verdict.
type VerdictCount struct {
	Verdict Verdict `db:"verdict"`
	Count   int     `db:"count"`
}

// InboundVerdictCounts counts the log's mail by verdict, in one query, under
// the filter's sender and dates (not its verdict: the counts are what a
// verdict filter would find).
func (s *Store) InboundVerdictCounts(ctx context.Context, f InboundFilter) ([]VerdictCount, error) {
	if f.Until.IsZero() {
		f.Until = s.now().Add(time.Hour)
	}
	out := []VerdictCount{}
	err := s.db.SelectContext(ctx, &out, `
		SELECT verdict, count(*) AS count FROM inbound
		WHERE ($1 = '' OR sender ILIKE '%' || $1 || '%') AND received_at >= $2 AND received_at < $3
		GROUP BY verdict ORDER BY verdict`, f.Sender, f.Since, f.Until)
	return out, wrapStore("inbound verdict counts", err)
}

// OutboxRow is one queued or sent email, for the admin view: what it is
// about and to whom, enough to name it as its subject line does.
type OutboxRow struct {
	ID            int64      `db:"id"`
	Kind          string     `db:"kind"` // notification or rejection_notice
	ToAddress     string     `db:"to_address"`
	Status        string     `db:"status"`
	Attempts      int        `db:"attempts"`
	LastError     string     `db:"last_error"`
	NextAttemptAt time.Time  `db:"next_attempt_at"`
	CreatedAt     time.Time  `db:"created_at"`
	SentAt        *time.Time `db:"sent_at"`
	BouncedAt     *time.Time `db:"bounced_at"`
	// Position counts the recipient's earlier notifications on the
	// transaction: after the first, the subject starts with "Re:".
	Position        int    `db:"position"`
	RecipientID     int64  `db:"recipient_id"`
	RecipientName   string `db:"recipient_name"`
	RecipientLocale string `db:"recipient_locale"`
	// The transaction, when there is one (a rejection notice may have none).
	TransactionID int64  `db:"transaction_id"`
	CompanyID     int64  `db:"company_id"`
	CompanyName   string `db:"company_name"`
	TxnKind       Kind   `db:"transaction_kind"`
	TxnNumber     string `db:"transaction_number"`
	// A rejection notice's reason, and the mail it answers.
	Reason    Verdict `db:"reason"`
	InboundID int64   `db:"inbound_id"`
}

// OutboxList lists the outbox, newest first, optionally by status.
func (s *Store) OutboxList(ctx context.Context, status string, limit int) ([]OutboxRow, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows := []OutboxRow{}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT o.id, o.kind, o.to_address, o.status, o.attempts, o.last_error, o.next_attempt_at, o.created_at,
			o.sent_at, o.bounced_at, o.position, o.recipient_id, p.name AS recipient_name, p.locale AS recipient_locale,
			coalesce(o.transaction_id, 0) AS transaction_id, coalesce(t.company_id, 0) AS company_id,
			coalesce(c.name, '') AS company_name, coalesce(t.kind, '') AS transaction_kind,
			coalesce(t.number, '') AS transaction_number, o.reason, coalesce(o.inbound_id, 0) AS inbound_id
		FROM outbox o
		JOIN people p ON p.id = o.recipient_id
		LEFT JOIN transactions t ON t.id = o.transaction_id
		LEFT JOIN companies c ON c.id = t.company_id
		WHERE ($1 = '' OR o.status = $1) ORDER BY o.id DESC LIMIT $2`, status, limit)
	return rows, wrapStore("outbox list", err)
}

// OutboxCounts counts the outbox by status, in one query.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Status string `db:"status"`
		Count  int    `db:"count"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT status, count(*) AS count FROM outbox GROUP BY status`); err != nil {
		return nil, wrapStore("outbox counts", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Status] = r.Count
	}
	return out, nil
}

// DayCounts are the last 24 hours in numbers, for the health page.
type DayCounts struct {
	Received int `db:"received"`
	Posted   int `db:"posted"`
	Rejected int `db:"rejected"`
	Ignored  int `db:"ignored"`
	Failed   int `db:"failed"`
	Sent     int `db:"sent"`
	Pending  int `db:"pending"`
	SendFail int `db:"send_failed"`
}

// LastDay counts the last 24 hours of mail in and out.
func (s *Store) LastDay(ctx context.Context) (DayCounts, error) {
	var c DayCounts
	err := s.db.GetContext(ctx, &c, `
		SELECT
			(SELECT count(*) FROM inbound WHERE received_at > $1) AS received,
			(SELECT count(*) FROM inbound WHERE received_at > $1 AND verdict = 'posted') AS posted,
			(SELECT count(*) FROM inbound WHERE received_at > $1 AND verdict LIKE 'rejected%') AS rejected,
			(SELECT count(*) FROM inbound WHERE received_at > $1 AND verdict LIKE 'ignored%') AS ignored,
			(SELECT count(*) FROM inbound WHERE received_at > $1 AND verdict LIKE 'failed%') AS failed,
			(SELECT count(*) FROM outbox WHERE sent_at > $1) AS sent,
			(SELECT count(*) FROM outbox WHERE status = 'pending') AS pending,
			(SELECT count(*) FROM outbox WHERE status = 'failed' AND created_at > $1) AS send_failed`,
		s.now().Add(-24*time.Hour))
	return c, wrapStore("last day", err)
}

// AllPeople lists everyone with their addresses, by name, for the admin view.
func (s *Store) AllPeople(ctx context.Context) ([]Person, error) {
	out := []Person{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+personColumns+` FROM people ORDER BY name, id LIMIT 1000`); err != nil {
		return nil, wrapStore("all people", err)
	}
	var emails []struct {
		PersonID int64 `db:"person_id"`
		EmailAddress
	}
	if err := s.db.SelectContext(ctx, &emails, `SELECT person_id, address, verified FROM person_emails ORDER BY address`); err != nil {
		return nil, wrapStore("all emails", err)
	}
	byID := map[int64]int{}
	for i, p := range out {
		byID[p.ID] = i
	}
	for _, e := range emails {
		if i, ok := byID[e.PersonID]; ok {
			out[i].Emails = append(out[i].Emails, e.EmailAddress)
		}
	}
	return out, nil
}
