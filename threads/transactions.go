package threads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
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

// transactionFields are where a row of transactionColumns is scanned into,
// followed by more: keep the two lists in step.
func transactionFields(t *Transaction, more ...any) []any {
	return append([]any{&t.ID, &t.CompanyID, &t.ExternalID, &t.Kind, &t.Number, &t.Date, &t.AmountMinor, &t.Currency,
		&t.Counterparty, &t.Posted}, more...)
}

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
		return invalid("kind", "not_kind", "{value} is not a transaction kind", "value", strconv.Quote(string(in.Kind)))
	case in.Date.IsZero():
		return invalid("date", "required", "is missing")
	case !currencyPattern.MatchString(in.Currency):
		return invalid("currency", "not_currency", "{value} is not an ISO 4217 code", "value", strconv.Quote(in.Currency))
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

// TransactionPatch is what the ledger says of a transaction: a nil field
// keeps its stored value, or takes its default when the transaction is new
// (no number, no counterparty, posted). Kind, date, amount and currency are
// required for a new transaction.
type TransactionPatch struct {
	ExternalID   string
	Kind         *Kind
	Number       *string
	Date         *time.Time
	Amount       *string // plain decimal in the currency's units: "99.50"
	Currency     *string // ISO 4217; changing it needs Amount too
	Counterparty *string
	Posted       *bool
}

// PatchTransaction creates or updates the company's transaction with this
// external id, changing only the fields the patch sets.
func (s *Store) PatchTransaction(ctx context.Context, companyID int64, in TransactionPatch) (Transaction, error) {
	if err := checkExternalID("transaction id", in.ExternalID); err != nil {
		return Transaction{}, err
	}
	var t Transaction
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := lockTransaction(ctx, tx, companyID, in.ExternalID)
		if errors.Is(err, sql.ErrNoRows) {
			if t, err = insertTransaction(ctx, tx, companyID, in); !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			// Another call created it since the lookup: update theirs.
			cur, err = lockTransaction(ctx, tx, companyID, in.ExternalID)
		}
		if err != nil {
			return fmt.Errorf("store: lock transaction: %w", err)
		}
		t, err = updateTransaction(ctx, tx, cur, in)
		return err
	})
	return t, err
}

func lockTransaction(ctx context.Context, tx *sqlx.Tx, companyID int64, externalID string) (Transaction, error) {
	var t Transaction
	err := tx.GetContext(ctx, &t, `SELECT `+transactionColumns+` FROM transactions
		WHERE company_id = $1 AND external_id = $2 FOR UPDATE`, companyID, externalID)
	return t, err
}

