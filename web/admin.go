package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"mailbot/i18n"
	"mailbot/threads"
)

// AdminStore is what the admin view needs of the domain.
type AdminStore interface {
	InboundLog(ctx context.Context, f threads.InboundFilter) ([]threads.InboundRow, error)
	InboundVerdictCounts(ctx context.Context, f threads.InboundFilter) ([]threads.VerdictCount, error)
	InboundRaw(ctx context.Context, id int64) ([]byte, string, error)
	OutboxList(ctx context.Context, status string, limit int) ([]threads.OutboxRow, error)
	OutboxCounts(ctx context.Context) (map[string]int, error)
	RetryOutbox(ctx context.Context, outboxID int64) error
	RetryFailedOutbox(ctx context.Context) (int64, error)
	OutboxLag(ctx context.Context) (time.Duration, error)
	FailingAddresses(ctx context.Context) ([]threads.FailingAddress, error)
	LastDay(ctx context.Context) (threads.DayCounts, error)
	AllPeople(ctx context.Context) ([]threads.Person, error)
	Person(ctx context.Context, id int64) (threads.Person, error)
	RevokeReplyTokens(ctx context.Context, personID int64) (int64, error)
}

var _ AdminStore = (*threads.Store)(nil)

// IntakeStatus is what the health page shows of the IMAP intake.
type IntakeStatus struct {
	Configured bool
	Active     bool
	Connected  bool
	LastSync   time.Time
	LastError  string
}

// RelayStatus is what the health page shows of the outgoing SMTP relay.
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

// Admin serves the /admin pages to staff only: health, inbound mail,
// outbox, people and API keys.
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
	mux.HandleFunc("GET /admin", a.staff(a.healthPage))
	a.registerInbound(mux)
	a.registerOutbox(mux)
	a.registerPeople(mux)
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

// show renders an admin page: wide, with the sub-navigation marking
// section, and the flash of the action that led here.
func (a *Admin) show(w http.ResponseWriter, r *http.Request, page, section string, data map[string]any) {
	data["Section"] = section
	data["Wide"] = true
	if msg := flash(a.web.lang(r), r.URL.Query()); msg != "" {
		data["Flash"] = msg
	}
	a.web.render(w, r, page, data)
}

// healthPage is /admin: readiness, the intakes, the relay, the last day
// in numbers and what waits in the outbox. An /admin link with the inbound
// or outbox filters (?verdict=, ?sender=, ?date=, ?outbox=) goes to the
// page that has them.
func (a *Admin) healthPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Has("verdict") || q.Has("sender") || q.Has("date"):
		http.Redirect(w, r, "/admin/inbound?"+r.URL.RawQuery, http.StatusSeeOther)
		return
	case q.Has("outbox"):
		http.Redirect(w, r, "/admin/outbox?"+url.Values{"status": {q.Get("outbox")}}.Encode(), http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	day, err := a.store.LastDay(ctx)
	var outbox map[string]int
	if err == nil {
		outbox, err = a.store.OutboxCounts(ctx)
	}
	var failing []threads.FailingAddress
	if err == nil {
		failing, err = a.store.FailingAddresses(ctx)
	}
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	lag, _ := a.store.OutboxLag(ctx)
	data := map[string]any{"Day": day, "Lag": lag.Round(time.Second).String(), "Outbox": outbox,
		"Failing": len(failing), "Intake": IntakeStatus{}, "Ready": a.readiness(ctx, a.web.lang(r))}
	if a.opts.Intake != nil {
		data["Intake"] = a.opts.Intake()
	}
	if a.opts.Relay != nil {
		st := a.opts.Relay()
		data["Relay"] = &st
	}
	a.show(w, r, "admin", "health", data)
}

// readiness is what /readyz would answer, with the detail it leaves out.
func (a *Admin) readiness(ctx context.Context, l *i18n.Lang) string {
	if a.opts.Ready == nil {
		return ""
	}
	reason, err := a.opts.Ready(ctx)
	switch {
	case reason == "":
		return l.T("admin.health.ready")
	case err != nil:
		return l.T("admin.health.not_ready_detail", "reason", reason, "detail", err.Error())
	}
	return l.T("admin.health.not_ready", "reason", reason)
}

// done answers an action: the error page when it failed, else a redirect
// to page with a flash saying what was done. The flash travels as a code
// and its values, so the page words it in the reader's language.
func (a *Admin) done(w http.ResponseWriter, r *http.Request, err error, page, code string, args ...string) {
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	q := url.Values{"done": {code}}
	for i := 0; i+1 < len(args); i += 2 {
		q.Set(args[i], args[i+1])
	}
	http.Redirect(w, r, page+"?"+q.Encode(), http.StatusSeeOther)
}

// flashArgs are the values a flash may name.
var flashArgs = []string{"id", "name", "person", "company", "address"}

// flash words what done said was done; "" when there is nothing known to
// say. A verdict is named as the inbound page names it.
func flash(l *i18n.Lang, q url.Values) string {
	key := "admin.done." + q.Get("done")
	if !l.Has(key) {
		return ""
	}
	var args []string
	for _, name := range flashArgs {
		args = append(args, name, q.Get(name))
	}
	if v := q.Get("verdict"); v != "" {
		args = append(args, "verdict", verdictOf(l, threads.Verdict(v)).Name)
	}
	n, _ := strconv.Atoi(q.Get("n"))
	return l.N(key, n, args...)
}
