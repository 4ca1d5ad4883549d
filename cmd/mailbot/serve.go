package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"

	"mailbot/internal/schema"
	"mailbot/threads"
	"mailbot/web"
)

func runServe(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	migrate := fs.Bool("migrate", false, "apply pending migrations before starting")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	db, err := threads.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := prepareSchema(ctx, db, *migrate); err != nil {
		return err
	}
	store, err := threads.NewStore(db, &threads.Options{TokenKey: cfg.TokenKey})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on MAILBOT_HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	return serveHTTP(ctx, newLogger(out), ln, handler(store))
}

// prepareSchema refuses a schema that is behind, unless told to migrate.
func prepareSchema(ctx context.Context, db *sqlx.DB, migrate bool) error {
	if migrate {
		_, err := schema.Migrate(ctx, db.DB)
		return err
	}
	return schema.Check(ctx, db.DB)
}

func handler(store *threads.Store) http.Handler {
	mux := http.NewServeMux()
	web.Health(mux, func(ctx context.Context) error {
		if err := store.DB().PingContext(ctx); err != nil {
			return fmt.Errorf("database unreachable: %w", err)
		}
		return schema.Check(ctx, store.DB().DB)
	})
	return mux
}

// serveHTTP serves until ctx ends, then lets requests in flight finish.
func serveHTTP(ctx context.Context, log *slog.Logger, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("web server listening", slog.String("addr", ln.Addr().String()))
	select {
	case err := <-errc:
		return fmt.Errorf("web server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web server shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}
