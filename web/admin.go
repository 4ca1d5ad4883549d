package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"mailbot/threads"
)

// AdminStore is what the admin view needs of the domain.
type AdminStore interface {
	InboundLog(ctx context.Context, f threads.InboundFilter) ([]threads.InboundRow, error)
	InboundRaw(ctx context.Context, id int64) ([]byte, string, error)
	OutboxList(ctx context.Context, status string, limit int) ([]threads.OutboxRow, error)
	RetryOutbox(ctx context.Context, outboxID int64) error
	RetryFailedOutbox(ctx context.Context) (int64, error)
	OutboxLag(ctx context.Context) (time.Duration, error)
	FailingAddresses(ctx context.Context) ([]threads.FailingAddress, error)
	LastDay(ctx context.Context) (threads.DayCounts, error)
	AllPeople(ctx context.Context) ([]threads.Person, error)
	RevokeReplyTokens(ctx context.Context, personID int64) (int64, error)
}

var _ AdminStore = (*threads.Store)(nil)

// IntakeStatus is what the health section shows of the IMAP intake.
type IntakeStatus struct {
	Configured bool
	Active     bool
	Connected  bool
	LastSync   time.Time
	LastError  string
}

// RelayStatus is what the health section shows of the outgoing SMTP relay.
type RelayStatus struct {
	LastSent    time.Time
	LastError   string
	LastErrorAt time.Time
	// Down: a problem of the relay's own (TLS, AUTH) holds every
	// notification back until RetryAt.
	Down    bool
	RetryAt time.Time
}

// AdminOptions connect the admin view to the parts outside the web.
type AdminOptions struct {
	// Reprocess runs a logged mail through the pipeline again and returns
	// its new verdict.
	Reprocess func(ctx context.Context, inboundID int64) (string, error)
	// Intake reports the IMAP intake; nil when there is none.
	Intake func() IntakeStatus
	// Relay reports the outgoing relay as this process's workers see it;
	// nil when there are none.
	Relay func() RelayStatus
	// Ready is the check behind /readyz, shown to staff with its detail;
	// nil leaves it out.
	Ready ReadyFunc
}

// Admin serves /admin to staff only.
type Admin struct {
	web   *Server
	store AdminStore
	edit  AdminEditStore
	keys  AdminKeyStore
	opts  AdminOptions
}

// NewAdmin returns the admin view; its pages render through s.
func NewAdmin(s *Server, store interface {
	AdminStore
	AdminEditStore
	AdminKeyStore
}, opts AdminOptions) *Admin {
	return &Admin{web: s, store: store, edit: store, keys: store, opts: opts}
}

// Register adds the admin routes to mux.
func (a *Admin) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin", a.staff(a.page))
	mux.HandleFunc("GET /admin/inbound/{id}", a.staff(a.raw))
	mux.HandleFunc("POST /admin/inbound/{id}/reprocess", a.staff(a.reprocess))
	mux.HandleFunc("POST /admin/outbox/{id}/retry", a.staff(a.retry))
	mux.HandleFunc("POST /admin/outbox/retry-failed", a.staff(a.retryFailed))
	mux.HandleFunc("POST /admin/people/{id}/revoke-tokens", a.staff(a.revoke))
	a.registerEdits(mux)
	a.registerKeys(mux)
}

// staff lets only staff through; anyone else gets the same not-found as a
// missing page.
func (a *Admin) staff(h http.HandlerFunc) http.HandlerFunc {
	return a.web.signedIn(func(w http.ResponseWriter, r *http.Request) {
		if v, _ := viewerFrom(r.Context()); !v.Person.Staff {
			a.web.fail(w, r, fmt.Errorf("admin: %w", threads.ErrNotFound))
			return
		}
		h(w, r)
	})
}

func (a *Admin) page(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := threads.InboundFilter{Verdict: q.Get("verdict"), Sender: q.Get("sender")}
	if d, err := time.Parse(time.DateOnly, q.Get("date")); err == nil {
		f.Since, f.Until = d, d.Add(24*time.Hour)
	}
	inbound, err := a.store.InboundLog(r.Context(), f)
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	outbox, err := a.store.OutboxList(r.Context(), q.Get("outbox"), 50)
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	day, err := a.store.LastDay(r.Context())
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	lag, _ := a.store.OutboxLag(r.Context())
	failing, err := a.store.FailingAddresses(r.Context())
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	people, _ := a.store.AllPeople(r.Context())
	companies, _ := a.edit.AllCompanies(r.Context())
	intake := IntakeStatus{}
	if a.opts.Intake != nil {
		intake = a.opts.Intake()
	}
	var relay *RelayStatus
	if a.opts.Relay != nil {
		st := a.opts.Relay()
		relay = &st
	}
	a.web.render(w, r, "admin", map[string]any{"Inbound": inbound, "Outbox": outbox, "Day": day,
		"Lag": lag.Round(time.Second), "Intake": intake, "Ready": a.readiness(r.Context()), "People": people,
		"Companies": companies, "Filter": f, "Date": q.Get("date"), "OutboxStatus": q.Get("outbox"), "Flash": q.Get("done"),
		"Failing": failing, "Relay": relay})
}

// readiness is what /readyz would answer, with the detail it leaves out.
func (a *Admin) readiness(ctx context.Context) string {
	if a.opts.Ready == nil {
		return ""
	}
	reason, err := a.opts.Ready(ctx)
	switch {
	case reason == "":
		return "ready"
	case err != nil:
		return "not ready (" + reason + "): " + err.Error()
	}
	return "not ready (" + reason + ")"
}

// raw shows a logged mail's source as plain text, never as HTML.
func (a *Admin) raw(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	raw, _, err := a.store.InboundRaw(r.Context(), id)
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", "inline")
	w.Write(raw)
}

func (a *Admin) reprocess(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil && a.opts.Reprocess == nil {
		err = fmt.Errorf("reprocessing needs the mail intake: %w", threads.ErrNotFound)
	}
	var verdict string
	if err == nil {
		verdict, err = a.opts.Reprocess(r.Context(), id)
	}
	a.done(w, r, fmt.Sprintf("mail %d reprocessed: %s", id, verdict), err)
}

func (a *Admin) retry(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = a.store.RetryOutbox(r.Context(), id)
	}
	a.done(w, r, fmt.Sprintf("email %d queued again", id), err)
}

// retryFailed queues every failed notification again, as after a relay
// problem that failed them.
func (a *Admin) retryFailed(w http.ResponseWriter, r *http.Request) {
	n, err := a.store.RetryFailedOutbox(r.Context())
	a.done(w, r, strconv.FormatInt(n, 10)+" failed emails queued again", err)
}

func (a *Admin) revoke(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var n int64
	if err == nil {
		n, err = a.store.RevokeReplyTokens(r.Context(), id)
	}
	a.done(w, r, "revoked "+strconv.FormatInt(n, 10)+" reply addresses", err)
}

func (a *Admin) done(w http.ResponseWriter, r *http.Request, msg string, err error) {
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin?done="+url.QueryEscape(msg), http.StatusSeeOther)
}
