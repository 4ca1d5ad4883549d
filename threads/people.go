package threads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
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

// PersonInput is a whole person, staff flag included, as the admin view or
// the demo seed writes it; the ledger's API sends a PersonPatch instead.
type PersonInput struct {
	ExternalID string
	Name       string
	Emails     []EmailAddress
	Locale     string // "en" (default), or another of Options.Locales
	TimeZone   string // IANA name; default "UTC"
	Staff      bool
}

const personColumns = `id, external_id, name, locale, time_zone, staff`

// NormalizeEmail returns the bare address lower-cased, or an error when s is
// not one plain address.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || strings.ContainsAny(s, "\r\n\x00") {
		return "", invalid("email address", "not_email", "{value} is not a plain email address", "value", strconv.Quote(s))
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
		return invalid("name", "empty", "is empty")
	}
	if in.Locale == "" {
		in.Locale = "en"
	}
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(in.TimeZone); err != nil || strings.ContainsAny(in.TimeZone, "\r\n") {
		return invalid("time zone", "not_time_zone", "{value} is not a known IANA time zone", "value", strconv.Quote(in.TimeZone))
	}
	return nil
}

// PersonPatch is what the ledger says of a person: a nil field keeps its
// stored value, or takes its default when the person is new. It has no staff
// field, so a sync can never grant or take away staff rights.
type PersonPatch struct {
	ExternalID string
	Name       *string        // required for a new person
	Emails     *[]EmailUpdate // when set, replaces the person's addresses
	Locale     *string        // "" is the default, "en"
	TimeZone   *string        // "" is the default, "UTC"
}

// EmailUpdate is one address of a PersonPatch. A nil Verified keeps the flag
// of an address the person already has; a new address starts unverified.
type EmailUpdate struct {
	Address  string
	Verified *bool
}

// UpsertPerson creates or updates the person with this external id, staff
// flag included; the given addresses replace the person's old ones. An
// address that belongs to another person is refused.
func (s *Store) UpsertPerson(ctx context.Context, in PersonInput) (Person, error) {
	emails := make([]EmailUpdate, len(in.Emails))
	for i, e := range in.Emails {
		emails[i] = EmailUpdate{Address: e.Address, Verified: &e.Verified}
	}
	return s.savePerson(ctx, PersonPatch{ExternalID: in.ExternalID, Name: &in.Name, Emails: &emails,
		Locale: &in.Locale, TimeZone: &in.TimeZone}, &in.Staff)
}

// PatchPerson creates or updates the person with this external id, changing
// only the fields the patch sets and never the staff flag.
func (s *Store) PatchPerson(ctx context.Context, in PersonPatch) (Person, error) {
	return s.savePerson(ctx, in, nil)
}

// checkPersonPatch checks what every write of a person checks: the id, and
// a locale the pages and mail are written in.
func (s *Store) checkPersonPatch(in PersonPatch) error {
	if err := checkExternalID("person id", in.ExternalID); err != nil {
		return err
	}
	if in.Locale != nil && *in.Locale != "" && !slices.Contains(s.locales, *in.Locale) {
		return invalid("locale", "one_of", "{value} is not one of {list}", "value", strconv.Quote(*in.Locale), "list", strings.Join(s.locales, ", "))
	}
	return nil
}

// savePerson writes a patch, and the staff flag when staff is not nil.
func (s *Store) savePerson(ctx context.Context, in PersonPatch, staff *bool) (Person, error) {
	if err := s.checkPersonPatch(in); err != nil {
		return Person{}, err
	}
	var p Person
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if p, err = writePerson(ctx, tx, in, staff); err != nil {
			return err
		}
		if in.Emails == nil {
			p.Emails, err = loadEmails(ctx, tx, p.ID)
		} else {
			p.Emails, err = replaceEmails(ctx, tx, p.ID, *in.Emails)
		}
		return err
	})
	return p, err
}

