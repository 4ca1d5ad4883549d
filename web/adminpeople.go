package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"mailbot/threads"
)

func (a *Admin) registerPeople(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/people", a.staff(a.peoplePage))
	mux.HandleFunc("GET /admin/people/{id}/revoke-tokens", a.staff(a.confirmRevoke))
	mux.HandleFunc("POST /admin/people/{id}/revoke-tokens", a.staff(a.revoke))
}

// personForm is what the add-or-edit form shows: empty, or the person
// named by ?edit= to change.
type personForm struct {
	ExternalID, Name, Emails, Locale, TimeZone string
	Verified, Staff                            bool
}

func formOf(p threads.Person) personForm {
	f := personForm{ExternalID: p.ExternalID, Name: p.Name, Locale: p.Locale, TimeZone: p.TimeZone, Staff: p.Staff,
		Verified: len(p.Emails) > 0}
	addrs := make([]string, len(p.Emails))
	for i, e := range p.Emails {
		addrs[i] = e.Address
		f.Verified = f.Verified && e.Verified
	}
	f.Emails = strings.Join(addrs, ", ")
	return f
}

// peoplePage lists everyone with their addresses and the actions on each,
// and the forms that add or change people, companies and memberships.
func (a *Admin) peoplePage(w http.ResponseWriter, r *http.Request) {
	people, err := a.store.AllPeople(r.Context())
	var companies []threads.Company
	if err == nil {
		companies, err = a.edit.AllCompanies(r.Context())
	}
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	form := personForm{Locale: "en", TimeZone: "UTC"}
	if id := r.URL.Query().Get("edit"); id != "" {
		p, err := a.edit.PersonByExternalID(r.Context(), id)
		if err != nil {
			a.web.fail(w, r, err)
			return
		}
		form = formOf(p)
	}
	a.show(w, r, "adminpeople", "people", map[string]any{"People": people, "Companies": companies, "Form": form,
		"Locales": a.web.cat.Codes()})
}

// confirmRevoke asks before revoking a person's reply addresses: replies
// to every email they were sent are refused from then on.
func (a *Admin) confirmRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var p threads.Person
	if err == nil {
		p, err = a.store.Person(r.Context(), id)
	}
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	l := a.web.lang(r)
	a.ask(w, r, "people", confirmation{Title: l.T("admin.confirm.revoke_tokens.title", "name", p.Name),
		Question: l.T("admin.confirm.revoke_tokens.what", "name", p.Name), Details: []string{l.T("admin.confirm.undone")},
		Action: fmt.Sprintf("/admin/people/%d/revoke-tokens", p.ID), Button: l.T("admin.confirm.revoke_tokens.button"),
		Cancel: "/admin/people"})
}

func (a *Admin) revoke(w http.ResponseWriter, r *http.Request) {
	if !confirmed(r) {
		a.confirmRevoke(w, r)
		return
	}
	id, err := pathID(r, "id")
	var p threads.Person
	if err == nil {
		p, err = a.store.Person(r.Context(), id)
	}
	var n int64
	if err == nil {
		n, err = a.store.RevokeReplyTokens(r.Context(), id)
	}
	a.done(w, r, err, "/admin/people", "revoked_tokens", "n", strconv.FormatInt(n, 10), "name", p.Name)
}
