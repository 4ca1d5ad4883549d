package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"mailbot/threads"
)

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%s id: %w", name, threads.ErrNotFound)
	}
	return id, nil
}

// firmPage lists every company of the person with the messages waiting.
func (s *Server) firmPage(w http.ResponseWriter, r *http.Request) {
	v, _ := viewerFrom(r.Context())
	counts, err := s.store.UnreadCounts(r.Context(), v.Person.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(counts) == 1 {
		http.Redirect(w, r, fmt.Sprintf("/companies/%d", counts[0].ID), http.StatusSeeOther)
		return
	}
	s.render(w, r, "firm", map[string]any{"Companies": counts})
}

// companyPage is the company's home: the Conversation button with what
// waits for this person, and the company's transactions.
func (s *Server) companyPage(w http.ResponseWriter, r *http.Request) {
	v, _ := viewerFrom(r.Context())
	companyID, err := pathID(r, "company")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	txns, err := s.store.CompanyTransactions(r.Context(), v.Person.ID, companyID, 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	company, err := s.store.Company(r.Context(), companyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	waiting, err := s.store.WaitingMessages(r.Context(), v.Person.ID, companyID, 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "company", map[string]any{"Company": company, "Waiting": waiting, "Transactions": txns})
}

// transactionPage shows the transaction, its Activities and the post form,
// and marks what waited there for this person as read.
func (s *Server) transactionPage(w http.ResponseWriter, r *http.Request) {
	s.showTransaction(w, r, http.StatusOK, nil)
}

func (s *Server) showTransaction(w http.ResponseWriter, r *http.Request, code int, form map[string]any) {
	v, _ := viewerFrom(r.Context())
	txn, company, err := s.viewTransaction(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	thread, err := s.store.Thread(r.Context(), v.Person.ID, txn.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.Method == http.MethodGet {
		if _, err := s.store.MarkRead(r.Context(), v.Person.ID, txn.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	members, err := s.store.Members(r.Context(), company.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var others []threads.Member
	for _, m := range members {
		if m.ID != v.Person.ID {
			others = append(others, m)
		}
	}
	data := map[string]any{"Company": company, "Txn": txn, "Thread": activities(thread, v.Clock), "Recipients": others,
		"Amount": txn.AmountString(), "Recipient": defaultRecipient(thread, v.Person.ID), "PostKey": newPostKey()}
	if err := txn.Kind.AllowsConversation(); err != nil {
		data["Refusal"] = err.Error()
	}
	for k, val := range form {
		data[k] = val
	}
	w.WriteHeader(code)
	s.render(w, r, "transaction", data)
}

// newPostKey is a fresh key for a message form.
func newPostKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "form-" + hex.EncodeToString(b)
}

// defaultRecipient preselects whoever last wrote to the viewer.
func defaultRecipient(thread []threads.Message, viewerID int64) int64 {
	for i := len(thread) - 1; i >= 0; i-- {
		if thread[i].RecipientID == viewerID {
			return thread[i].AuthorID
		}
	}
	return 0
}

// viewTransaction loads the transaction in the path for the viewer; it is
// not found unless it belongs to the company in the path and the viewer
// belongs to that company.
func (s *Server) viewTransaction(r *http.Request) (threads.Transaction, threads.Company, error) {
	v, _ := viewerFrom(r.Context())
	companyID, err := pathID(r, "company")
	if err != nil {
		return threads.Transaction{}, threads.Company{}, err
	}
	txnID, err := pathID(r, "txn")
	if err != nil {
		return threads.Transaction{}, threads.Company{}, err
	}
	txn, err := s.store.Transaction(r.Context(), v.Person.ID, txnID)
	if err == nil && txn.CompanyID != companyID {
		err = fmt.Errorf("transaction: %w", threads.ErrNotFound)
	}
	if err != nil {
		return threads.Transaction{}, threads.Company{}, err
	}
	company, err := s.store.Company(r.Context(), companyID)
	return txn, company, err
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	v, _ := viewerFrom(r.Context())
	txn, company, err := s.viewTransaction(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body := strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n")
	recipient, _ := strconv.ParseInt(r.PostFormValue("recipient"), 10, 64)
	// The form carries a key made when it was shown, so sending it twice
	// (a double click, a resubmitted page) posts once.
	key := r.PostFormValue("post_key")
	m, err := s.store.PostMessage(r.Context(), threads.NewMessage{TransactionID: txn.ID, AuthorID: v.Person.ID,
		RecipientID: recipient, Body: body, Source: threads.SourceWeb, Key: key})
	if code, msg := status(err); err != nil && code != http.StatusInternalServerError && code != http.StatusNotFound {
		s.showTransaction(w, r, code, map[string]any{"Error": msg, "Body": body, "Recipient": recipient, "PostKey": key})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/companies/%d/transactions/%d#m%d", company.ID, txn.ID, m.ID), http.StatusSeeOther)
}

// activity is one message as the page shows it, formatted up front: long
// threads render several times faster than with calls in the template.
type activity struct {
	ID                int64
	Author, Recipient string
	When, ISO         string
	ByEmail           bool
	// Sender says, for an email, whether its sender was authenticated.
	Sender       string
	Body, Elided string
}

// senderText words what vouched for an emailed message's sender.
func senderText(code string) string {
	switch code {
	case "dmarc", "dkim", "spf":
		return "sender verified by " + strings.ToUpper(code)
	case "fail":
		return "sender authentication failed"
	case "none":
		return "sender not verified"
	}
	return ""
}

func activities(thread []threads.Message, c clock) []activity {
	out := make([]activity, len(thread))
	for i, m := range thread {
		out[i] = activity{ID: m.ID, Author: m.AuthorName, Recipient: m.RecipientName, When: c.DateTime(m.CreatedAt),
			ISO: c.ISO(m.CreatedAt), ByEmail: m.Source == threads.SourceEmail, Sender: senderText(m.SenderAuth),
			Body: m.Body, Elided: m.Elided}
	}
	return out
}
