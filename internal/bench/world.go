package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbot/internal/demo"
	"mailbot/internal/demomail"
	"mailbot/internal/schema"
	"mailbot/threads"
)

// world is a database with a company, an accountant and 16 clients who
// each got a message (and so a reply address), and the demo's mail world.
type world struct {
	target     Options
	svc        Service
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

func (b *world) close() {
	for i := len(b.cleanup) - 1; i >= 0; i-- {
		b.cleanup[i]()
	}
}

func newWorld(ctx context.Context, t Options, svc Service) (*world, error) {
	b := &world{key: make([]byte, 32), target: t, svc: svc}
	rand.Read(b.key)
	if err := b.openDatabase(ctx); err != nil {
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
	if t.IMAP.Addr != "" {
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
func (b *world) openAppender() error {
	o := b.target.IMAP
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
func (b *world) deliver(raw []byte) error {
	if b.appender == nil {
		return b.mail.Deliver("replies@bench.test", raw)
	}
	cmd := b.appender.Append(b.target.IMAP.Mailbox, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

func (b *world) openDatabase(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "mailbot-bench-")
	if err != nil {
		return err
	}
	os.Chmod(dir, 0o755) // the database runs as another user when root
	b.cleanup = append(b.cleanup, func() { os.RemoveAll(dir) })
	url, stop, err := demo.Database(ctx, b.target.DatabaseURL, dir)
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
	opts := &threads.Options{DatabaseURL: b.dbURL, TokenKey: b.key}
	if b.target.StoreOptions != nil {
		opts = b.target.StoreOptions(b.dbURL, b.key)
	}
	b.store, err = threads.NewStore(db, opts)
	return err
}

func (b *world) seed(ctx context.Context) error {
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

func (b *world) startMail() error {
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

// settings are what serve would read for this bench world.
func (b *world) settings(webURL string) func(string) string {
	envs := map[string]string{
		"DATABASE_URL": b.dbURL, "MAILBOT_TOKEN_KEY": fmt.Sprintf("%x", b.key), "MAILBOT_BASE_URL": webURL,
		"MAILBOT_FROM": "notifications@bench.test", "MAILBOT_REPLY_ADDRESS": "reply+{token}@reply.bench.test",
		"MAILBOT_SMTP_ADDR": b.smtpAddr, "MAILBOT_SMTP_TLS": "none", "MAILBOT_SMTP_WORKERS": "2",
		"MAILBOT_IMAP_ADDR": b.imapAddr, "MAILBOT_IMAP_TLS": "none", "MAILBOT_IMAP_USERNAME": "replies@bench.test",
		"MAILBOT_IMAP_PASSWORD": "bench-password", "MAILBOT_IMAP_POLL": "1s",
	}
	if t := b.target.IMAP; t.Addr != "" {
		envs["MAILBOT_IMAP_ADDR"], envs["MAILBOT_IMAP_TLS"] = t.Addr, t.TLS
		envs["MAILBOT_IMAP_USERNAME"], envs["MAILBOT_IMAP_PASSWORD"], envs["MAILBOT_IMAP_MAILBOX"] = t.Username, t.Password, t.Mailbox
	}
	if t := b.target.SMTP; t.Addr != "" {
		envs["MAILBOT_SMTP_ADDR"], envs["MAILBOT_SMTP_TLS"] = t.Addr, t.TLS
		envs["MAILBOT_SMTP_USERNAME"], envs["MAILBOT_SMTP_PASSWORD"] = t.Username, t.Password
	}
	return func(k string) string { return envs[k] }
}
