package threads

import (
	"context"
	"fmt"
)

// CompanyHome is what a company's home page shows one of its people.
type CompanyHome struct {
	Company
	// Unread counts every message waiting, unread, for the person here;
	// Waiting holds the newest of them, newest first.
	Unread  int `db:"unread"`
	Waiting []WaitingMessage
	// Transactions are the company's newest, newest first; More says
	// there are older ones.
	Transactions []Transaction
	More         bool
}

// WaitingMessage is a message waiting, unread, for its recipient.
type WaitingMessage struct {
	Message
	TxnKind   Kind   `db:"txn_kind"`
	TxnNumber string `db:"txn_number"`
}

// CompanyHome reads a company's home for a person who belongs to it, with
// up to waiting of their unread messages and txns transactions; others get
// ErrNotFound. Its three queries are prepared and their rows scanned by
// hand: the home is the page people open most.
func (s *Store) CompanyHome(ctx context.Context, personID, companyID int64, waiting, txns int) (CompanyHome, error) {
	var h CompanyHome
	err := s.getPrepared(ctx, nil, &h, `
		SELECT c.id, c.external_id, c.name, c.created_at,
			(SELECT count(*) FROM messages m
			 WHERE m.recipient_id = ms.person_id AND m.company_id = c.id AND m.read_at IS NULL) AS unread
		FROM companies c JOIN memberships ms ON ms.company_id = c.id
		WHERE c.id = $1 AND ms.person_id = $2`, companyID, personID)
	if err != nil {
		return CompanyHome{}, notFound("company home", err)
	}
	if h.Waiting, err = s.waitingMessages(ctx, personID, companyID, waiting); err != nil {
		return CompanyHome{}, err
	}
	if h.Transactions, err = s.newestTransactions(ctx, companyID, txns+1); err != nil {
		return CompanyHome{}, err
	}
	if len(h.Transactions) > txns {
		h.Transactions, h.More = h.Transactions[:txns], true
	}
	return h, nil
}

// waitingMessages lists the person's newest unread messages in the company.
func (s *Store) waitingMessages(ctx context.Context, personID, companyID int64, limit int) ([]WaitingMessage, error) {
	st, err := s.prepared(ctx, nil, `
		SELECT m.id, m.transaction_id, m.company_id, m.author_id, a.name, m.recipient_id,
			m.body, m.source, m.created_at, t.kind, t.number
		FROM messages m JOIN people a ON a.id = m.author_id JOIN transactions t ON t.id = m.transaction_id
		WHERE m.recipient_id = $1 AND m.company_id = $2 AND m.read_at IS NULL
		ORDER BY m.id DESC LIMIT $3`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, personID, companyID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: waiting messages: %w", err)
	}
	defer rows.Close()
	out := []WaitingMessage{}
	for rows.Next() {
		var m WaitingMessage
		if err := rows.Scan(&m.ID, &m.TransactionID, &m.CompanyID, &m.AuthorID, &m.AuthorName, &m.RecipientID,
			&m.Body, &m.Source, &m.CreatedAt, &m.TxnKind, &m.TxnNumber); err != nil {
			return nil, fmt.Errorf("store: waiting messages: %w", err)
		}
		out = append(out, m)
	}
	return out, wrapStore("waiting messages", rows.Err())
}

// newestTransactions lists a company's transactions, newest first.
func (s *Store) newestTransactions(ctx context.Context, companyID int64, limit int) ([]Transaction, error) {
	st, err := s.prepared(ctx, nil, `SELECT `+transactionColumns+` FROM transactions
		WHERE company_id = $1 ORDER BY txn_date DESC, id DESC LIMIT $2`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, companyID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: company transactions: %w", err)
	}
	defer rows.Close()
	out := []Transaction{}
	for rows.Next() {
		var t Transaction
		if err := rows.Scan(transactionFields(&t)...); err != nil {
			return nil, fmt.Errorf("store: company transactions: %w", err)
		}
		out = append(out, t)
	}
	return out, wrapStore("company transactions", rows.Err())
}
