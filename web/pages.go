package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"mailbot/i18n"
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
	var thread []threads.Message
	earlier := 0
	if r.URL.Query().Get("all") != "" {
		thread, err = s.store.Thread(r.Context(), v.Person.ID, txn.ID)
	} else {
		thread, earlier, err = s.store.ThreadNewest(r.Context(), v.Person.ID, txn.ID, threadPage)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// A page that refreshes itself in a background tab has not been read.
	if r.Method == http.MethodGet && r.Header.Get("X-Mailbot-Live") != "hidden" {
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
	filesPath := fmt.Sprintf("/companies/%d/transactions/%d/files/", company.ID, txn.ID)
	l := v.Lang
	data := map[string]any{"Company": company, "Txn": txn, "Thread": threadHTML(l, activities(thread, v.Clock, txn.Kind, filesPath)),
		"Earlier": earlier,
		"Amount":  l.Amount(txn.AmountMinor, txn.Currency), "Recipient": defaultRecipient(thread, v.Person.ID),
		"PostKey": newPostKey(), "FileLimits": limitsText(l, s.store.FileLimits())}
	if s.opts.Live != nil {
		data["Live"] = fmt.Sprintf("/companies/%d/transactions/%d/events", company.ID, txn.ID)
	}
	if data["Emails"], err = s.emailsFor(r, v, txn, members); err != nil {
		s.fail(w, r, err)
		return
	}
	if txn.Kind.AllowsConversation() != nil {
		data["Refusal"] = refusal{Title: l.T("refused.title", "kinds", l.KindPlural(txn.Kind)),
			Why: l.T("refused.why", "kinds", l.KindPlural(txn.Kind)), Instead: l.T("refused.instead", "company", company.Name)}
	}
	for k, val := range form {
		data[k] = val
	}
	selected, _ := data["Recipient"].(int64)
	data["Recipients"] = recipientOptions(l, others, selected)
	w.WriteHeader(code)
	s.render(w, r, "transaction", data)
}

// threadPage is how many of the newest messages a transaction page shows
// unless asked for all: long threads open fast, and the rest is a click away.
const threadPage = 100

// refusal explains, in the reader's language, why a kind of transaction
// has no conversation and what to do instead.
type refusal struct{ Title, Why, Instead string }

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

// recipientOptions are the post form's choices of recipient, each a
// person of the company with their role, selected preselected. Written by
// hand like the thread (see htmlBuf): a company may have many people.
func recipientOptions(l *i18n.Lang, people []threads.Member, selected int64) template.HTML {
	h := newHTMLBuf(len(people) * 80)
	accountant, client := l.T("role.accountant"), l.T("role.client")
	for _, p := range people {
		role := client
		if p.Role == threads.RoleAccountant {
			role = accountant
		}
		h.raw(`<option value="`)
		h.int(p.ID)
		h.raw(`"`)
		if p.ID == selected {
			h.raw(" selected")
		}
		h.raw(">")
		h.text(p.Name)
		h.raw(" (")
		h.text(role)
		h.raw(")</option>")
	}
	return h.html()
}

// viewTransaction loads the transaction in the path for the viewer, and
// its company; not found as for txnInPath.
func (s *Server) viewTransaction(r *http.Request) (threads.Transaction, threads.Company, error) {
	v, _ := viewerFrom(r.Context())
	companyID, txnID, err := txnPath(r)
	if err != nil {
		return threads.Transaction{}, threads.Company{}, err
	}
	txn, company, err := s.store.TransactionWithCompany(r.Context(), v.Person.ID, txnID)
	if err == nil && txn.CompanyID != companyID {
		err = fmt.Errorf("transaction: %w", threads.ErrNotFound)
	}
	return txn, company, err
}

// txnInPath loads the transaction in the path for the viewer; it is not
// found unless it belongs to the company in the path and the viewer belongs
// to that company.
func (s *Server) txnInPath(r *http.Request) (threads.Transaction, error) {
	v, _ := viewerFrom(r.Context())
	companyID, txnID, err := txnPath(r)
	if err != nil {
		return threads.Transaction{}, err
	}
	txn, err := s.store.Transaction(r.Context(), v.Person.ID, txnID)
	if err == nil && txn.CompanyID != companyID {
		err = fmt.Errorf("transaction: %w", threads.ErrNotFound)
	}
	return txn, err
}

// txnPath is the company and transaction ids in the path.
func txnPath(r *http.Request) (companyID, txnID int64, err error) {
	if companyID, err = pathID(r, "company"); err != nil {
		return 0, 0, err
	}
	txnID, err = pathID(r, "txn")
	return companyID, txnID, err
}
