package web

import (
	"context"
	"net/http"
	"strings"

	"mailbot/threads"
)

// AdminEditStore is what the admin's edit forms need of the domain.
type AdminEditStore interface {
	UpsertCompany(ctx context.Context, externalID, name string) (threads.Company, error)
	UpsertPerson(ctx context.Context, in threads.PersonInput) (threads.Person, error)
	CompanyByExternalID(ctx context.Context, externalID string) (threads.Company, error)
	PersonByExternalID(ctx context.Context, externalID string) (threads.Person, error)
	SetMembership(ctx context.Context, companyID, personID int64, role threads.Role) error
	RemoveMembership(ctx context.Context, companyID, personID int64) error
	SetEmailVerified(ctx context.Context, address string, verified bool) error
	SetPasswordHash(ctx context.Context, personID int64, hash string) error
	SetOwnPasswordHash(ctx context.Context, session, hash string) error
	AllCompanies(ctx context.Context) ([]threads.Company, error)
}

var _ AdminEditStore = (*threads.Store)(nil)

func (a *Admin) registerEdits(mux *http.ServeMux) {
	mux.HandleFunc("POST /admin/companies", a.staff(a.saveCompany))
	mux.HandleFunc("POST /admin/people", a.staff(a.savePerson))
	mux.HandleFunc("POST /admin/memberships", a.staff(a.saveMembership))
	mux.HandleFunc("POST /admin/emails/verify", a.staff(a.verifyEmail))
	mux.HandleFunc("POST /admin/people/{id}/password", a.staff(a.setPassword))
}

func (a *Admin) saveCompany(w http.ResponseWriter, r *http.Request) {
	c, err := a.edit.UpsertCompany(r.Context(), strings.TrimSpace(r.PostFormValue("external_id")), r.PostFormValue("name"))
	a.done(w, r, "company "+c.Name+" saved", err)
}

// savePerson creates or updates a person; the addresses listed (comma or
// line separated) replace the old ones, verified when the box is ticked.
func (a *Admin) savePerson(w http.ResponseWriter, r *http.Request) {
	in := threads.PersonInput{ExternalID: strings.TrimSpace(r.PostFormValue("external_id")), Name: r.PostFormValue("name"),
		Locale: r.PostFormValue("locale"), TimeZone: r.PostFormValue("time_zone"), Staff: r.PostFormValue("staff") == "on"}
	verified := r.PostFormValue("verified") == "on"
	for _, addr := range strings.FieldsFunc(r.PostFormValue("emails"), func(c rune) bool { return c == ',' || c == '\n' || c == ' ' }) {
		in.Emails = append(in.Emails, threads.EmailAddress{Address: addr, Verified: verified})
	}
	p, err := a.edit.UpsertPerson(r.Context(), in)
	a.done(w, r, "person "+p.Name+" saved", err)
}

func (a *Admin) saveMembership(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := a.edit.CompanyByExternalID(ctx, strings.TrimSpace(r.PostFormValue("company")))
	var p threads.Person
	if err == nil {
		p, err = a.edit.PersonByExternalID(ctx, strings.TrimSpace(r.PostFormValue("person")))
	}
	role := r.PostFormValue("role")
	if err == nil && role == "remove" {
		err = a.edit.RemoveMembership(ctx, c.ID, p.ID)
	} else if err == nil {
		err = a.edit.SetMembership(ctx, c.ID, p.ID, threads.Role(role))
	}
	a.done(w, r, "membership of "+p.Name+" in "+c.Name+" saved", err)
}

func (a *Admin) verifyEmail(w http.ResponseWriter, r *http.Request) {
	addr := r.PostFormValue("address")
	a.done(w, r, addr+" verified", a.edit.SetEmailVerified(r.Context(), addr, true))
}

// setPassword sets a person's password and ends their sessions; staff
// setting their own keep the session they set it in.
func (a *Admin) setPassword(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var hash string
	if err == nil {
		hash, err = HashPassword(r.PostFormValue("password"))
	}
	v, _ := viewerFrom(r.Context())
	switch {
	case err != nil:
	case id == v.Person.ID:
		c, _ := r.Cookie(sessionCookie) // there: the request is signed in
		err = a.edit.SetOwnPasswordHash(r.Context(), c.Value, hash)
	default:
		err = a.edit.SetPasswordHash(r.Context(), id, hash)
	}
	a.done(w, r, "password set", err)
}
