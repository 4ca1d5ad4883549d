package threads

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// Role is what a person does for a company.
type Role string

// Roles a member can have.
const (
	RoleAccountant Role = "accountant"
	RoleClient     Role = "client"
)

// Member is a person with their role in one company.
type Member struct {
	Person
	Role Role `db:"role"`
}

// SetMembership adds the person to the company with role, or changes the role.
func (s *Store) SetMembership(ctx context.Context, companyID, personID int64, role Role) error {
	if role != RoleAccountant && role != RoleClient {
		return invalid("role", "one_of", "{value} is not one of {list}", "value", strconv.Quote(string(role)), "list", "accountant, client")
	}
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO memberships (company_id, person_id, role)
		SELECT c.id, p.id, $3 FROM companies c, people p WHERE c.id = $1 AND p.id = $2
		ON CONFLICT (company_id, person_id) DO UPDATE SET role = EXCLUDED.role`,
		companyID, personID, string(role))
	if err != nil {
		return fmt.Errorf("store: set membership: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set membership: company or person: %w", ErrNotFound)
	}
	return nil
}

// PatchMembership adds the person to the company or changes their role, and
// returns the role they now have. A nil role keeps the current one; a new
// member needs one.
func (s *Store) PatchMembership(ctx context.Context, companyID, personID int64, role *Role) (Role, error) {
	if role != nil {
		if err := s.SetMembership(ctx, companyID, personID, *role); err != nil {
			return "", err
		}
		return *role, nil
	}
	r, err := s.MemberRole(ctx, companyID, personID)
	if errors.Is(err, ErrNotFound) {
		return "", invalid("role", "required", "is required for a new member")
	}
	return r, err
}

// RemoveMembership takes the person out of the company. Their messages stay;
// they can no longer read or post there.
func (s *Store) RemoveMembership(ctx context.Context, companyID, personID int64) error {
	_, err := s.db.ExecContext(ctx,
		`DELETE FROM memberships WHERE company_id = $1 AND person_id = $2`, companyID, personID)
	if err != nil {
		return fmt.Errorf("store: remove membership: %w", err)
	}
	return nil
}

// Members lists a company's people, by name.
func (s *Store) Members(ctx context.Context, companyID int64) ([]Member, error) {
	var ms []Member
	err := s.selectPrepared(ctx, nil, &ms, `
		SELECT p.id, p.external_id, p.name, p.locale, p.time_zone, p.staff, m.role
		FROM memberships m JOIN people p ON p.id = m.person_id
		WHERE m.company_id = $1 ORDER BY p.name, p.id`, companyID)
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	return ms, nil
}

// MemberRole returns the person's role in the company, or ErrNotFound when
// they are not a member.
func (s *Store) MemberRole(ctx context.Context, companyID, personID int64) (Role, error) {
	return memberRole(ctx, s.db, companyID, personID)
}

func memberRole(ctx context.Context, q sqlx.QueryerContext, companyID, personID int64) (Role, error) {
	var role Role
	err := sqlx.GetContext(ctx, q, &role,
		`SELECT role FROM memberships WHERE company_id = $1 AND person_id = $2`, companyID, personID)
	if err != nil {
		return "", notFound("membership", err)
	}
	return role, nil
}

// CompaniesOf lists the companies the person belongs to, by name.
func (s *Store) CompaniesOf(ctx context.Context, personID int64) ([]Company, error) {
	var cs []Company
	err := s.db.SelectContext(ctx, &cs, `
		SELECT c.id, c.external_id, c.name, c.created_at
		FROM memberships m JOIN companies c ON c.id = m.company_id
		WHERE m.person_id = $1 ORDER BY c.name, c.id`, personID)
	if err != nil {
		return nil, fmt.Errorf("store: companies of person: %w", err)
	}
	return cs, nil
}
