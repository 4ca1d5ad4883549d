package web

import (
	"errors"
	"net/http"

	"mailbot/i18n"
	"mailbot/threads"
)

// status maps a domain error to the HTTP status a person or client sees,
// with a title and a message safe to show, in the reader's language.
func status(l *i18n.Lang, err error) (code int, title, msg string) {
	var verr *threads.ValidationError
	var kerr *threads.KindError
	var large *tooLargeError
	switch {
	case errors.Is(err, threads.ErrNotFound):
		return http.StatusNotFound, l.T("error.not_found.title"), l.T("error.not_found")
	case errors.Is(err, threads.ErrAlreadyPosted):
		return http.StatusConflict, l.T("error.conflict.title"), l.T("error.conflict")
	case errors.As(err, &kerr):
		return http.StatusUnprocessableEntity, l.T("error.invalid.title"),
			l.T("refused.title", "kinds", l.KindPlural(kerr.Kind)) + "."
	case errors.As(err, &verr):
		return http.StatusUnprocessableEntity, l.T("error.invalid.title"), verr.Error()
	case errors.As(err, &large):
		return http.StatusRequestEntityTooLarge, l.T("error.too_large.title"), l.T("error.too_large", "detail", large.Error())
	}
	return http.StatusInternalServerError, l.T("error.internal.title"), l.T("error.internal")
}

// fail renders an error page for err, logging what is not the client's fault.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, title, msg := status(s.lang(r), err)
	if code == http.StatusInternalServerError {
		s.log.Error("request failed", "path", r.URL.Path, "error", err.Error())
	}
	w.WriteHeader(code)
	s.render(w, r, "error", map[string]any{"Title": title, "Message": msg})
}
