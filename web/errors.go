package web

import (
	"errors"
	"net/http"

	"mailbot/threads"
)

// status maps a domain error to the HTTP status a person or client sees,
// and a message safe to show.
func status(err error) (int, string) {
	var verr *threads.ValidationError
	var kerr *threads.KindError
	var large *tooLargeError
	switch {
	case errors.Is(err, threads.ErrNotFound):
		return http.StatusNotFound, "Not found."
	case errors.Is(err, threads.ErrAlreadyPosted):
		return http.StatusConflict, "This mail was posted already; it is not posted twice."
	case errors.Is(err, threads.ErrHeaderOnly):
		return http.StatusConflict, "Only this mail's header is kept (it was too large, or is older than whole mail is kept), so it cannot be read again."
	case errors.As(err, &kerr):
		return http.StatusUnprocessableEntity, kerr.Error()
	case errors.As(err, &verr):
		return http.StatusUnprocessableEntity, verr.Error()
	case errors.As(err, &large):
		return http.StatusRequestEntityTooLarge, "Not posted: " + large.Error() + "."
	}
	return http.StatusInternalServerError, "Something went wrong on our side; please try again."
}

// fail renders an error page for err, logging what is not the client's fault.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := status(err)
	if code == http.StatusInternalServerError {
		s.log.Error("request failed", "path", r.URL.Path, "error", err.Error())
	}
	w.WriteHeader(code)
	s.render(w, r, "error", map[string]any{"Title": http.StatusText(code), "Message": msg})
}
