package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"mailbot/i18n"
	"mailbot/threads"
)

// postMessage posts the form of the transaction page: a message, its files,
// or both. A refused post shows the page again with what was typed.
func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	v, _ := viewerFrom(r.Context())
	txn, company, err := s.viewTransaction(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form, err := readForm(w, r, s.store.FileLimits())
	body := strings.ReplaceAll(form.fields.Get("body"), "\r\n", "\n")
	recipient, _ := strconv.ParseInt(form.fields.Get("recipient"), 10, 64)
	// The form carries a key made when it was shown, so sending it twice
	// (a double click, a resubmitted page) posts once.
	key := form.fields.Get("post_key")
	var m threads.Message
	if err == nil {
		m, err = s.store.PostMessage(r.Context(), threads.NewMessage{TransactionID: txn.ID, AuthorID: v.Person.ID,
			RecipientID: recipient, Body: body, Source: threads.SourceWeb, Key: key, Files: form.files})
	}
	if code, _, msg := pageFailure(v.Lang, err); err != nil && code != http.StatusInternalServerError && code != http.StatusNotFound {
		if len(form.files) > 0 {
			msg += " " + v.Lang.T("form.choose_again")
		}
		s.showTransaction(w, r, code, map[string]any{"Error": msg, "Body": body, "Recipient": recipient, "PostKey": key})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/companies/%d/transactions/%d#m%d", company.ID, txn.ID, m.ID), http.StatusSeeOther)
}

// limitsText tells the person posting what files the form takes.
func limitsText(l *i18n.Lang, lim threads.FileLimits) string {
	return l.T("form.limits", "max", l.Int(int64(lim.MaxFiles)), "size", l.Size(lim.MaxFileBytes), "total", l.Size(lim.MaxTotalBytes))
}