// writePerson updates the person's row, or inserts it when there is none.
func writePerson(ctx context.Context, tx *sqlx.Tx, in PersonPatch, staff *bool) (Person, error) {
	var p Person
	cur, err := lockPerson(ctx, tx, in.ExternalID)
	if errors.Is(err, sql.ErrNoRows) {
		if p, err = insertPerson(ctx, tx, in, staff); !errors.Is(err, sql.ErrNoRows) {
			return p, err
		}
		// Another call created the person since the lookup: update theirs.
		cur, err = lockPerson(ctx, tx, in.ExternalID)
	}
	if err != nil {
		return Person{}, fmt.Errorf("store: lock person: %w", err)
	}
	full := in.onto(PersonInput{ExternalID: cur.ExternalID, Name: cur.Name, Locale: cur.Locale, TimeZone: cur.TimeZone})
	if err := full.normalize(); err != nil {
		return Person{}, err
	}
	err = tx.GetContext(ctx, &p, `
		UPDATE people SET name = $2, locale = $3, time_zone = $4, staff = COALESCE($5, staff), updated_at = now()
		WHERE id = $1 RETURNING `+personColumns, cur.ID, full.Name, full.Locale, full.TimeZone, staff)
	return p, wrapStore("update person", err)
}

func lockPerson(ctx context.Context, tx *sqlx.Tx, externalID string) (Person, error) {
	var p Person
	err := tx.GetContext(ctx, &p, `SELECT `+personColumns+` FROM people WHERE external_id = $1 FOR UPDATE`, externalID)
	return p, err
}

// insertPerson creates the person; sql.ErrNoRows means someone else just did.
func insertPerson(ctx context.Context, tx *sqlx.Tx, in PersonPatch, staff *bool) (Person, error) {
	if in.Name == nil {
		return Person{}, invalid("name", "required", "is required for a new person")
	}
	full := in.onto(PersonInput{ExternalID: in.ExternalID})
	if err := full.normalize(); err != nil {
		return Person{}, err
	}
	var p Person
	err := tx.GetContext(ctx, &p, `
		INSERT INTO people (external_id, name, locale, time_zone, staff) VALUES ($1, $2, $3, $4, COALESCE($5, false))
		ON CONFLICT (external_id) DO NOTHING
		RETURNING `+personColumns, full.ExternalID, full.Name, full.Locale, full.TimeZone, staff)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Person{}, fmt.Errorf("store: insert person: %w", err)
	}
	return p, err
}

// onto returns base with the patch's fields written over it, addresses aside.
func (in PersonPatch) onto(base PersonInput) PersonInput {
	setIf(&base.Name, in.Name)
	setIf(&base.Locale, in.Locale)
	setIf(&base.TimeZone, in.TimeZone)
	return base
}

// setIf writes *v to *dst when v is not nil: a field the caller left out
// keeps the value it had.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// replaceEmails makes emails the person's addresses. An address given
// without a verified flag keeps the one it has, or starts unverified.
func replaceEmails(ctx context.Context, tx *sqlx.Tx, personID int64, emails []EmailUpdate) ([]EmailAddress, error) {
	keep := make([]string, len(emails))
	for i, e := range emails {
		addr, err := NormalizeEmail(e.Address)
		if err != nil {
			return nil, err
		}
		keep[i] = addr
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM person_emails WHERE person_id = $1 AND NOT address = ANY($2)`,
		personID, pq.Array(keep))
	if err != nil {
		return nil, fmt.Errorf("store: delete old emails: %w", err)
	}
	for i, e := range emails {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO person_emails (address, person_id, verified) VALUES ($1, $2, COALESCE($3, false))
			ON CONFLICT (address) DO UPDATE SET verified = COALESCE($3, person_emails.verified)
			WHERE person_emails.person_id = EXCLUDED.person_id`, keep[i], personID, e.Verified)
		if err != nil {
			return nil, fmt.Errorf("store: upsert email: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, invalid("email address", "email_taken", "{value} belongs to another person", "value", keep[i])
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
