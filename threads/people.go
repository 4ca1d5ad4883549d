package threads

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Person is someone who works on client companies: an accountant or a client.
type Person struct {
	ID         int64          `db:"id"`
	ExternalID string         `db:"external_id"`
	Name       string         `db:"name"`
	Locale     string         `db:"locale"`
	TimeZone   string         `db:"time_zone"`
	Staff      bool           `db:"staff"`
	Emails     []EmailAddress `db:"-"`
}

// EmailAddress is one of a person's addresses. Only verified ones may post
// by email.
type EmailAddress struct {
	Address  string `db:"address"`
	Verified bool   `db:"verified"`
}

// PersonInput is what the ledger or an admin says of a person.
type PersonInput struct {
	ExternalID string
	Name       string
	Emails     []EmailAddress
	Locale     string // "en" (default) or "es"
	TimeZone   string // IANA name; default "UTC"
	Staff      bool
}

const personColumns = `id, external_id, name, locale, time_zone, staff`

// Locales the service writes in.
var locales = map[string]bool{"en": true, "es": true}

// NormalizeEmail returns the bare address lower-cased, or an error when s is
// not one plain address.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || strings.ContainsAny(s, "\r\n\x00") {
		return "", invalid("email address", "%q is not a plain email address", s)
	}
	return strings.ToLower(a.Address), nil
}

func (in *PersonInput) normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	if err := checkExternalID("person id", in.ExternalID); err != nil {
		return err
	}
	if err := checkLine("name", in.Name, 200); err != nil {
		return err
	}
	if in.Name == "" {
		return invalid("name", "is empty")
	}
	if in.Locale == "" {
		in.Locale = "en"
	}
	if !locales[in.Locale] {
		return invalid("locale", "%q is not one of en, es", in.Locale)
	}
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(in.TimeZone); err != nil || strings.ContainsAny(in.TimeZone, "\r\n") {
		return invalid("time zone", "%q is not a known IANA time zone", in.TimeZone)
	}
	for i := range in.Emails {
		addr, err := NormalizeEmail(in.Emails[i].Address)
		if err != nil {
			return err
		}
		in.Emails[i].Address = addr
	}
	return nil
}

// UpsertPerson creates or updates the person with this external id; the
// given addresses replace the person's old ones. An address that belongs to
// another person is refused.
func (s *Store) UpsertPerson(ctx context.Context, in PersonInput) (Person, error) {
	if err := in.normalize(); err != nil {
		return Person{}, err
	}
	var p Person
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &p, `
			INSERT INTO people (external_id, name, locale, time_zone, staff) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (external_id) DO UPDATE SET name = EXCLUDED.name, locale = EXCLUDED.locale,
				time_zone = EXCLUDED.time_zone, staff = EXCLUDED.staff, updated_at = now()
			RETURNING `+personColumns, in.ExternalID, in.Name, in.Locale, in.TimeZone, in.Staff)
		if err != nil {
			return fmt.Errorf("store: upsert person: %w", err)
		}
		p.Emails, err = replaceEmails(ctx, tx, p.ID, in.Emails)
		return err
	})
	return p, err
}

func replaceEmails(ctx context.Context, tx *sqlx.Tx, personID int64, emails []EmailAddress) ([]EmailAddress, error) {
	keep := make([]string, len(emails))
	for i, e := range emails {
		keep[i] = e.Address
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM person_emails WHERE person_id = $1 AND NOT address = ANY($2)`,
		personID, pq.Array(keep))
	if err != nil {
		return nil, fmt.Errorf("store: delete old emails: %w", err)
	}
	for _, e := range emails {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO person_emails (address, person_id, verified) VALUES ($1, $2, $3)
			ON CONFLICT (address) DO UPDATE SET verified = EXCLUDED.verified
			WHERE person_emails.person_id = EXCLUDED.person_id`, e.Address, personID, e.Verified)
		if err != nil {
			return nil, fmt.Errorf("store: upsert email: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, invalid("email address", "%s belongs to another person", e.Address)
		}
	}
	return loadEmails(ctx, tx, personID)
}

func loadEmails(ctx context.Context, q sqlx.QueryerContext, personID int64) ([]EmailAddress, error) {
	var emails []EmailAddress
	err := sqlx.SelectContext(ctx, q, &emails,
		`SELECT address, verified FROM person_emails WHERE person_id = $1 ORDER BY address`, personID)
	if err != nil {
		return nil, fmt.Errorf("store: load emails: %w", err)
	}
	return emails, nil
}

// Person returns a person with their addresses.
func (s *Store) Person(ctx context.Context, id int64) (Person, error) {
	var p Person
	if err := s.db.GetContext(ctx, &p, `SELECT `+personColumns+` FROM people WHERE id = $1`, id); err != nil {
		return Person{}, notFound("person", err)
	}
	var err error
	p.Emails, err = loadEmails(ctx, s.db, p.ID)
	return p, err
}

// PersonByExternalID returns a person by their ledger id.
func (s *Store) PersonByExternalID(ctx context.Context, externalID string) (Person, error) {
	var id int64
	if err := s.db.GetContext(ctx, &id, `SELECT id FROM people WHERE external_id = $1`, externalID); err != nil {
		return Person{}, notFound("person", err)
	}
	return s.Person(ctx, id)
}

// PersonByEmail returns the person who owns address, verified or not.
func (s *Store) PersonByEmail(ctx context.Context, address string) (Person, error) {
	addr, err := NormalizeEmail(address)
	if err != nil {
		return Person{}, fmt.Errorf("person by email: %w", ErrNotFound)
	}
	var id int64
	if err := s.db.GetContext(ctx, &id, `SELECT person_id FROM person_emails WHERE address = $1`, addr); err != nil {
		return Person{}, notFound("person", err)
	}
	return s.Person(ctx, id)
}

// PrimaryEmail is the address mail to the person goes to: the first verified
// one, else the first one.
func (p Person) PrimaryEmail() string {
	for _, e := range p.Emails {
		if e.Verified {
			return e.Address
		}
	}
	if len(p.Emails) > 0 {
		return p.Emails[0].Address
	}
	return ""
}

// HasVerifiedEmail reports whether address is one of p's verified addresses.
func (p Person) HasVerifiedEmail(address string) bool {
	addr, err := NormalizeEmail(address)
	if err != nil {
		return false
	}
	for _, e := range p.Emails {
		if e.Verified && e.Address == addr {
			return true
		}
	}
	return false
}

// SetEmailVerified marks one address verified or not.
func (s *Store) SetEmailVerified(ctx context.Context, address string, verified bool) error {
	addr, err := NormalizeEmail(address)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE person_emails SET verified = $2 WHERE address = $1`, addr, verified)
	if err != nil {
		return wrapStore("verify email", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("verify email: %w", ErrNotFound)
	}
	return nil
}

// AllCompanies lists every company, by name, for the admin view.
func (s *Store) AllCompanies(ctx context.Context) ([]Company, error) {
	out := []Company{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+companyColumns+` FROM companies ORDER BY name, id LIMIT 1000`)
	return out, wrapStore("all companies", err)
}
