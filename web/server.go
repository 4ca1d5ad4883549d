package web

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"mailbot/i18n"
	"mailbot/threads"
)

// Store is what the web pages need of the domain.
type Store interface {
	Credentials(ctx context.Context, email string) (threads.Person, string, error)
	CreateSession(ctx context.Context, personID int64, checkedHash string, ttl time.Duration) (string, error)
	SessionPerson(ctx context.Context, token string) (threads.Person, error)
	DeleteSession(ctx context.Context, token string) error
	ReserveLoginAttempt(ctx context.Context, budgets ...threads.LoginBudget) error
	ReleaseLoginAttempt(ctx context.Context, budgets ...threads.LoginBudget) error

	MemberRole(ctx context.Context, companyID, personID int64) (threads.Role, error)
	Members(ctx context.Context, companyID int64) ([]threads.Member, error)
	UnreadCounts(ctx context.Context, personID int64) ([]threads.CompanyUnread, error)
	UnreadCount(ctx context.Context, personID, companyID int64) (int, error)
	CompanyHome(ctx context.Context, personID, companyID int64, waiting, txns int) (threads.CompanyHome, error)
	Transaction(ctx context.Context, viewerID, txnID int64) (threads.Transaction, error)
	TransactionWithCompany(ctx context.Context, viewerID, txnID int64) (threads.Transaction, threads.Company, error)
	Thread(ctx context.Context, viewerID, txnID int64) ([]threads.Message, error)
	ThreadNewest(ctx context.Context, viewerID, txnID int64, limit int) ([]threads.Message, int, error)
	MarkRead(ctx context.Context, personID, txnID int64) (int64, error)
	PostMessage(ctx context.Context, n threads.NewMessage) (threads.Message, error)

	FileLimits() threads.FileLimits
	FileFor(ctx context.Context, viewerID, txnID, fileID int64) (threads.File, error)
	OpenFile(ctx context.Context, f threads.File) (io.ReadCloser, error)
	Preview(ctx context.Context, sha256 []byte, maxSide int) (data []byte, contentType string, err error)
	SavePreview(ctx context.Context, sha256 []byte, maxSide int, contentType string, data []byte) error

	Person(ctx context.Context, id int64) (threads.Person, error)
	ParseMuteToken(token string) (personID, txnID int64, err error)
	Mute(ctx context.Context, personID, txnID int64) error
	Unmute(ctx context.Context, personID, txnID int64) error
	Mutes(ctx context.Context, txnID int64) ([]int64, error)
}

var _ Store = (*threads.Store)(nil)

// Options configure the web server.
type Options struct {
	// SecureCookies marks cookies Secure on every request; without it
	// they are Secure on requests that came over HTTPS.
	SecureCookies bool
	// SessionTTL is how long a sign-in lasts; default 14 days.
	SessionTTL time.Duration
	Logger     *slog.Logger
	// Metrics count requests the service failed; nil counts nothing.
	Metrics *Metrics
	// TrustedProxies are the reverse proxies whose X-Forwarded-For says
	// where a request came from; from anyone else the header is ignored.
	TrustedProxies []netip.Prefix
	// Live, when set, lets open pages follow their conversation as it
	// changes; without it the pages work as before, reloaded by hand.
	Live *Live
	// CheckPassword compares a stored hash with a password given at sign-in;
	// default bcrypt.CompareHashAndPassword. Tests count calls through it.
	CheckPassword func(hash, password []byte) error
}

// Server serves the pages.
type Server struct {
	store Store
	opts  Options
	log   *slog.Logger
	cat   *i18n.Catalogue
	// pages holds each page parsed for each language: pages[lang][name].
	pages map[string]map[string]*template.Template
	// previewSlots bounds how many previews are made at once: each decodes
	// a whole image.
	previewSlots chan struct{}
	zones        zones
	pageBufs     sync.Pool // of *bytes.Buffer, for render
}

// New parses the page templates once; a broken template fails here.
func New(store Store, opts Options) (*Server, error) {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 14 * 24 * time.Hour
	}
	if opts.CheckPassword == nil {
		opts.CheckPassword = bcrypt.CompareHashAndPassword
	}
	dummyHash() // made now, so the first unknown address costs no more than the next
	s := &Server{store: store, opts: opts, log: opts.Logger, previewSlots: make(chan struct{}, 2)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if s.cat, err = i18n.Shipped(); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if s.pages, err = parsePages(s.cat); err != nil {
		return nil, err
	}
	return s, nil
}

// Register adds the pages to mux. The returned handler wraps mux with
// cross-origin protection for every state-changing request, and must be
// the one served.
func (s *Server) Register(mux *http.ServeMux) http.Handler {
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /{$}", s.signedIn(s.firmPage))
	mux.HandleFunc("GET /companies/{company}", s.signedIn(s.companyPage))
	mux.HandleFunc("GET /companies/{company}/transactions/{txn}", s.signedIn(s.transactionPage))
	mux.HandleFunc("POST /companies/{company}/transactions/{txn}/messages", s.signedIn(s.postMessage))
	mux.HandleFunc("GET /companies/{company}/transactions/{txn}/files/{file}", s.signedIn(s.downloadFile))
	mux.HandleFunc("GET /companies/{company}/transactions/{txn}/files/{file}/preview", s.signedIn(s.previewFile))
	mux.HandleFunc("POST /companies/{company}/transactions/{txn}/emails", s.signedIn(s.setEmails))
	mux.HandleFunc("GET /companies/{company}/events", s.signedIn(s.companyEvents))
	mux.HandleFunc("GET /companies/{company}/transactions/{txn}/events", s.signedIn(s.transactionEvents))
	mux.HandleFunc("GET /live.js", liveScript)
	mux.HandleFunc("GET /unsubscribe/{token}", s.unsubscribePage)
	mux.HandleFunc("POST /unsubscribe/{token}", s.unsubscribe)
	return s.securityHeaders(http.NewCrossOriginProtection().Handler(mux))
}

func (s *Server) securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if overHTTPS(r, s.opts.TrustedProxies) {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}
