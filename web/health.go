// Package web serves the service's pages and its HTTP endpoints.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// ReadyFunc reports whether the process can serve: "" and nil when it can,
// else a short reason code anyone may see ("database", "schema") and the
// error behind it, which only the log and the admin view show.
type ReadyFunc func(ctx context.Context) (reason string, err error)

// Health serves /healthz (the process answers) and /readyz (ready reports
// no reason).
func Health(mux *http.ServeMux, log *slog.Logger, ready ReadyFunc) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if reason, err := ready(ctx); reason != "" {
			log.Warn("not ready", slog.String("reason", reason), slog.Any("error", err))
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready: " + reason + "\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
}
