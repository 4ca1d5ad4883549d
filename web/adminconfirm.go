package web

import "net/http"

// confirmation asks before an action that cannot be undone. It is a page
// of its own, so it works without JavaScript: its form posts the action
// again with its fields and confirm=yes. An action posted without confirm
// answers with this page and changes nothing.
type confirmation struct {
	Title    string
	Question string
	Details  []string
	Action   string // where the confirmed form posts
	Fields   []field
	Button   string
	Cancel   string // where Cancel leads back to
}

// field is a hidden form field the confirmed form posts again.
type field struct{ Name, Value string }

// confirmed reports whether the request carries the confirmation.
func confirmed(r *http.Request) bool {
	return r.PostFormValue("confirm") == "yes"
}

// ask shows the confirmation page under section of the sub-navigation.
func (a *Admin) ask(w http.ResponseWriter, r *http.Request, section string, c confirmation) {
	w.Header().Set("Cache-Control", "no-store")
	a.show(w, r, "adminconfirm", section, map[string]any{"Confirm": c})
}
