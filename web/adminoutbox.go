package web

import (
	"fmt"
	"net/http"
	"strconv"

	"mailbot/threads"
)

func (a *Admin) registerOutbox(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/outbox", a.staff(a.outboxPage))
	mux.HandleFunc("POST /admin/outbox/{id}/retry", a.staff(a.retry))
	mux.HandleFunc("GET /admin/outbox/retry-failed", a.staff(a.confirmRetryFailed))
	mux.HandleFunc("POST /admin/outbox/retry-failed", a.staff(a.retryFailed))
}

// outboxStatuses are the outbox's statuses in the order the filter lists
// them.
var outboxStatuses = []string{threads.OutboxPending, threads.OutboxFailed, threads.OutboxBounced, threads.OutboxMuted,
	threads.OutboxSent}

// statusKey is the catalogue's key for an outbox status.
func statusKey(status string) string { return "admin.status." + status }

// statusLink is one entry of the outbox's status filter.
type statusLink struct {
	Label, URL string
	Count      int
	Current    bool
}

// outboxRow is an email of the outbox as staff read it: its subject as the
// recipient got it, its transaction, and its times in the reader's zone.
type outboxRow struct {
	threads.OutboxRow
	Subject, What, Status        string
	TxnTitle, TxnURL             string
	Created, Sent, Next, Bounced string
}

func (a *Admin) outboxPage(w http.ResponseWriter, r *http.Request) {
	v, _ := viewerFrom(r.Context())
	status := r.URL.Query().Get("status")
	list, err := a.store.OutboxList(r.Context(), status, 100)
	var counts map[string]int
	if err == nil {
		counts, err = a.store.OutboxCounts(r.Context())
	}
	var failing []threads.FailingAddress
	if err == nil {
		failing, err = a.store.FailingAddresses(r.Context())
	}
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	rows := make([]outboxRow, len(list))
	for i, o := range list {
		rows[i] = a.outboxRow(v, o)
	}
	a.show(w, r, "adminoutbox", "outbox", map[string]any{"Rows": rows, "Statuses": a.statusLinks(v, counts, status),
		"Failed": counts[threads.OutboxFailed], "Failing": failing})
}

func (a *Admin) statusLinks(v viewer, counts map[string]int, current string) []statusLink {
	total := 0
	for _, n := range counts {
		total += n
	}
	out := []statusLink{{Label: v.Lang.T("admin.outbox.all"), URL: "/admin/outbox", Count: total, Current: current == ""}}
	for _, s := range outboxStatuses {
		out = append(out, statusLink{Label: v.Lang.T(statusKey(s)), URL: "/admin/outbox?status=" + s,
			Count: counts[s], Current: current == s})
	}
	return out
}

// outboxRow words one email. Its subject is the one it is sent with, in
// the recipient's language; the rest is in the reader's.
func (a *Admin) outboxRow(v viewer, o threads.OutboxRow) outboxRow {
	l, theirs := v.Lang, a.web.cat.Lang(o.RecipientLocale)
	row := outboxRow{OutboxRow: o, Status: l.T(statusKey(o.Status)), Created: v.Clock.DateTime(o.CreatedAt)}
	if o.Kind == "rejection_notice" {
		row.Subject = theirs.T("notice.subject")
		row.What = l.T("admin.outbox.notice", "reason", verdictOf(l, o.Reason).Name)
	} else {
		row.Subject = theirs.Subject(o.TxnKind, o.TxnNumber, o.CompanyName, o.Position > 0)
		row.What = l.T("admin.outbox.notification")
	}
	if o.TransactionID != 0 {
		row.TxnTitle = l.Kind(o.TxnKind) + " " + o.TxnNumber
		row.TxnURL = fmt.Sprintf("/companies/%d/transactions/%d", o.CompanyID, o.TransactionID)
	}
	if o.SentAt != nil {
		row.Sent = v.Clock.DateTime(*o.SentAt)
	}
	if o.BouncedAt != nil {
		row.Bounced = v.Clock.DateTime(*o.BouncedAt)
	}
	if o.Status == threads.OutboxPending {
		row.Next = v.Clock.DateTime(o.NextAttemptAt)
	}
	return row
}

func (a *Admin) retry(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = a.store.RetryOutbox(r.Context(), id)
	}
	a.done(w, r, err, "/admin/outbox", "retried", "id", strconv.FormatInt(id, 10))
}

// confirmRetryFailed asks before queueing every failed email again: those
// that failed for a reason that still holds go out, and fail, once more.
func (a *Admin) confirmRetryFailed(w http.ResponseWriter, r *http.Request) {
	counts, err := a.store.OutboxCounts(r.Context())
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	l := a.web.lang(r)
	n := counts[threads.OutboxFailed]
	a.ask(w, r, "outbox", confirmation{Title: l.T("admin.confirm.retry_all.title"),
		Question: l.N("admin.confirm.retry_all.what", n), Details: []string{l.T("admin.confirm.retry_all.again")},
		Action: "/admin/outbox/retry-failed", Button: l.T("admin.confirm.retry_all.button"), Cancel: "/admin/outbox?status=failed"})
}

// retryFailed queues every failed notification again, as after a relay
// problem that failed them, once confirmed.
func (a *Admin) retryFailed(w http.ResponseWriter, r *http.Request) {
	if !confirmed(r) {
		a.confirmRetryFailed(w, r)
		return
	}
	n, err := a.store.RetryFailedOutbox(r.Context())
	a.done(w, r, err, "/admin/outbox", "retried_all", "n", strconv.FormatInt(n, 10))
}
