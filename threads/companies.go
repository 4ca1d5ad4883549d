package threads

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Company is a client company whose books the firm keeps.
type Company struct {
	ID         int64     `db:"id"`
	ExternalID string    `db:"external_id"`
	Name       string    `db:"name"`
	CreatedAt  time.Time `db:"created_at"`
}

const companyColumns = `id, external_id, name, created_at`

// UpsertCompany creates the company with this external id or renames it.
func (s *Store) UpsertCompany(ctx context.Context, externalID, name string) (Company, error) {
	name = strings.TrimSpace(name)
	if err := checkExternalID("company id", externalID); err != nil {
		return Company{}, err
	}
	if err := checkLine("company name", name, 200); err != nil {
		return Company{}, err
	}
	if name == "" {
		return Company{}, invalid("company name", "empty", "is empty")
	}
	var c Company
	err := s.db.GetContext(ctx, &c, `
		INSERT INTO companies (external_id, name) VALUES ($1, $2)
		ON CONFLICT (external_id) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
		RETURNING `+companyColumns, externalID, name)
	if err != nil {
		return Company{}, fmt.Errorf("store: upsert company: %w", err)
	}
	return c, nil
}

// PatchCompany creates or renames the company with this external id; a nil
// name keeps the stored one, and a new company needs one.
func (s *Store) PatchCompany(ctx context.Context, externalID string, name *string) (Company, error) {
	if name != nil {
		return s.UpsertCompany(ctx, externalID, *name)
	}
	if err := checkExternalID("company id", externalID); err != nil {
		return Company{}, err
	}
	c, err := s.CompanyByExternalID(ctx, externalID)
	if errors.Is(err, ErrNotFound) {
		return Company{}, invalid("company name", "required", "is required for a new company")
	}
	return c, err
}

// CompanyByExternalID returns a company by its ledger id.
func (s *Store) CompanyByExternalID(ctx context.Context, externalID string) (Company, error) {
	var c Company
	err := s.db.GetContext(ctx, &c, `SELECT `+companyColumns+` FROM companies WHERE external_id = $1`, externalID)
	if err != nil {
		return Company{}, notFound("company", err)
	}
	return c, nil
}
