package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"mailbot/internal/demomail"
	"mailbot/internal/schema"
	"mailbot/threads"
)

const benchUsage = `usage: mailbot bench ingest|notify|web [-n N] [--json]

Measures the service as it runs: ingest (replies from an IMAP mailbox to
committed posts), notify (posted messages to emails accepted by SMTP), web
(company home and a 1,000-message transaction page). Everything runs in
process against a throwaway Postgres cluster, or DATABASE_URL when set.`

// benchResult is one run's figures, printed as a table or as JSON.
type benchResult struct {
	Bench   string             `json:"bench"`
	N       int                `json:"n"`
	Figures map[string]float64 `json:"figures"`
	order   []string
}

func (r *benchResult) set(name string, v float64) {
	if r.Figures == nil {
		r.Figures = map[string]float64{}
	}
	r.Figures[name] = v
	r.order = append(r.order, name)
}

func runBench(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	if len(args) == 0 || !slices.Contains([]string{"ingest", "notify", "web"}, args[0]) {
		fmt.Fprintln(os.Stderr, benchUsage)
		return errors.New("name a benchmark: ingest, notify or web")
	}
	fs := flag.NewFlagSet("bench "+args[0], flag.ContinueOnError)
	n := fs.Int("n", 2000, "how many replies, messages or requests")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	b, err := newBenchWorld(ctx, env)
	if err != nil {
		return err
	}
	defer b.close()
	var res benchResult
	switch args[0] {
	case "ingest":
		res, err = b.ingest(ctx, *n)
	case "notify":
		res, err = b.notify(ctx, *n)
	case "web":
		res, err = b.web(ctx, *n)
	}
	if err != nil {
		return err
	}
	res.Figures["peak_rss_mib"] = peakRSSMiB()
	res.order = append(res.order, "peak_rss_mib")
	if *asJSON {
		return json.NewEncoder(out).Encode(res)
	}
	fmt.Fprintf(out, "bench %s, n=%d\n", res.Bench, res.N)
	for _, k := range res.order {
		fmt.Fprintf(out, "  %-22s %12.1f\n", k, res.Figures[k])
	}
	return nil
}

// benchWorld is a database with a company, an accountant and 16 clients who
// each got a message (and so a reply address), and the demo's mail world.
type benchWorld struct {
	dbURL      string
	store      *threads.Store
	mail       *demomail.World
	smtpAddr   string
	imapAddr   string
	company    threads.Company
	invoice    threads.Transaction
	accountant threads.Person
	clients    []threads.Person
	tokens     []string
	key        []byte
	cleanup    []func()
}

func (b *benchWorld) close() {
	for i := len(b.cleanup) - 1; i >= 0; i-- {
		b.cleanup[i]()
	}
}

