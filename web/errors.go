package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"mailbot/threads"
)

// failure is what a request that failed answers: the status, the API's
// stable code, and a message safe to show (for a page, a sentence; for the
// API, the same words in its style).
type failure struct {
	Status  int
	Code    string
	Page    string
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
		return failure{http.StatusNotFound, "not_found", "Not found.", "no such company, person, transaction or attachment"}
	case errors.Is(err, threads.ErrAlreadyPosted):
		return failure{http.StatusConflict, "conflict", "This mail was posted already; it is not posted twice.", "this mail was posted already"}
	case errors.Is(err, threads.ErrHeaderOnly):
		return failure{http.StatusConflict, "conflict",
			"Only this mail's header is kept (it was too large, or is older than whole mail is kept), so it cannot be read again.",
			"only this mail's header is kept"}
	case errors.As(err, &large):
		return failure{http.StatusRequestEntityTooLarge, "too_large", "Not posted: " + large.Error() + ".", large.Error()}
	case errors.As(err, &kerr):
		return failure{http.StatusUnprocessableEntity, "kind_not_allowed", kerr.Error(), kerr.Error()}
	case errors.As(err, &verr):
		return failure{http.StatusUnprocessableEntity, "invalid", verr.Error(), verr.Error()}
	case errors.As(err, &syntax), errors.Is(err, errBadJSON):
		return failure{http.StatusBadRequest, "bad_json", "The request could not be read.",
			"the request body is not the JSON object this call takes"}
	}
	return failure{http.StatusInternalServerError, "internal", "Something went wrong on our side; please try again.",
		"something went wrong on our side; try again"}
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

// fail renders an error page for err, logging and counting what is not the
// client's fault.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	f := failureOf(err)
	if f.Status == http.StatusInternalServerError {
		s.opts.Metrics.internal(s.log, "page", r, err)
	}
	w.WriteHeader(f.Status)
	s.render(w, r, "error", map[string]any{"Title": http.StatusText(f.Status), "Message": f.Page})
}
