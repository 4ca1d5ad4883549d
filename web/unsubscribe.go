package web

import (
	"context"
	"net/http"
)

// unsubscribePage asks to confirm, so a link scanner following the link
// does not mute anyone.
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	person, _, err := s.store.ParseMuteToken(r.PathValue("token"))
	r = s.inLanguageOf(r, person, err)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "unsubscribe", map[string]any{"Token": r.PathValue("token")})
}

// unsubscribe mutes email for the person on the transaction. It is the
// RFC 8058 one-click target too: mail clients POST
// "List-Unsubscribe=One-Click" here without a session.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	person, txn, err := s.store.ParseMuteToken(r.PathValue("token"))
	r = s.inLanguageOf(r, person, err)
	if err == nil {
		err = s.store.Mute(r.Context(), person, txn)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "unsubscribe", map[string]any{"Done": true})
}

type langKey struct{}

// inLanguageOf makes the page speak the language of the person a valid
// link names (the one whose email carried it), rather than the browser's.
func (s *Server) inLanguageOf(r *http.Request, personID int64, tokenErr error) *http.Request {
	if tokenErr != nil {
		return r
	}
	p, err := s.store.Person(r.Context(), personID)
	if err != nil {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), langKey{}, s.cat.Lang(p.Locale)))
}
