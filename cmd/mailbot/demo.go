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
	"strings"
	"syscall"
	"time"

	"mailbot/internal/pgcluster"
	"mailbot/internal/schema"
	"mailbot/threads"
	"mailbot/web"
)

type demoFlags struct {
	stateDir string
	httpAddr string
	fresh    bool
}

func runDemo(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	var f demoFlags
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.StringVar(&f.stateDir, "state-dir", defaultStateDir(env), "where the demo keeps its database and keys between runs")
	fs.StringVar(&f.httpAddr, "http", "127.0.0.1:8080", "address of the web server")
	fs.BoolVar(&f.fresh, "fresh", false, "delete the demo's state and start over")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.httpAddr)
	if err != nil {
		return listenError("--http", f.httpAddr, err)
	}
	defer ln.Close()
	if f.fresh {
		if err := os.RemoveAll(f.stateDir); err != nil {
			return fmt.Errorf("--fresh: %w", err)
		}
	}
	url, stop, err := demoDatabase(ctx, env, f.stateDir)
	if err != nil {
		return err
	}
	defer stop()
	store, world, err := openDemoStore(ctx, url, f.stateDir)
	if err != nil {
		return err
	}
	defer store.DB().Close()
	printDemoBlock(out, "http://"+ln.Addr().String(), world)
	h, err := handler(store, web.Options{Logger: newLogger(os.Stderr)}, nil, nil)
	if err != nil {
		return err
	}
	return serveHTTP(ctx, newLogger(os.Stderr), ln, h)
}

func listenError(flagName, addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s is already in use: pass %s with another address (for example %s 127.0.0.1:0)", addr, flagName, flagName)
	}
	return fmt.Errorf("listen on %s (%s): %w", addr, flagName, err)
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

func openDemoStore(ctx context.Context, url, stateDir string) (*threads.Store, demoWorld, error) {
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
	store, err := threads.NewStore(db, &threads.Options{TokenKey: key})
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

func printDemoBlock(out io.Writer, webURL string, w demoWorld) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nmailbot demo is running (Ctrl-C stops it)\n\n")
	fmt.Fprintf(&b, "  web        %s   (health: %s/healthz)\n", webURL, webURL)
	fmt.Fprintf(&b, "  firm       %s\n", demoFirm)
	fmt.Fprintf(&b, "  password   %s (every demo person signs in with their email and this)\n", demoPassword)
	for _, p := range w.people {
		fmt.Fprintf(&b, "  person     id %-3d %-16s %-26s %s\n", p.person.ID, p.person.Name, p.person.PrimaryEmail(), p.role)
	}
	for _, c := range w.companies {
		fmt.Fprintf(&b, "  company    id %-3d %s\n", c.ID, c.Name)
	}
	for _, t := range w.transactions {
		fmt.Fprintf(&b, "  txn        id %-3d %-26s %s\n", t.ID, t.Describe(), conversationNote(t))
	}
	fmt.Fprintf(&b, "\n  started %s\n\n", time.Now().Format(time.DateTime))
	io.WriteString(out, b.String())
}

func conversationNote(t threads.Transaction) string {
	if err := t.Kind.AllowsConversation(); err != nil {
		return "(" + err.Error() + ")"
	}
	return "conversation allowed"
}
