package web

import (
	"context"
	"errors"
	"net/http"

	"mailbot/threads"
)

// AdminKeyStore is what the admin's API-key page needs of the domain.
type AdminKeyStore interface {
	APIKeys(ctx context.Context) ([]threads.APIKey, error)
	CreateAPIKey(ctx context.Context, name string) (string, error)
	RevokeAPIKey(ctx context.Context, name string) error
}

var _ AdminKeyStore = (*threads.Store)(nil)

func (a *Admin) registerKeys(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/keys", a.staff(a.keysPage))
	mux.HandleFunc("POST /admin/keys", a.staff(a.createKey))
	mux.HandleFunc("GET /admin/keys/revoke", a.staff(a.confirmRevokeKey))
	mux.HandleFunc("POST /admin/keys/revoke", a.staff(a.revokeKey))
}

func (a *Admin) keysPage(w http.ResponseWriter, r *http.Request) {
	a.renderKeys(w, r, map[string]any{})
}

// renderKeys shows the keys with data's extras: a new key, or a problem
// with the form.
func (a *Admin) renderKeys(w http.ResponseWriter, r *http.Request, data map[string]any) {
	keys, err := a.keys.APIKeys(r.Context())
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	data["Keys"] = keys
	// The page may show a key once: no cache, no proxy, no back button keeps it.
	w.Header().Set("Cache-Control", "no-store")
	a.show(w, r, "adminkeys", "keys", data)
}

// createKey makes a key and shows it on the page it answers with, once:
// it is not put in a redirect's URL, where logs and history would keep it.
func (a *Admin) createKey(w http.ResponseWriter, r *http.Request) {
	name := r.PostFormValue("name")
	key, err := a.keys.CreateAPIKey(r.Context(), name)
	if errors.Is(err, threads.ErrInvalid) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		a.renderKeys(w, r, map[string]any{"Problem": invalidText(a.web.lang(r), err), "Name": name})
		return
	}
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	a.renderKeys(w, r, map[string]any{"NewKey": key, "NewName": name})
}

// confirmRevokeKey asks before revoking: whatever uses the key stops
// working at once.
func (a *Admin) confirmRevokeKey(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("name")
	l := a.web.lang(r)
	a.ask(w, r, "keys", confirmation{Title: l.T("admin.confirm.revoke_key.title", "name", name),
		Question: l.T("admin.confirm.revoke_key.what"), Details: []string{l.T("admin.confirm.undone")},
		Action: "/admin/keys/revoke", Fields: []field{{"name", name}},
		Button: l.T("admin.confirm.revoke_key.button", "name", name), Cancel: "/admin/keys"})
}

func (a *Admin) revokeKey(w http.ResponseWriter, r *http.Request) {
	if !confirmed(r) {
		a.confirmRevokeKey(w, r)
		return
	}
	name := r.PostFormValue("name")
	a.done(w, r, a.keys.RevokeAPIKey(r.Context(), name), "/admin/keys", "key_revoked", "name", name)
}