// insertTransaction creates the transaction; sql.ErrNoRows means someone
// else just did.
func insertTransaction(ctx context.Context, tx *sqlx.Tx, companyID int64, in TransactionPatch) (Transaction, error) {
	var exists bool
	err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM companies WHERE id = $1)`, companyID)
	if err != nil {
		return Transaction{}, fmt.Errorf("store: find company: %w", err)
	}
	if !exists {
		return Transaction{}, fmt.Errorf("insert transaction: company: %w", ErrNotFound)
	}
	if err = in.required(); err != nil {
		return Transaction{}, err
	}
	full, err := in.onto(TransactionInput{ExternalID: in.ExternalID, Posted: true})
	if err != nil {
		return Transaction{}, err
	}
	var t Transaction
	err = tx.GetContext(ctx, &t, `
		INSERT INTO transactions (company_id, external_id, kind, number, txn_date, amount_minor, currency, counterparty, posted)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (company_id, external_id) DO NOTHING
		RETURNING `+transactionColumns,
		companyID, full.ExternalID, string(full.Kind), full.Number, full.Date.Format(time.DateOnly),
		full.AmountMinor, full.Currency, full.Counterparty, full.Posted)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Transaction{}, fmt.Errorf("store: insert transaction: %w", err)
	}
	return t, err
}

func updateTransaction(ctx context.Context, tx *sqlx.Tx, cur Transaction, in TransactionPatch) (Transaction, error) {
	full, err := in.onto(TransactionInput{ExternalID: cur.ExternalID, Kind: cur.Kind, Number: cur.Number,
		Date: cur.Date, AmountMinor: cur.AmountMinor, Currency: cur.Currency, Counterparty: cur.Counterparty,
		Posted: cur.Posted})
	if err != nil {
		return Transaction{}, err
	}
	var t Transaction
	err = tx.GetContext(ctx, &t, `
		UPDATE transactions SET kind = $2, number = $3, txn_date = $4, amount_minor = $5, currency = $6,
			counterparty = $7, posted = $8, updated_at = now()
		WHERE id = $1 RETURNING `+transactionColumns,
		cur.ID, string(full.Kind), full.Number, full.Date.Format(time.DateOnly),
		full.AmountMinor, full.Currency, full.Counterparty, full.Posted)
	return t, wrapStore("update transaction", err)
}

// required refuses a patch that cannot create a transaction.
func (in TransactionPatch) required() error {
	switch {
	case in.Kind == nil:
		return invalid("kind", "required", "is required for a new transaction")
	case in.Date == nil:
		return invalid("date", "required", "is required for a new transaction")
	case in.Amount == nil:
		return invalid("amount", "required", "is required for a new transaction")
	case in.Currency == nil:
		return invalid("currency", "required", "is required for a new transaction")
	}
	return nil
}

// onto returns base with the patch's fields written over it, checked. The
// amount is read in the resulting currency, so a changed currency must come
// with its amount.
func (in TransactionPatch) onto(base TransactionInput) (TransactionInput, error) {
	was := base.Currency
	setIf(&base.Kind, in.Kind)
	setIf(&base.Number, in.Number)
	setIf(&base.Date, in.Date)
	setIf(&base.Currency, in.Currency)
	setIf(&base.Counterparty, in.Counterparty)
	setIf(&base.Posted, in.Posted)
	if err := base.normalize(); err != nil {
		return base, err
	}
	if in.Amount == nil {
		if base.Currency != was {
			return base, invalid("amount", "amount_with_currency", "is required when the currency changes")
		}
		return base, nil
	}
	var err error
	base.AmountMinor, err = ParseAmount(*in.Amount, base.Currency)
	return base, err
}

// Transaction returns a transaction the viewer may see: ErrNotFound when it
// does not exist or the viewer does not belong to its company.
func (s *Store) Transaction(ctx context.Context, viewerID, txnID int64) (Transaction, error) {
	var t Transaction
	err := s.getPrepared(ctx, nil, &t, `
		SELECT `+transactionColumns+` FROM transactions t
		WHERE t.id = $1 AND EXISTS (
			SELECT 1 FROM memberships m WHERE m.company_id = t.company_id AND m.person_id = $2)`,
		txnID, viewerID)
	if err != nil {
		return Transaction{}, notFound("transaction", err)
	}
	return t, nil
}

// TransactionWithCompany is Transaction with the transaction's company,
// read together for the page that shows both.
func (s *Store) TransactionWithCompany(ctx context.Context, viewerID, txnID int64) (Transaction, Company, error) {
	st, err := s.prepared(ctx, nil, `
		SELECT t.id, t.company_id, t.external_id, t.kind, t.number, t.txn_date, t.amount_minor, t.currency,
			t.counterparty, t.posted, c.external_id, c.name, c.created_at
		FROM transactions t JOIN companies c ON c.id = t.company_id
		WHERE t.id = $1 AND EXISTS (
			SELECT 1 FROM memberships m WHERE m.company_id = t.company_id AND m.person_id = $2)`)
	if err != nil {
		return Transaction{}, Company{}, err
	}
	var t Transaction
	var c Company
	err = st.QueryRowContext(ctx, txnID, viewerID).Scan(transactionFields(&t, &c.ExternalID, &c.Name, &c.CreatedAt)...)
	if err != nil {
		return Transaction{}, Company{}, notFound("transaction", err)
	}
	c.ID = t.CompanyID
	return t, c, nil
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
