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

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbot/internal/demo"
	"mailbot/internal/demomail"
	"mailbot/internal/schema"
	"mailbot/mailbot/mailin"
	"mailbot/mailbot/mailout"
	"mailbot/threads"
)

const benchUsage = `usage: mailbot bench ingest|notify|web [-n N] [--json] [target flags]

Measures the service as it runs: ingest (replies from an IMAP mailbox to
committed posts), notify (posted messages to emails accepted by SMTP), web
(company home and a 1,000-message transaction page). By default everything
runs in process against a throwaway Postgres cluster, or DATABASE_URL when
set. --imap-addr points ingest at a real IMAP server (give it an empty,
dedicated mailbox; it is created when missing) and --smtp-addr points notify
at a real SMTP server.`

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
	asJSON := newBool(fs, "json", "print one JSON object")
	var t benchTarget
	fs.StringVar(&t.imap.Addr, "imap-addr", "", "IMAP server host:port for ingest; empty: the in-process server")
	fs.StringVar(&t.imap.TLS, "imap-tls", "tls", "tls, starttls or none")
	fs.StringVar(&t.imap.Username, "imap-user", "", "IMAP user name")
	fs.StringVar(&t.imap.Password, "imap-password", "", "IMAP password")
	fs.StringVar(&t.imap.Mailbox, "imap-mailbox", "INBOX", "an empty mailbox the bench may fill")
	fs.StringVar(&t.smtp.Addr, "smtp-addr", "", "SMTP server host:port for notify; empty: the in-process server")
	fs.StringVar(&t.smtp.TLS, "smtp-tls", "starttls", "starttls, tls or none")
	fs.StringVar(&t.smtp.Username, "smtp-user", "", "SMTP AUTH user name; no AUTH when empty")
	fs.StringVar(&t.smtp.Password, "smtp-password", "", "SMTP AUTH password")
	fs.IntVar(&t.attachKB, "attach-kb", 0, "ingest: every reply carries a PDF of this many KiB (0: one in four carries a tiny one)")
	fs.StringVar(&t.blobURL, "blob-url", env("MAILBOT_BLOB_URL"), "keep file bodies in this bucket (file:///dir, s3://…) instead of Postgres")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	b, err := newBenchWorld(ctx, env, t)
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

// benchTarget names external mail servers to measure against.
type benchTarget struct {
	imap     mailin.IMAPOptions
	smtp     mailout.SMTPOptions
	attachKB int
	blobURL  string
}

// benchWorld is a database with a company, an accountant and 16 clients who
// each got a message (and so a reply address), and the demo's mail world.
type benchWorld struct {
	target     benchTarget
	appender   *imapclient.Client // to the external IMAP server, when there is one
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

func newBenchWorld(ctx context.Context, env func(string) string, t benchTarget) (*benchWorld, error) {
	b := &benchWorld{key: make([]byte, 32), target: t}
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
	if t.imap.Addr != "" {
		if err := b.openAppender(); err != nil {
			b.close()
			return nil, err
		}
	}
	return b, nil
}

// openAppender connects to the external IMAP server as a mail server's
// delivery would, and checks the mailbox is empty: the bench measures
// replies it put there, not mail that was waiting.
func (b *benchWorld) openAppender() error {
	o := b.target.imap
	var c *imapclient.Client
	var err error
	switch o.TLS {
	case "none":
		c, err = imapclient.DialInsecure(o.Addr, nil)
	case "starttls":
		c, err = imapclient.DialStartTLS(o.Addr, nil)
	default:
		c, err = imapclient.DialTLS(o.Addr, nil)
	}
	if err != nil {
		return fmt.Errorf("bench: IMAP server %s: %w", o.Addr, err)
	}
	b.appender = c
	b.cleanup = append(b.cleanup, func() { c.Logout().Wait(); c.Close() })
	if err := c.Login(o.Username, o.Password).Wait(); err != nil {
		return fmt.Errorf("bench: IMAP login as %q: %w", o.Username, err)
	}
	c.Create(o.Mailbox, nil).Wait() // fails when it exists, which is fine
	st, err := c.Status(o.Mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		return fmt.Errorf("bench: IMAP mailbox %q: %w", o.Mailbox, err)
	}
	if st.NumMessages != nil && *st.NumMessages > 0 {
		return fmt.Errorf("bench: IMAP mailbox %q holds %d messages; point --imap-mailbox at an empty, dedicated mailbox (it is created when missing)",
			o.Mailbox, *st.NumMessages)
	}
	return nil
}

// deliver puts a reply into the mailbox the intake reads.
func (b *benchWorld) deliver(raw []byte) error {
	if b.appender == nil {
		return b.mail.Deliver("replies@bench.test", raw)
	}
	cmd := b.appender.Append(b.target.imap.Mailbox, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

func (b *benchWorld) openDatabase(ctx context.Context, env func(string) string) error {
	dir, err := os.MkdirTemp("", "mailbot-bench-")
	if err != nil {
		return err
	}
	os.Chmod(dir, 0o755) // the database runs as another user when root
	b.cleanup = append(b.cleanup, func() { os.RemoveAll(dir) })
	url, stop, err := demo.Database(ctx, env("DATABASE_URL"), dir)
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
	bucket, err := openBucket(ctx, b.target.blobURL, true)
	if err != nil {
		return err
	}
	b.cleanup = append(b.cleanup, func() { closeBucket(bucket) })
	b.store, err = threads.NewStore(db, storeOptions(b.dbURL, b.key, threads.FileLimits{}, bucket))
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
	if t := b.target.imap; t.Addr != "" {
		envs["MAILBOT_IMAP_ADDR"], envs["MAILBOT_IMAP_TLS"] = t.Addr, t.TLS
		envs["MAILBOT_IMAP_USERNAME"], envs["MAILBOT_IMAP_PASSWORD"], envs["MAILBOT_IMAP_MAILBOX"] = t.Username, t.Password, t.Mailbox
	}
	if t := b.target.smtp; t.Addr != "" {
		envs["MAILBOT_SMTP_ADDR"], envs["MAILBOT_SMTP_TLS"] = t.Addr, t.TLS
		envs["MAILBOT_SMTP_USERNAME"], envs["MAILBOT_SMTP_PASSWORD"] = t.Username, t.Password
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
