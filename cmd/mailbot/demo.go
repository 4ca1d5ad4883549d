//go:build !nodemo

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"mailbot/blobstore"
	"mailbot/internal/demo"
	"mailbot/internal/demomail"
	"mailbot/internal/schema"
	"mailbot/mailbot/inbound"
	"mailbot/mailbot/mailout"
	"mailbot/threads"
	"mailbot/web"
)

type demoFlags struct {
	stateDir string
	httpAddr string
	smtpAddr string
	imapAddr string
	fresh    bool
}

func runDemo(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	var f demoFlags
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.StringVar(&f.stateDir, "state-dir", demo.DefaultStateDir(env), "where the demo keeps its database and keys between runs")
	fs.StringVar(&f.httpAddr, "http", "127.0.0.1:8080", "address of the web server")
	fs.StringVar(&f.smtpAddr, "smtp", "127.0.0.1:2525", "address of the demo's SMTP server")
	fs.StringVar(&f.imapAddr, "imap", "127.0.0.1:1143", "address of the demo's IMAP server")
	boolVar(fs, &f.fresh, "fresh", "delete the demo's state and start over")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.httpAddr)
	if err != nil {
		return listenError("--http", f.httpAddr, err)
	}
	defer ln.Close()
	for _, p := range []struct{ flag, addr string }{{"--smtp", f.smtpAddr}, {"--imap", f.imapAddr}} {
		l, err := net.Listen("tcp", p.addr)
		if err != nil {
			return listenError(p.flag, p.addr, err)
		}
		l.Close()
	}
	if f.fresh {
		if err := os.RemoveAll(f.stateDir); err != nil {
			return fmt.Errorf("--fresh: %w", err)
		}
	}
	unlock, err := demo.LockStateDir(f.stateDir)
	if err != nil {
		return err
	}
	defer unlock()
	url, stop, err := demo.Database(ctx, env("DATABASE_URL"), f.stateDir)
	if err != nil {
		return err
	}
	defer stop()
	bucket, err := openBucket(ctx, env("MAILBOT_BLOB_URL"), true)
	if err != nil {
		return err
	}
	defer closeBucket(bucket)
	store, world, err := openDemoStore(ctx, url, f.stateDir, bucket)
	if err != nil {
		return err
	}
	defer store.Close()
	return runDemoServices(ctx, f, ln, url, store, world, out)
}

// runDemoServices starts the mail world, the outbox workers, the IMAP
// intake and the web server, all in this process, until ctx ends.
func runDemoServices(ctx context.Context, f demoFlags, ln net.Listener, dbURL string, store *threads.Store, world demo.World, out io.Writer) error {
	log := newLogger(os.Stderr)
	webURL := "http://" + ln.Addr().String()
	cfg, err := demoConfig(f, dbURL, webURL)
	if err != nil {
		return err
	}
	mail, err := startDemoMail(f, cfg, world)
	if err != nil {
		return err
	}
	defer mail.Close()
	apiKey, err := demo.APIKey(ctx, store, f.stateDir)
	if err != nil {
		return err
	}
	relay := &mailout.Relay{}
	workers, err := outboxWorkers(cfg, store, log, nil, relay)
	if err != nil {
		return err
	}
	in, err := newIntakes(ctx, cfg.In, store, log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	stopWorkers, err := startWorkers(ctx, store, workers)
	if err != nil {
		cancel()
		return err
	}
	stopIntakes := in.start(ctx, log)
	defer func() { cancel(); stopIntakes(); stopWorkers() }()
	live, err := web.Listen(ctx, dbURL, log)
	if err != nil {
		return err
	}
	h, err := handler(store, web.Options{Logger: log, Live: live}, nil, in, relay, mail.Inbox(world))
	if err != nil {
		return err
	}
	demo.PrintBlock(out, demo.Block{WebURL: webURL, World: world, APIKey: apiKey, SMTP: mail.SMTPAddr(), IMAP: mail.IMAPAddr()})
	return serveHTTP(ctx, log, ln, nil, h)
}

// demoConfig is the configuration serve would read, pointed at the demo's
// mail world.
func demoConfig(f demoFlags, dbURL, webURL string) (config, error) {
	key, err := demo.TokenKey(f.stateDir)
	if err != nil {
		return config{}, err
	}
	env := map[string]string{
		"DATABASE_URL": dbURL, "MAILBOT_TOKEN_KEY": strings.TrimSpace(key), "MAILBOT_BASE_URL": webURL,
		"MAILBOT_FROM": demo.From, "MAILBOT_REPLY_ADDRESS": demo.Reply, "MAILBOT_SERVICE_NAME": "Mailbot demo",
		"MAILBOT_SMTP_ADDR": f.smtpAddr, "MAILBOT_SMTP_TLS": "none", "MAILBOT_SMTP_WORKERS": "2",
		"MAILBOT_IMAP_ADDR": f.imapAddr, "MAILBOT_IMAP_TLS": "none", "MAILBOT_IMAP_USERNAME": demo.BotInbox,
		"MAILBOT_IMAP_PASSWORD": demo.Password, "MAILBOT_IMAP_POLL": "5s",
	}
	return loadConfig(func(k string) string { return env[k] })
}

// startDemoMail starts the mail world; a port taken since the check at
// start is named by its flag.
func startDemoMail(f demoFlags, cfg config, world demo.World) (*demo.Mail, error) {
	matcher, err := inbound.NewMatcher(cfg.In.Pipeline.Addressing)
	if err != nil {
		return nil, err
	}
	mail, err := demo.StartMail(world, demo.MailOptions{SMTPAddr: f.smtpAddr, IMAPAddr: f.imapAddr,
		MaxBytes: cfg.In.Pipeline.MaxSize, IsReplyAddress: func(a string) bool { _, ok := matcher.IsReplyAddress(a); return ok }})
	if err != nil {
		if le, ok := errors.AsType[*demomail.ListenError](err); ok {
			if le.Server == "smtp" {
				return nil, listenError("--smtp", f.smtpAddr, le.Err)
			}
			return nil, listenError("--imap", f.imapAddr, le.Err)
		}
		return nil, fmt.Errorf("start the demo mail servers: %w", err)
	}
	return mail, nil
}

func listenError(flagName, addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s is already in use: pass %s with another address (for example %s 127.0.0.1:0)", addr, flagName, flagName)
	}
	return fmt.Errorf("listen on %s (%s): %w", addr, flagName, err)
}

// openDemoStore keeps file bodies in bucket, or in Postgres when it is nil.
func openDemoStore(ctx context.Context, url, stateDir string, bucket *blobstore.Bucket) (*threads.Store, demo.World, error) {
	db, err := threads.Open(ctx, url)
	if err != nil {
		return nil, demo.World{}, err
	}
	if _, err := schema.Migrate(ctx, db.DB); err != nil {
		db.Close()
		return nil, demo.World{}, err
	}
	hexKey, err := demo.TokenKey(stateDir)
	if err != nil {
		db.Close()
		return nil, demo.World{}, err
	}
	key, err := parseTokenKey(hexKey)
	if err != nil {
		db.Close()
		return nil, demo.World{}, err
	}
	store, err := threads.NewStore(db, storeOptions(url, key, threads.FileLimits{}, bucket))
	if err != nil {
		db.Close()
		return nil, demo.World{}, err
	}
	world, err := demo.Seed(ctx, store)
	if err != nil {
		db.Close()
		return nil, demo.World{}, fmt.Errorf("seed demo data: %w", err)
	}
	return store, world, nil
}
