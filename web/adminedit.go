package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
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
	a.done(w, r, err, "/admin/people", "company_saved", "name", c.Name)
}

// personInput reads the person form; the addresses listed (comma or line
// separated) replace the old ones, verified when the box is ticked.
func personInput(r *http.Request) threads.PersonInput {
	in := threads.PersonInput{ExternalID: strings.TrimSpace(r.PostFormValue("external_id")), Name: r.PostFormValue("name"),
		Locale: r.PostFormValue("locale"), TimeZone: r.PostFormValue("time_zone"), Staff: r.PostFormValue("staff") == "on"}
	verified := r.PostFormValue("verified") == "on"
	for _, addr := range strings.FieldsFunc(r.PostFormValue("emails"), func(c rune) bool { return c == ',' || c == '\n' || c == ' ' }) {
		in.Emails = append(in.Emails, threads.EmailAddress{Address: addr, Verified: verified})
	}
	return in
}

// savePerson creates or updates a person. A change that takes something
// away (an address, staff rights) is asked about first.
func (a *Admin) savePerson(w http.ResponseWriter, r *http.Request) {
	in := personInput(r)
	dropped, unstaff, err := a.personLosses(r, &in)
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	if (len(dropped) > 0 || unstaff) && !confirmed(r) {
		a.confirmPerson(w, r, in, dropped, unstaff)
		return
	}
	p, err := a.edit.UpsertPerson(r.Context(), in)
	a.done(w, r, err, "/admin/people", "person_saved", "name", p.Name)
}

// personLosses is what saving in would take from the person as stored: the
// addresses the form leaves out, and staff rights. A new person loses
// nothing. An address the person keeps keeps its verification: the box
// verifies, it never takes verification away.
func (a *Admin) personLosses(r *http.Request, in *threads.PersonInput) (dropped []string, unstaff bool, err error) {
	cur, err := a.edit.PersonByExternalID(r.Context(), in.ExternalID)
	if errors.Is(err, threads.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	kept := map[string]bool{}
	for _, e := range in.Emails {
		if addr, err := threads.NormalizeEmail(e.Address); err == nil {
			kept[addr] = true
		}
	}
	for _, e := range cur.Emails {
		if !kept[e.Address] {
			dropped = append(dropped, e.Address)
		}
	}
	for i, e := range in.Emails {
		if addr, err := threads.NormalizeEmail(e.Address); err == nil && cur.HasVerifiedEmail(addr) {
			in.Emails[i].Verified = true
		}
	}
	return dropped, cur.Staff && !in.Staff, nil
}

func (a *Admin) confirmPerson(w http.ResponseWriter, r *http.Request, in threads.PersonInput, dropped []string, unstaff bool) {
	l := a.web.lang(r)
	c := confirmation{Title: l.T("admin.confirm.person.title", "name", in.Name), Action: "/admin/people",
		Button: l.T("admin.confirm.person.button"), Cancel: "/admin/people?edit=" + url.QueryEscape(in.ExternalID)}
	if len(dropped) > 0 {
		c.Details = append(c.Details, l.N("admin.confirm.person.drops", len(dropped), "list", strings.Join(dropped, ", "), "name", in.Name))
	}
	if unstaff {
		c.Details = append(c.Details, l.T("admin.confirm.person.unstaff", "name", in.Name))
	}
	for _, name := range []string{"external_id", "name", "emails", "verified", "locale", "time_zone", "staff"} {
		if v := r.PostFormValue(name); v != "" {
			c.Fields = append(c.Fields, field{name, v})
		}
	}
	a.ask(w, r, "people", c)
}

// saveMembership adds a person to a company with a role, changes the role,
// or, once confirmed, takes them out of it.
func (a *Admin) saveMembership(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := a.edit.CompanyByExternalID(ctx, strings.TrimSpace(r.PostFormValue("company")))
	var p threads.Person
	if err == nil {
		p, err = a.edit.PersonByExternalID(ctx, strings.TrimSpace(r.PostFormValue("person")))
	}
	role := r.PostFormValue("role")
	switch {
	case err != nil:
	case role == "remove" && !confirmed(r):
		a.confirmRemoval(w, r, c, p)
		return
	case role == "remove":
		err = a.edit.RemoveMembership(ctx, c.ID, p.ID)
		a.done(w, r, err, "/admin/people", "membership_removed", "person", p.Name, "company", c.Name)
		return
	default:
		err = a.edit.SetMembership(ctx, c.ID, p.ID, threads.Role(role))
	}
	a.done(w, r, err, "/admin/people", "membership_saved", "person", p.Name, "company", c.Name)
}

func (a *Admin) confirmRemoval(w http.ResponseWriter, r *http.Request, c threads.Company, p threads.Person) {
	l := a.web.lang(r)
	a.ask(w, r, "people", confirmation{Title: l.T("admin.confirm.remove_member.title", "person", p.Name, "company", c.Name),
		Question: l.T("admin.confirm.remove_member.what", "person", p.Name, "company", c.Name), Action: "/admin/memberships",
		Fields: []field{{"company", c.ExternalID}, {"person", p.ExternalID}, {"role", "remove"}},
		Button: l.T("admin.confirm.remove_member.button"), Cancel: "/admin/people"})
}

func (a *Admin) verifyEmail(w http.ResponseWriter, r *http.Request) {
	addr := r.PostFormValue("address")
	a.done(w, r, a.edit.SetEmailVerified(r.Context(), addr, true), "/admin/people", "email_verified", "address", addr)
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
	a.done(w, r, err, "/admin/people", "password_set")
}
