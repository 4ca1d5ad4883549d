package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"mailbot/i18n"
	"mailbot/threads"
)

// failure is what a request that failed answers: the status, the API's
// stable code and its message. Pages word the same failure in the reader's
// language (pageFailure).
type failure struct {
	Status  int
	Code    string
	Message string
}

var errBadJSON = errors.New("bad json")

// failureOf maps an error to its answer: the one place where domain errors
// become HTTP statuses, for pages and the API alike.
func failureOf(err error) failure {
	var verr *threads.ValidationError
	var kerr *threads.KindError
	var large *tooLargeError
	var syntax *json.SyntaxError
	switch {
	case errors.Is(err, threads.ErrNotFound):
		return failure{http.StatusNotFound, "not_found", "no such company, person, transaction or attachment"}
	case errors.Is(err, threads.ErrAlreadyPosted):
		return failure{http.StatusConflict, "conflict", "this mail was posted already"}
	case errors.Is(err, threads.ErrHeaderOnly):
		return failure{http.StatusConflict, "conflict", "only this mail's header is kept"}
	case errors.As(err, &large):
		return failure{http.StatusRequestEntityTooLarge, "too_large", large.Error()}
	case errors.As(err, &kerr):
		return failure{http.StatusUnprocessableEntity, "kind_not_allowed", kerr.Error()}
	case errors.As(err, &verr):
		return failure{http.StatusUnprocessableEntity, "invalid", verr.Error()}
	case errors.As(err, &syntax), errors.Is(err, errBadJSON):
		return failure{http.StatusBadRequest, "bad_json", "the request body is not the JSON object this call takes"}
	}
	return failure{http.StatusInternalServerError, "internal", "something went wrong on our side; try again"}
}

// Metrics count the requests that failed on the service's side. A nil
// *Metrics counts nothing.
type Metrics struct {
	failures *prometheus.CounterVec
}

// NewMetrics registers the web metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{failures: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mailbot_http_internal_errors_total", Help: "Requests answered 500, by surface (page or api)."},
		[]string{"surface"})}
	reg.MustRegister(m.failures)
	return m
}

// internal logs and counts a request the service failed.
func (m *Metrics) internal(log *slog.Logger, surface string, r *http.Request, err error) {
	log.Error("request failed", slog.String("surface", surface), slog.String("method", r.Method),
		slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	if m != nil {
		m.failures.WithLabelValues(surface).Inc()
	}
}

// pageFailure words failureOf's answer for a page, in the reader's
// language.
func pageFailure(l *i18n.Lang, err error) (code int, title, msg string) {
	f := failureOf(err)
	var kerr *threads.KindError
	switch f.Code {
	case "not_found":
		return f.Status, l.T("error.not_found.title"), l.T("error.not_found")
	case "conflict":
		if errors.Is(err, threads.ErrHeaderOnly) {
			return f.Status, l.T("error.conflict.title"), l.T("error.header_only")
		}
		return f.Status, l.T("error.conflict.title"), l.T("error.conflict")
	case "kind_not_allowed":
		errors.As(err, &kerr)
		return f.Status, l.T("error.invalid.title"), l.T("refused.title", "kinds", l.KindPlural(kerr.Kind)) + "."
	case "invalid":
		return f.Status, l.T("error.invalid.title"), invalidText(l, err)
	case "too_large":
		return f.Status, l.T("error.too_large.title"), l.T("error.too_large", "detail", f.Message)
	case "bad_json":
		return f.Status, l.T("error.invalid.title"), l.T("error.internal")
	}
	return f.Status, l.T("error.internal.title"), l.T("error.internal")
}

// fail renders an error page for err, logging and counting what is not the
// client's fault.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, title, msg := pageFailure(s.lang(r), err)
	if code == http.StatusInternalServerError {
		s.opts.Metrics.internal(s.log, "page", r, err)
	}
	w.WriteHeader(code)
	s.render(w, r, "error", map[string]any{"Title": title, "Message": msg})
}

// invalidText words a validation error in the reader's language: the
// field's name and the rule it broke, from the catalogue ("field.<name>",
// "invalid.<rule>"); an error the catalogue has no words for is given as
// it is.
func invalidText(l *i18n.Lang, err error) string {
	var verr *threads.ValidationError
	if !errors.As(err, &verr) {
		return err.Error()
	}
	rule := "invalid." + verr.Rule
	if verr.Rule == "" || !l.Has(rule) {
		return verr.Error()
	}
	field := verr.Field
	if key := "field." + strings.ReplaceAll(field, " ", "_"); l.Has(key) {
		field = l.T(key)
	}
	return l.T(rule, append(slices.Clone(verr.Args), "field", field)...)
}
