package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"mailbot/internal/schema"
	"mailbot/mailbot/mailin"
	"mailbot/threads"
)

// exitError ends the command with a chosen exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exTempFail tells an MTA's pipe delivery to try again later (sysexits.h).
const exTempFail = 75

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runIngest(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	return ingestFrom(ctx, args, env, os.Stdin, out)
}

// ingestFrom records one mail read from in. It exits 0 when the mail was
// recorded, whatever its verdict, and 75 when it could not be, so the MTA
// keeps it and retries.
func ingestFrom(ctx context.Context, args []string, env func(string) string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	var rcpt stringList
	fs.Var(&rcpt, "to", "an envelope recipient (repeatable), e.g. Postfix's ${recipient}")
	envFile := envFileFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	// An unreadable settings file is a mistake the operator can mend while
	// the MTA keeps the mail.
	env, err := withEnvFile(*envFile, env)
	if err != nil {
		return &exitError{exTempFail, err}
	}
	r := &envReader{env: env}
	cfg := loadCore(r)
	if r.err != nil {
		return &exitError{exTempFail, r.err}
	}
	pipe, closeDB, err := openPipeline(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		return &exitError{exTempFail, err}
	}
	defer closeDB()
	res, err := pipe.Ingest(ctx, in, "stdin", rcpt)
	if err != nil {
		return &exitError{exTempFail, fmt.Errorf("mail not recorded, try again later: %w", err)}
	}
	dup := ""
	if res.Duplicate {
		dup = " (seen before)"
	}
	fmt.Fprintf(out, "recorded as inbound %d: %s%s\n", res.InboundID, res.Verdict, dup)
	return nil
}

// openPipeline connects to the database, checks its schema, opens the
// bucket when there is one and builds the pipeline; the returned function
// closes them.
func openPipeline(ctx context.Context, cfg config, log *slog.Logger) (*mailin.Pipeline, func(), error) {
	db, err := threads.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	if err := schema.Check(ctx, db.DB); err != nil {
		db.Close()
		return nil, nil, err
	}
	// No probe here: one mail is one process, and a bucket that refuses the
	// write fails the delivery, which the MTA retries.
	bucket, err := openBucket(ctx, cfg.BlobURL, false)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	closeAll := func() { closeBucket(bucket); db.Close() }
	store, err := threads.NewStore(db, storeOptions(cfg.DatabaseURL, cfg.TokenKey, cfg.Files, bucket))
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	opts := cfg.In.Pipeline
	opts.Logger = log
	pipe, err := mailin.NewPipeline(store, opts)
	if err != nil {
		closeAll()
		return nil, nil, fmt.Errorf("MAILBOT_REPLY_ADDRESS: %w", err)
	}
	return pipe, closeAll, nil
}
