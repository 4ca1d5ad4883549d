package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"

	"mailbot/threads"
)

// companyPage is the company's home: the Conversation button with what
// waits for this person, and the company's transactions. Each list opens
// at its newest; ?waiting=all and ?transactions=all show the rest.
func (s *Server) companyPage(w http.ResponseWriter, r *http.Request) {
	v, _ := viewerFrom(r.Context())
	companyID, err := pathID(r, "company")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	waiting, txns := homeWaiting, homeTransactions
	if q.Get("waiting") == "all" {
		waiting = math.MaxInt32
	}
	if q.Get("transactions") == "all" {
		txns = math.MaxInt32
	}
	home, err := s.store.CompanyHome(r.Context(), v.Person.ID, companyID, waiting, txns)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"Company": home.Company, "Unread": home.Unread, "Waiting": waitingRows(v.Clock, home.Waiting),
		"Transactions": txnRows(v.Clock, home.Transactions), "MoreTransactions": home.More}
	if home.Unread > len(home.Waiting) {
		data["MoreWaiting"] = home.Unread
	}
	if s.opts.Live != nil {
		data["Live"] = fmt.Sprintf("/companies/%d/events", home.ID)
	}
	s.render(w, r, "company", data)
}

// How many waiting messages and transactions the company home lists
// before a link to the rest: a busy company's home opens fast, and the
// Conversation count still counts everything.
const (
	homeWaiting      = 50
	homeTransactions = 100
)

// txnRows are the company's transactions as table rows: a link to each,
// its date, the other party and the amount.
func txnRows(c clock, txns []threads.Transaction) template.HTML {
	l := c.lang
	tdTxn, tdDate := labelledCell(l.T("col.transaction"), ""), labelledCell(l.T("col.date"), "")
	tdAmount := labelledCell(l.T("col.amount"), ` class="num"`)
	h := newHTMLBuf(len(txns) * 320)
	for _, t := range txns {
		h.raw("<tr>\n")
		h.raw(tdTxn)
		h.txnLink(t.CompanyID, t.ID, "", l.Kind(t.Kind), t.Number)
		h.raw("</td>\n")
		h.raw(tdDate)
		h.text(c.Date(t.Date))
		h.raw("</td>\n<td data-label=\"")
		h.text(l.Party(t.Kind))
		h.raw(`">`)
		h.text(t.Counterparty)
		h.raw("</td>\n")
		h.raw(tdAmount)
		h.text(l.Amount(t.AmountMinor, t.Currency))
		h.raw("</td>\n</tr>")
	}
	return h.html()
}

// waitingRows are the messages waiting for the viewer as table rows: the
// transaction each is on, who wrote it, its first line and when.
func waitingRows(c clock, ms []threads.WaitingMessage) template.HTML {
	l := c.lang
	tdTxn, tdFrom := labelledCell(l.T("col.transaction"), ""), labelledCell(l.T("col.from"), "")
	tdMsg, tdWhen := labelledCell(l.T("col.message"), ""), labelledCell(l.T("col.when"), "")
	h := newHTMLBuf(len(ms) * 400)
	for _, m := range ms {
		h.raw("<tr>\n")
		h.raw(tdTxn)
		h.txnLink(m.CompanyID, m.TransactionID, "#activities", l.Kind(m.TxnKind), m.TxnNumber)
		h.raw("</td>\n")
		h.raw(tdFrom)
		h.text(m.AuthorName)
		h.raw("</td>")
		h.raw(tdMsg)
		h.text(firstLine(m.Body))
		h.raw("</td>\n")
		h.raw(tdWhen)
		h.raw(`<time datetime="`)
		h.text(c.ISO(m.CreatedAt))
		h.raw(`">`)
		h.text(c.DateTime(m.CreatedAt))
		h.raw("</time></td>\n</tr>")
	}
	return h.html()
}

// labelledCell opens a table cell, with attrs, and the label a narrow
// screen shows beside its value: the same for every row, so written once.
func labelledCell(label, attrs string) string {
	return `<td data-label="` + string(appendEscaped(nil, label)) + `"` + attrs + `>`
}
