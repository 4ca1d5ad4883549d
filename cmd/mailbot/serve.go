package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"mailbot/internal/schema"
	"mailbot/mailbot/mailin"
	"mailbot/mailbot/mailout"
	"mailbot/templates"
	"mailbot/threads"
	"mailbot/web"
)

func runServe(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	migrate := newBool(fs, "migrate", "apply pending migrations before starting")
	listEnv := newBool(fs, "env", "list the environment variables serve reads, and exit")
	envFile := envFileFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *listEnv {
		printConfigVars(out)
		return nil
	}
	env, err := withEnvFile(*envFile, env)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	log := newLogger(out)
	bucket, err := openBucket(ctx, cfg.BlobURL, true)
	if err != nil {
		return err
	}
	defer closeBucket(bucket)
	db, err := openDatabase(ctx, cfg.DatabaseURL, cfg.DBWait, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := prepareSchema(ctx, db, *migrate); err != nil {
		return err
	}
	store, err := threads.NewStore(db, storeOptions(cfg.DatabaseURL, cfg.TokenKey, cfg.Files, bucket))
	if err != nil {
		return err
	}
	warnNoStaff(ctx, store, log)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	relay := &mailout.Relay{}
	workers, err := outboxWorkers(cfg, store, log, mailout.NewMetrics(reg), relay)
	if err != nil {
		return err
	}
	if err := checkRelay(ctx, cfg.SMTP); err != nil {
		return err
	}
	cfg.In.Pipeline.Metrics = mailin.NewMetrics(reg)
	webMetrics := web.NewMetrics(reg)
	in, err := newIntakes(ctx, cfg.In, store, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on MAILBOT_HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	stopWorkers, err := startWorkers(ctx, store, workers)
	if err != nil {
		cancel()
		return err
	}
	stopIntakes := in.start(ctx, log)
	stopSweeper := startSweeper(ctx, store, bucket, log)
	stopRetention := startRetention(ctx, store, cfg.Retention, retentionEvery, log)
	// Stop taking work, let what is in flight finish, then close.
	defer func() { cancel(); stopIntakes(); stopWorkers(); stopSweeper(); stopRetention() }()
	live, err := web.Listen(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	h, err := handler(store, web.Options{SecureCookies: strings.HasPrefix(cfg.Mail.BaseURL, "https://"), Logger: log, Metrics: webMetrics,
		TrustedProxies: cfg.TrustedProxies, Live: live},
		promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), in, relay)
	if err != nil {
		return err
	}
	return serveHTTP(ctx, log, ln, cfg.HTTPS, h)
}

// warnNoStaff says how to make the first staff person when nobody can
// reach /admin.
func warnNoStaff(ctx context.Context, store *threads.Store, log *slog.Logger) {
	if ok, err := store.HasStaffLogin(ctx); err == nil && !ok {
		log.Warn(`no staff person can sign in yet; create one with: mailbot person add --email you@example.com --name "Your Name" --staff (or, for someone already here: mailbot staff grant their@address)`)
	}
}

// openDatabase connects to Postgres, waiting up to wait while the server
// is unreachable or still starting; a reachable server that refuses (a
// wrong password, no such database) is reported at once.
func openDatabase(ctx context.Context, url string, wait time.Duration, log *slog.Logger) (*sqlx.DB, error) {
	deadline := time.Now().Add(wait)
	delay := 250 * time.Millisecond
	for {
		db, err := threads.Open(ctx, url)
		if err == nil || !unreachable(err) || time.Now().Add(delay).After(deadline) {
			return db, err
		}
		log.Warn("waiting for the database", slog.String("error", err.Error()), slog.Duration("retry_in", delay))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

// unreachable says a connection failed because the server is not there
// or not ready, which time may cure.
func unreachable(err error) bool {
	var netErr net.Error
	var pqErr *pq.Error
	return errors.As(err, &netErr) || (errors.As(err, &pqErr) && pqErr.Code == "57P03") // cannot_connect_now
}

// outboxWorkers makes the configured number of workers; they share relay,
// so a problem of the relay's pauses them all.
func outboxWorkers(cfg config, store *threads.Store, log *slog.Logger, metrics *mailout.Metrics, relay *mailout.Relay) ([]*mailout.Worker, error) {
	composer, err := mailout.NewComposer(cfg.Mail, templates.FS)
	if err != nil {
		return nil, fmt.Errorf("mail settings (MAILBOT_FROM, MAILBOT_REPLY_ADDRESS, MAILBOT_BASE_URL): %w", err)
	}
	var workers []*mailout.Worker
	for range cfg.Workers {
		sender, err := mailout.NewSMTPSender(cfg.SMTP)
		if err != nil {
			return nil, fmt.Errorf("SMTP settings (MAILBOT_SMTP_*): %w", err)
		}
		workers = append(workers, mailout.NewWorker(store, composer, sender,
			&mailout.WorkerOptions{RetryFor: cfg.RetryFor, RetryBase: cfg.RetryBase, Lease: cfg.Lease,
				Logger: log, Metrics: metrics, Relay: relay}))
	}
	return workers, nil
}

// startWorkers runs the outbox workers until ctx ends; the returned function
// waits for them to finish the email in hand.
func startWorkers(ctx context.Context, store *threads.Store, workers []*mailout.Worker) (func(), error) {
	wake, err := store.WatchOutbox(ctx, len(workers))
	if err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Go(func() { w.Run(ctx, wake[i]) })
	}
	return wg.Wait, nil
}

// prepareSchema refuses a schema that is behind, unless told to migrate.
func prepareSchema(ctx context.Context, db *sqlx.DB, migrate bool) error {
	if migrate {
		_, err := schema.Migrate(ctx, db.DB)
		return err
	}
	return schema.Check(ctx, db.DB)
}

// handler serves the web pages, the health endpoints and, when metrics is
// set, /metrics; the admin view shows the intakes and the relay, when set.
func handler(store *threads.Store, opts web.Options, metrics http.Handler, in *intakes, relay *mailout.Relay,
	extra ...func(*http.ServeMux)) (http.Handler, error) {
	mux := http.NewServeMux()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ready := readiness(store)
	web.Health(mux, log, ready)
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	web.NewAPI(store, &web.APIOptions{Logger: log, Metrics: opts.Metrics}).Register(mux)
	srv, err := web.New(store, opts)
	if err != nil {
		return nil, err
	}
	adminOpts := in.adminOptions()
	adminOpts.Ready = ready
	if relay != nil {
		adminOpts.Relay = func() web.RelayStatus {
			st := relay.Status()
			return web.RelayStatus{LastSent: st.LastSent, LastError: st.LastError, LastErrorAt: st.LastErrorAt,
				Down: st.Down, RetryAt: st.RetryAt}
		}
	}
	web.NewAdmin(srv, store, adminOpts).Register(mux)
	for _, register := range extra {
		register(mux)
	}
	return srv.Register(mux), nil
}

// readiness says the process is ready when its database answers and has
// the current schema.
func readiness(store *threads.Store) web.ReadyFunc {
	return func(ctx context.Context) (string, error) {
		err := store.Ready(ctx, schema.Check)
		switch {
		case errors.Is(err, schema.ErrBehind), errors.Is(err, schema.ErrAhead):
			return "schema", err
		case err != nil:
			return "database", err
		}
		return "", nil
	}
}

// serveHTTP serves until ctx ends, then lets requests in flight finish;
// with cert, it serves HTTPS.
func serveHTTP(ctx context.Context, log *slog.Logger, ln net.Listener, cert *tls.Certificate, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	scheme := "http"
	if cert != nil {
		scheme = "https"
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	log.Info("web server listening", slog.String("addr", ln.Addr().String()), slog.String("scheme", scheme))
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
