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

// OutboxRow is one queued or sent email, for the admin view.
type OutboxRow struct {
	ID            int64      `db:"id"`
	Kind          string     `db:"kind"`
	ToAddress     string     `db:"to_address"`
	Status        string     `db:"status"`
	Attempts      int        `db:"attempts"`
	LastError     string     `db:"last_error"`
	NextAttemptAt time.Time  `db:"next_attempt_at"`
	CreatedAt     time.Time  `db:"created_at"`
	SentAt        *time.Time `db:"sent_at"`
}

// OutboxList lists the outbox, newest first, optionally by status.
func (s *Store) OutboxList(ctx context.Context, status string, limit int) ([]OutboxRow, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows := []OutboxRow{}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT id, kind, to_address, status, attempts, last_error, next_attempt_at, created_at, sent_at
		FROM outbox WHERE ($1 = '' OR status = $1) ORDER BY id DESC LIMIT $2`, status, limit)
	return rows, wrapStore("outbox list", err)
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
