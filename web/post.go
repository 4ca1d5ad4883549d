package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

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
	if f := failureOf(err); err != nil && f.Status != http.StatusInternalServerError && f.Status != http.StatusNotFound {
		msg := f.Page
		if len(form.files) > 0 {
			msg += " Choose the files again."
		}
		s.showTransaction(w, r, f.Status, map[string]any{"Error": msg, "Body": body, "Recipient": recipient, "PostKey": key})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/companies/%d/transactions/%d#m%d", company.ID, txn.ID, m.ID), http.StatusSeeOther)
}

// limitsText tells the person posting what files the form takes.
func limitsText(l threads.FileLimits) string {
	return fmt.Sprintf("Up to %d files, %s each, %s in all. Programs and scripts are not accepted.",
		l.MaxFiles, threads.FormatSize(l.MaxFileBytes), threads.FormatSize(l.MaxTotalBytes))
}
