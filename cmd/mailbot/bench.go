//go:build !nodemo

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"

	"mailbot/internal/bench"
	"mailbot/threads"
	"mailbot/web"
)

const benchUsage = `usage: mailbot bench ingest|notify|web [-n N] [--json] [target flags]

Measures the service as it runs: ingest (replies from an IMAP mailbox to
committed posts), notify (posted messages to emails accepted by SMTP), web
(company home and a 1,000-message transaction page). By default everything
runs in process against a throwaway Postgres cluster, or DATABASE_URL when
set. --imap-addr points ingest at a real IMAP server (give it an empty,
dedicated mailbox; it is created when missing) and --smtp-addr points notify
at a real SMTP server.`

func runBench(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	if len(args) == 0 || !slices.Contains(bench.Names, args[0]) {
		fmt.Fprintln(os.Stderr, benchUsage)
		return errors.New("name a benchmark: ingest, notify or web")
	}
	fs := flag.NewFlagSet("bench "+args[0], flag.ContinueOnError)
	n := fs.Int("n", 2000, "how many replies, messages or requests")
	asJSON := newBool(fs, "json", "print one JSON object")
	o := bench.Options{DatabaseURL: env("DATABASE_URL")}
	fs.StringVar(&o.IMAP.Addr, "imap-addr", "", "IMAP server host:port for ingest; empty: the in-process server")
	fs.StringVar(&o.IMAP.TLS, "imap-tls", "tls", "tls, starttls or none")
	fs.StringVar(&o.IMAP.Username, "imap-user", "", "IMAP user name")
	fs.StringVar(&o.IMAP.Password, "imap-password", "", "IMAP password")
	fs.StringVar(&o.IMAP.Mailbox, "imap-mailbox", "INBOX", "an empty mailbox the bench may fill")
	fs.StringVar(&o.SMTP.Addr, "smtp-addr", "", "SMTP server host:port for notify; empty: the in-process server")
	fs.StringVar(&o.SMTP.TLS, "smtp-tls", "starttls", "starttls, tls or none")
	fs.StringVar(&o.SMTP.Username, "smtp-user", "", "SMTP AUTH user name; no AUTH when empty")
	fs.StringVar(&o.SMTP.Password, "smtp-password", "", "SMTP AUTH password")
	fs.IntVar(&o.AttachKB, "attach-kb", 0, "ingest: every reply carries a PDF of this many KiB (0: one in four carries a tiny one)")
	blobURL := fs.String("blob-url", env("MAILBOT_BLOB_URL"), "keep file bodies in this bucket (file:///dir, s3://…) instead of Postgres")
	cpuProfile := fs.String("cpuprofile", "", "web: write a CPU profile of the measured requests to this file")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		o.CPUProfile = f
	}
	bucket, err := openBucket(ctx, *blobURL, true)
	if err != nil {
		return err
	}
	defer closeBucket(bucket)
	o.StoreOptions = func(url string, key []byte) *threads.Options {
		return storeOptions(url, key, threads.FileLimits{}, bucket)
	}
	res, err := bench.Run(ctx, args[0], *n, o, benchService())
	if err != nil {
		return err
	}
	return res.Print(out, *asJSON)
}

// benchService builds the intakes, the outbox workers and the web handler
// as serve does, from the settings the bench gives.
func benchService() bench.Service {
	quiet := slog.New(slog.DiscardHandler)
	return bench.Service{
		Intakes: func(ctx context.Context, settings func(string) string, store *threads.Store) (bench.Starter, error) {
			cfg, err := loadConfig(settings)
			if err != nil {
				return nil, err
			}
			in, err := newIntakes(ctx, cfg.In, store, quiet)
			if err != nil {
				return nil, err
			}
			return func(ctx context.Context) (func(), error) { return in.start(ctx, quiet), nil }, nil
		},
		Outbox: func(settings func(string) string, store *threads.Store) (bench.Starter, error) {
			cfg, err := loadConfig(settings)
			if err != nil {
				return nil, err
			}
			workers, err := outboxWorkers(cfg, store, quiet, nil, nil)
			if err != nil {
				return nil, err
			}
			return func(ctx context.Context) (func(), error) { return startWorkers(ctx, store, workers) }, nil
		},
		Handler: func(store *threads.Store) (http.Handler, error) {
			return handler(store, web.Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}, nil, nil, nil)
		},
	}
}