func newBenchWorld(ctx context.Context, env func(string) string) (*benchWorld, error) {
	b := &benchWorld{key: make([]byte, 32)}
	rand.Read(b.key)
	if err := b.openDatabase(ctx, env); err != nil {
		b.close()
		return nil, err
	}
	if err := b.seed(ctx); err != nil {
		b.close()
		return nil, fmt.Errorf("bench: seed: %w", err)
	}
	if err := b.startMail(); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func (b *benchWorld) openDatabase(ctx context.Context, env func(string) string) error {
	dir, err := os.MkdirTemp("", "mailbot-bench-")
	if err != nil {
		return err
	}
	os.Chmod(dir, 0o755) // the database runs as another user when root
	b.cleanup = append(b.cleanup, func() { os.RemoveAll(dir) })
	url, stop, err := demoDatabase(ctx, env, dir)
	if err != nil {
		return err
	}
	b.cleanup = append(b.cleanup, stop)
	b.dbURL = url
	db, err := threads.Open(ctx, b.dbURL)
	if err != nil {
		return err
	}
	b.cleanup = append(b.cleanup, func() { db.Close() })
	if _, err := schema.Migrate(ctx, db.DB); err != nil {
		return err
	}
	b.store, err = threads.NewStore(db, &threads.Options{TokenKey: b.key})
	return err
}

func (b *benchWorld) seed(ctx context.Context) error {
	s := b.store
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())
	var err error
	if b.company, err = s.UpsertCompany(ctx, "bench-"+suffix, "Bench Co "+suffix); err != nil {
		return err
	}
	person := func(i int, role threads.Role) (threads.Person, error) {
		p, err := s.UpsertPerson(ctx, threads.PersonInput{ExternalID: fmt.Sprintf("bench-%s-%d", suffix, i),
			Name: fmt.Sprintf("Bench Person %d", i), Emails: []threads.EmailAddress{
				{Address: fmt.Sprintf("p%d.%s@bench.test", i, suffix), Verified: true}}})
		if err == nil {
			err = s.SetMembership(ctx, b.company.ID, p.ID, role)
		}
		return p, err
	}
	if b.accountant, err = person(0, threads.RoleAccountant); err != nil {
		return err
	}
	if b.invoice, err = s.UpsertTransaction(ctx, b.company.ID, threads.TransactionInput{ExternalID: "inv-" + suffix,
		Kind: threads.KindInvoice, Number: "B-1", Date: time.Now(), AmountMinor: 125000, Currency: "USD"}); err != nil {
		return err
	}
	for i := 1; i <= 16; i++ {
		c, err := person(i, threads.RoleClient)
		if err != nil {
			return err
		}
		if _, err := s.PostMessage(ctx, threads.NewMessage{TransactionID: b.invoice.ID, AuthorID: b.accountant.ID,
			RecipientID: c.ID, Body: "What was this charge for?", Source: threads.SourceWeb}); err != nil {
			return err
		}
		token, err := s.ReplyTokenFor(ctx, c.ID, b.invoice.ID)
		if err != nil {
			return err
		}
		b.clients, b.tokens = append(b.clients, c), append(b.tokens, token)
	}
	return nil
}

func (b *benchWorld) startMail() error {
	var users []string
	for _, p := range append([]threads.Person{b.accountant}, b.clients...) {
		users = append(users, p.PrimaryEmail())
	}
	b.smtpAddr, b.imapAddr = freeLoopback(), freeLoopback()
	w, err := demomail.Start(demomail.Options{SMTPAddr: b.smtpAddr, IMAPAddr: b.imapAddr, Users: users,
		Password: "bench-password", BotUser: "replies@bench.test", MaxBytes: 25 << 20,
		IsReplyAddress: func(a string) bool { return strings.HasPrefix(a, "reply+") }})
	if err != nil {
		return fmt.Errorf("bench: mail servers: %w", err)
	}
	b.mail = w
	b.cleanup = append(b.cleanup, w.Close)
	return nil
}

func freeLoopback() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer l.Close()
	return l.Addr().String()
}

// config is what serve would read for this bench world.
func (b *benchWorld) config(webURL string) (config, error) {
	envs := map[string]string{
		"DATABASE_URL": b.dbURL, "MAILBOT_TOKEN_KEY": fmt.Sprintf("%x", b.key), "MAILBOT_BASE_URL": webURL,
		"MAILBOT_FROM": "notifications@bench.test", "MAILBOT_REPLY_ADDRESS": "reply+{token}@reply.bench.test",
		"MAILBOT_SMTP_ADDR": b.smtpAddr, "MAILBOT_SMTP_TLS": "none", "MAILBOT_SMTP_WORKERS": "2",
		"MAILBOT_IMAP_ADDR": b.imapAddr, "MAILBOT_IMAP_TLS": "none", "MAILBOT_IMAP_USERNAME": "replies@bench.test",
		"MAILBOT_IMAP_PASSWORD": "bench-password", "MAILBOT_IMAP_POLL": "1s",
	}
	return loadConfig(func(k string) string { return envs[k] })
}

// percentile of sorted durations, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(int(float64(len(sorted))*p), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}

// peakRSSMiB is the process's peak resident memory.
func peakRSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			return kb / 1024
		}
	}
	return 0
}
