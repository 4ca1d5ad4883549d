package web

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"mailbot/i18n"
	"mailbot/threads"
)

const sessionCookie = "mailbot_session"

// viewer is the signed-in person of a request.
type viewer struct {
	Person threads.Person
	Clock  clock
	Lang   *i18n.Lang
}

type viewerKey struct{}

func viewerFrom(ctx context.Context) (viewer, bool) {
	v, ok := ctx.Value(viewerKey{}).(viewer)
	return v, ok
}

// signedIn runs h for a signed-in person and sends anyone else to the login
// page, which brings them back here afterwards.
func (s *Server) signedIn(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err == nil {
			p, err := s.store.SessionPerson(r.Context(), c.Value)
			if err == nil {
				l := s.cat.Lang(p.Locale)
				ctx := context.WithValue(r.Context(), viewerKey{}, viewer{Person: p, Clock: s.clockFor(p, l), Lang: l})
				h(w, r.WithContext(ctx))
				return
			}
			if !errors.Is(err, threads.ErrNotFound) {
				s.fail(w, r, err)
				return
			}
		}
		if r.Method != http.MethodGet {
			http.Error(w, s.lang(r).T("login.sign_in_first"), http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	}
}

// safeNext accepts only a path on this site as a place to return to.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || u.Scheme != "" || u.Host != "" || strings.ContainsAny(next, "\r\n\t\\") {
		return "/"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "login", map[string]any{"Next": safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	next := safeNext(r.PostFormValue("next"))
	again := func(code int, msg string) {
		w.WriteHeader(code)
		s.render(w, r, "login", map[string]any{"Next": next, "Email": email, "Error": msg})
	}
	budgets := signInBudgets(email, clientAddr(r, s.opts.TrustedProxies))
	var throttled *threads.ThrottledError
	if err := s.store.ReserveLoginAttempt(r.Context(), budgets...); errors.As(err, &throttled) {
		w.Header().Set("Retry-After", strconv.Itoa(int(throttled.RetryAfter/time.Second)+1))
		l := s.lang(r)
		again(http.StatusTooManyRequests, l.T("login.throttled")+" "+l.N("login.try_again", minutesUp(throttled.RetryAfter)))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	p, hash, ok, err := s.checkCredentials(r.Context(), email, r.PostFormValue("password"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		again(http.StatusUnauthorized, s.lang(r).T("login.mismatch"))
		return
	}
	if err := s.store.ReleaseLoginAttempt(r.Context(), budgets...); err != nil {
		s.log.Warn("sign-in: release attempt", slog.String("error", err.Error())) // it stays counted
	}
	token, err := s.store.CreateSession(r.Context(), p.ID, hash, s.opts.SessionTTL)
	if errors.Is(err, threads.ErrNotFound) { // the password changed while it was checked
		again(http.StatusUnauthorized, s.lang(r).T("login.mismatch"))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.startSession(w, r, token, next)
}

// minutesUp is how long to wait, in whole minutes, rounded up.
func minutesUp(d time.Duration) int { return int(d/time.Minute) + 1 }

// Sign-in budgets. A client may try one account 10 times at once and then
// once every 90 seconds; and all accounts together 100 times at once and then
// once every 9 seconds, room for an office or a network behind one address.
// Only failures use them up, and no client's failures slow down another.
func signInBudgets(email, client string) []threads.LoginBudget {
	return []threads.LoginBudget{
		{Key: "account:" + strings.ToLower(email) + " client:" + client, Burst: 10, Per: 15 * time.Minute},
		{Key: "client:" + client, Burst: 100, Per: 15 * time.Minute},
	}
}

// checkCredentials reports whether password is that of the person with the
// verified address email. An unknown address or an account without a
// password costs the same check, against a hash nothing matches.
// The hash that matched is returned, so the session starts only if it is
// still the person's.
func (s *Server) checkCredentials(ctx context.Context, email, password string) (threads.Person, string, bool, error) {
	p, hash, err := s.store.Credentials(ctx, email)
	if err != nil && !errors.Is(err, threads.ErrNotFound) {
		return threads.Person{}, "", false, err
	}
	known := err == nil && hash != ""
	if !known {
		hash = string(dummyHash())
	}
	match := s.opts.CheckPassword([]byte(hash), []byte(password)) == nil
	return p, hash, known && match, nil
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, token, next string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: int(s.opts.SessionTTL.Seconds())})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.store.DeleteSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// dummyHash stands in for the hash of an account that does not exist or has
// no password: checking against it costs what a real check costs, so the
// time of an answer does not tell which addresses have accounts. Nothing
// matches it.
var dummyHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), bcrypt.DefaultCost)
	if err != nil {
		panic("web: dummy password hash: " + err.Error())
	}
	return h
})

// HashPassword makes the stored form of a password.
func HashPassword(password string) (string, error) {
	if len(password) < 8 {
		return "", threads.Invalid("password", "password_short", "must be at least {limit} characters", "limit", "8")
	}
	if len(password) > 72 {
		return "", threads.Invalid("password", "password_long", "must be at most {limit} bytes", "limit", "72")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}
