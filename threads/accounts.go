package threads

import (
	"context"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// CreatePerson adds a person who signs in with a password (hashed by the
// caller), with verified addresses. Unlike UpsertPerson it never changes
// someone who exists: an id or an address already taken is refused.
func (s *Store) CreatePerson(ctx context.Context, in PersonInput, passwordHash string) (Person, error) {
	patch := PersonPatch{ExternalID: in.ExternalID, Name: &in.Name, Locale: &in.Locale, TimeZone: &in.TimeZone}
	if err := s.checkPersonPatch(patch); err != nil {
		return Person{}, err
	}
	emails := make([]EmailUpdate, len(in.Emails))
	for i, e := range in.Emails {
		emails[i] = EmailUpdate{Address: e.Address, Verified: &e.Verified}
	}
	var p Person
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		p, err = insertPerson(ctx, tx, patch, &in.Staff)
		if isNoRows(err) {
			return invalid("person id", "id_taken", "{value} belongs to someone already", "value", strconv.Quote(in.ExternalID))
		}
		if err != nil {
			return err
		}
		if p.Emails, err = replaceEmails(ctx, tx, p.ID, emails); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE people SET password_hash = $2 WHERE id = $1`, p.ID, passwordHash)
		return wrapStore("create person: password", err)
	})
	return p, err
}

// SetStaff grants or takes away staff rights (the admin view) from the
// person who owns address. It takes effect at their next request.
func (s *Store) SetStaff(ctx context.Context, address string, staff bool) (Person, error) {
	p, err := s.PersonByEmail(ctx, address)
	if err != nil {
		return Person{}, err
	}
	err = s.db.GetContext(ctx, &p.Staff, `UPDATE people SET staff = $2, updated_at = now() WHERE id = $1 RETURNING staff`,
		p.ID, staff)
	if err != nil {
		return Person{}, notFound("set staff", err)
	}
	return p, nil
}

// HasStaffLogin reports whether some staff person can sign in: one with a
// password and a verified address. Without one nobody reaches /admin.
func (s *Store) HasStaffLogin(ctx context.Context) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM people p WHERE p.staff AND p.password_hash <> ''
		AND EXISTS (SELECT 1 FROM person_emails e WHERE e.person_id = p.id AND e.verified))`)
	return ok, wrapStore("staff login", err)
}
