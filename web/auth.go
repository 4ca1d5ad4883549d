package web

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"mailbot/threads"
)

const sessionCookie = "mailbot_session"

// Throttling: at most this many failed sign-ins per account, and per client
// address, in the window.
const (
	maxFailures   = 5
	failureWindow = 15 * time.Minute
)

// viewer is the signed-in person of a request.
type viewer struct {
	Person threads.Person
	Clock  clock
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
				ctx := context.WithValue(r.Context(), viewerKey{}, viewer{Person: p, Clock: clockFor(p)})
				h(w, r.WithContext(ctx))
				return
			}
			if !errors.Is(err, threads.ErrNotFound) {
				s.fail(w, r, err)
				return
			}
		}
		if r.Method != http.MethodGet {
			http.Error(w, "Sign in first.", http.StatusUnauthorized)
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
	keys := []string{"account:" + strings.ToLower(email), "addr:" + clientAddr(r, s.opts.TrustedProxies)}
	again := func(code int, msg string) {
		w.WriteHeader(code)
		s.render(w, r, "login", map[string]any{"Next": next, "Email": email, "Error": msg})
	}
	failures, err := s.store.LoginFailures(r.Context(), s.now().Add(-failureWindow), keys...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if failures >= maxFailures {
		again(http.StatusTooManyRequests, "Too many failed sign-ins. Wait 15 minutes and try again.")
		return
	}
	p, hash, err := s.store.Credentials(r.Context(), email)
	if err != nil && !errors.Is(err, threads.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	known := err == nil && hash != ""
	if !known {
		hash = string(dummyHash())
	}
	if s.opts.CheckPassword([]byte(hash), []byte(r.PostFormValue("password"))) != nil || !known {
		s.store.RecordLoginFailure(r.Context(), keys...)
		again(http.StatusUnauthorized, "That email and password do not match.")
		return
	}
	token, err := s.store.CreateSession(r.Context(), p.ID, s.opts.SessionTTL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: int(s.opts.SessionTTL.Seconds())})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.store.DeleteSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
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
		return "", &threads.ValidationError{Field: "password", Problem: "must be at least 8 characters"}
	}
	if len(password) > 72 {
		return "", &threads.ValidationError{Field: "password", Problem: "must be at most 72 bytes"}
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}
