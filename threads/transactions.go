package threads

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Transaction is a ledger entry of a company: an invoice, a bill, a payment.
type Transaction struct {
	ID           int64     `db:"id"`
	CompanyID    int64     `db:"company_id"`
	ExternalID   string    `db:"external_id"`
	Kind         Kind      `db:"kind"`
	Number       string    `db:"number"`
	Date         time.Time `db:"txn_date"`
	AmountMinor  int64     `db:"amount_minor"`
	Currency     string    `db:"currency"`
	Counterparty string    `db:"counterparty"`
	Posted       bool      `db:"posted"`
}

// TransactionInput is what the ledger says of a transaction.
type TransactionInput struct {
	ExternalID   string
	Kind         Kind
	Number       string
	Date         time.Time // only the calendar date is kept
	AmountMinor  int64     // in the currency's minor unit (cents)
	Currency     string    // ISO 4217 code
	Counterparty string
	Posted       bool
}

const transactionColumns = `id, company_id, external_id, kind, number, txn_date, amount_minor, currency, counterparty, posted`

var (
	kindPattern     = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
)

func (in *TransactionInput) normalize() error {
	in.Number = strings.TrimSpace(in.Number)
	in.Counterparty = strings.TrimSpace(in.Counterparty)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	switch {
	case checkExternalID("transaction id", in.ExternalID) != nil:
		return checkExternalID("transaction id", in.ExternalID)
	case !kindPattern.MatchString(string(in.Kind)):
		return invalid("kind", "%q is not a transaction kind", in.Kind)
	case in.Date.IsZero():
		return invalid("date", "is missing")
	case !currencyPattern.MatchString(in.Currency):
		return invalid("currency", "%q is not an ISO 4217 code", in.Currency)
	}
	if err := checkLine("number", in.Number, 100); err != nil {
		return err
	}
	return checkLine("counterparty", in.Counterparty, 200)
}

// UpsertTransaction creates or updates the company's transaction with this
// external id. Unknown kinds are stored; they just do not allow conversations.
func (s *Store) UpsertTransaction(ctx context.Context, companyID int64, in TransactionInput) (Transaction, error) {
	if err := in.normalize(); err != nil {
		return Transaction{}, err
	}
	var t Transaction
	err := s.db.GetContext(ctx, &t, `
		INSERT INTO transactions (company_id, external_id, kind, number, txn_date, amount_minor, currency, counterparty, posted)
		SELECT id, $2, $3, $4, $5, $6, $7, $8, $9 FROM companies WHERE id = $1
		ON CONFLICT (company_id, external_id) DO UPDATE SET kind = EXCLUDED.kind, number = EXCLUDED.number,
			txn_date = EXCLUDED.txn_date, amount_minor = EXCLUDED.amount_minor, currency = EXCLUDED.currency,
			counterparty = EXCLUDED.counterparty, posted = EXCLUDED.posted, updated_at = now()
		RETURNING `+transactionColumns,
		companyID, in.ExternalID, string(in.Kind), in.Number, in.Date.Format(time.DateOnly),
		in.AmountMinor, in.Currency, in.Counterparty, in.Posted)
	if err != nil {
		return Transaction{}, notFound("upsert transaction: company", err)
	}
	return t, nil
}

// Transaction returns a transaction the viewer may see: ErrNotFound when it
// does not exist or the viewer does not belong to its company.
func (s *Store) Transaction(ctx context.Context, viewerID, txnID int64) (Transaction, error) {
	var t Transaction
	err := s.db.GetContext(ctx, &t, `
		SELECT `+transactionColumns+` FROM transactions t
		WHERE t.id = $1 AND EXISTS (
			SELECT 1 FROM memberships m WHERE m.company_id = t.company_id AND m.person_id = $2)`,
		txnID, viewerID)
	if err != nil {
		return Transaction{}, notFound("transaction", err)
	}
	return t, nil
}

// TransactionByExternalID returns a company's transaction by its ledger id,
// without any access check: for the ledger's API and admin tasks.
func (s *Store) TransactionByExternalID(ctx context.Context, companyID int64, externalID string) (Transaction, error) {
	var t Transaction
	err := s.db.GetContext(ctx, &t, `SELECT `+transactionColumns+` FROM transactions
		WHERE company_id = $1 AND external_id = $2`, companyID, externalID)
	if err != nil {
		return Transaction{}, notFound("transaction", err)
	}
	return t, nil
}

// transactionByID reads a transaction inside tx, without an access check.
func transactionByID(ctx context.Context, tx *sqlx.Tx, id int64) (Transaction, error) {
	var t Transaction
	err := tx.GetContext(ctx, &t, `SELECT `+transactionColumns+` FROM transactions WHERE id = $1`, id)
	if err != nil {
		return Transaction{}, notFound("transaction", err)
	}
	return t, nil
}

// Describe names the transaction for people: "invoice 1042".
func (t Transaction) Describe() string {
	if t.Number == "" {
		return t.Kind.Label()
	}
	return fmt.Sprintf("%s %s", t.Kind.Label(), t.Number)
}
