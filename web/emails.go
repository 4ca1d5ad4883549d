package web

import (
	"fmt"
	"net/http"
	"strings"

	"mailbot/i18n"
	"mailbot/threads"
)

// emailSwitch is the transaction page's word on emails: whether the viewer
// gets them, and who of the others turned them off.
type emailSwitch struct {
	Muted bool
	// Text says where the viewer stands; Others names who turned emails off.
	Text, Others string
}

// emailsFor says whether the viewer turned emails about the transaction
// off, and who else did, among the people of the company.
func (s *Server) emailsFor(r *http.Request, v viewer, txn threads.Transaction, members []threads.Member) (emailSwitch, error) {
	muted, err := s.store.Mutes(r.Context(), txn.ID)
	if err != nil {
		return emailSwitch{}, err
	}
	l := v.Lang
	var sw emailSwitch
	var others []string
	for _, id := range muted {
		if id == v.Person.ID {
			sw.Muted = true
			continue
		}
		for _, m := range members {
			if m.ID == id {
				others = append(others, m.Name)
			}
		}
	}
	kind := l.KindInSentence(txn.Kind)
	sw.Text = l.T("mute.on", "kind", kind)
	if sw.Muted {
		sw.Text = l.T("mute.off", "kind", kind)
	}
	if len(others) > 0 {
		sw.Others = l.T("mute.others", "names", joinNames(l, others), "kind", kind)
	}
	return sw, nil
}

func joinNames(l *i18n.Lang, names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return l.T("list.and", "first", strings.Join(names[:len(names)-1], ", "), "last", names[len(names)-1])
}

// setEmails turns the viewer's emails about the transaction off or back on.
func (s *Server) setEmails(w http.ResponseWriter, r *http.Request) {
	v, _ := viewerFrom(r.Context())
	txn, err := s.txnInPath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("emails") == "on" {
		err = s.store.Unmute(r.Context(), v.Person.ID, txn.ID)
	} else {
		err = s.store.Mute(r.Context(), v.Person.ID, txn.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/companies/%d/transactions/%d#emails", txn.CompanyID, txn.ID), http.StatusSeeOther)
}
