package web

import "net/http"

// unsubscribePage asks to confirm, so a link scanner following the link
// does not mute anyone.
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.store.ParseMuteToken(r.PathValue("token")); err != nil {
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
	if err == nil {
		err = s.store.Mute(r.Context(), person, txn)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "unsubscribe", map[string]any{"Done": true})
}
