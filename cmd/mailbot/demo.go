package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"mailbot/blobstore"
	"mailbot/internal/pgcluster"
	"mailbot/internal/schema"
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

// Demo addresses: every person's mail and the service's replies stay in the
// demo's own mail world.
const (
	demoFrom     = "notifications@mailbot.test"
	demoReply    = "reply+{token}@reply.mailbot.test"
	demoBotInbox = "replies@mailbot.test"
)

func runDemo(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	var f demoFlags
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.StringVar(&f.stateDir, "state-dir", defaultStateDir(env), "where the demo keeps its database and keys between runs")
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
	unlock, err := lockStateDir(f.stateDir)
	if err != nil {
		return err
	}
	defer unlock()
	url, stop, err := demoDatabase(ctx, env, f.stateDir)
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
func runDemoServices(ctx context.Context, f demoFlags, ln net.Listener, dbURL string, store *threads.Store, world demoWorld, out io.Writer) error {
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
	apiKey, err := demoAPIKey(ctx, store, f.stateDir)
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
	h, err := handler(store, web.Options{Logger: log, Live: live}, nil, in, relay, demoInbox(mail, world))
	if err != nil {
		return err
	}
	printDemoBlock(out, demoBlock{webURL: webURL, world: world, apiKey: apiKey, smtp: mail.SMTPAddr(), imap: mail.IMAPAddr()})
	return serveHTTP(ctx, log, ln, nil, h)
}

// demoConfig is the configuration serve would read, pointed at the demo's
// mail world.
func demoConfig(f demoFlags, dbURL, webURL string) (config, error) {
	key, err := demoTokenKey(f.stateDir)
	if err != nil {
		return config{}, err
	}
	env := map[string]string{
		"DATABASE_URL": dbURL, "MAILBOT_TOKEN_KEY": hex.EncodeToString(key), "MAILBOT_BASE_URL": webURL,
		"MAILBOT_FROM": demoFrom, "MAILBOT_REPLY_ADDRESS": demoReply, "MAILBOT_SERVICE_NAME": "Mailbot demo",
		"MAILBOT_SMTP_ADDR": f.smtpAddr, "MAILBOT_SMTP_TLS": "none", "MAILBOT_SMTP_WORKERS": "2",
		"MAILBOT_IMAP_ADDR": f.imapAddr, "MAILBOT_IMAP_TLS": "none", "MAILBOT_IMAP_USERNAME": demoBotInbox,
		"MAILBOT_IMAP_PASSWORD": demoPassword, "MAILBOT_IMAP_POLL": "5s",
	}
	return loadConfig(func(k string) string { return env[k] })
}

func listenError(flagName, addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s is already in use: pass %s with another address (for example %s 127.0.0.1:0)", addr, flagName, flagName)
	}
	return fmt.Errorf("listen on %s (%s): %w", addr, flagName, err)
}

// lockStateDir keeps a second demo off a state directory in use: it would
// stop the first one's database.
func lockStateDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--state-dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "demo.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--state-dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another mailbot demo is using %s: stop it, or pass --state-dir with another directory", dir)
	}
	return func() { f.Close() }, nil
}

// defaultStateDir is a per-user state directory. Root's home is private, so
// the Postgres server (run as the postgres user) could not reach it there.
func defaultStateDir(env func(string) string) string {
	if os.Geteuid() == 0 {
		return "/var/lib/mailbot-demo"
	}
	if d := env("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "mailbot-demo")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "mailbot-demo")
	}
	return filepath.Join(os.TempDir(), "mailbot-demo")
}

// demoDatabase uses DATABASE_URL when set, else a private cluster in the
// state directory, which it stops when the demo ends.
func demoDatabase(ctx context.Context, env func(string) string, stateDir string) (string, func(), error) {
	if url := env("DATABASE_URL"); url != "" {
		return url, func() {}, nil
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(stateDir, "postgres")})
	if err != nil {
		if errors.Is(err, pgcluster.ErrNoBinaries) {
			return "", nil, err
		}
		return "", nil, fmt.Errorf("start the demo database: %w", err)
	}
	stop := func() { c.Stop(context.Background(), false) }
	return c.URL("postgres"), stop, nil
}

// openDemoStore keeps file bodies in bucket, or in Postgres when it is nil.
func openDemoStore(ctx context.Context, url, stateDir string, bucket *blobstore.Bucket) (*threads.Store, demoWorld, error) {
	db, err := threads.Open(ctx, url)
	if err != nil {
		return nil, demoWorld{}, err
	}
	if _, err := schema.Migrate(ctx, db.DB); err != nil {
		db.Close()
		return nil, demoWorld{}, err
	}
	key, err := demoTokenKey(stateDir)
	if err != nil {
		db.Close()
		return nil, demoWorld{}, err
	}
	store, err := threads.NewStore(db, storeOptions(url, key, threads.FileLimits{}, bucket))
	if err != nil {
		db.Close()
		return nil, demoWorld{}, err
	}
	world, err := seedDemo(ctx, store)
	if err != nil {
		db.Close()
		return nil, demoWorld{}, fmt.Errorf("seed demo data: %w", err)
	}
	return store, world, nil
}

// demoTokenKey keeps the reply-token key in the state directory, so reply
// addresses sent in one run still work in the next.
func demoTokenKey(stateDir string) ([]byte, error) {
	path := filepath.Join(stateDir, "token.key")
	if b, err := os.ReadFile(path); err == nil {
		return parseTokenKey(string(b))
	}
	key := make([]byte, 32)
	rand.Read(key)
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, err
	}
	return key, os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600)
}

type demoBlock struct {
	webURL, apiKey, smtp, imap string
	world                      demoWorld
}

func printDemoBlock(out io.Writer, d demoBlock) {
	var b strings.Builder
	w := d.world
	fmt.Fprintf(&b, "\nmailbot demo is running (Ctrl-C stops it)\n\n")
	fmt.Fprintf(&b, "  web          %s    demo inbox: %s/demo/inbox    admin: %s/admin\n", d.webURL, d.webURL, d.webURL)
	fmt.Fprintf(&b, "  firm         %s\n", demoFirm)
	fmt.Fprintf(&b, "  sign in      with any address below and the password %s\n", demoPassword)
	for _, p := range w.people {
		fmt.Fprintf(&b, "  person %-3d   %-16s %-26s %s\n", p.person.ID, p.person.Name, p.person.PrimaryEmail(), p.role)
	}
	for _, c := range w.companies {
		var allowed, refused []string
		for _, t := range w.transactions {
			if t.CompanyID != c.ID {
				continue
			}
			entry := strconv.FormatInt(t.ID, 10) + " " + t.Kind.Label()
			if t.Kind.AllowsConversation() == nil {
				allowed = append(allowed, entry)
			} else {
				refused = append(refused, entry)
			}
		}
		fmt.Fprintf(&b, "  company %-3d  %s (API id %s)\n", c.ID, c.Name, c.ExternalID)
		fmt.Fprintf(&b, "    txns       %s\n    refused    %s\n", strings.Join(allowed, ", "), strings.Join(refused, ", "))
	}
	fmt.Fprintf(&b, "  API key      %s   (Authorization: Bearer …, see README)\n", d.apiKey)
	fmt.Fprintf(&b, "  mail client  IMAP %s and SMTP %s, no TLS; user = a person's address, password %s\n", d.imap, d.smtp, demoPassword)
	fmt.Fprintf(&b, "\n  try first    open %s/companies/%d/transactions/%d, sign in as %s, post to Dana;\n",
		d.webURL, w.transactions[0].CompanyID, w.transactions[0].ID, w.people[0].person.PrimaryEmail())
	fmt.Fprintf(&b, "               then open the demo inbox as Dana and reply to the email: it lands in Activities.\n\n")
	io.WriteString(out, b.String())
}
