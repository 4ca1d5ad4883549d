package mailout_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	_ "github.com/emersion/go-message/charset"
	gomail "github.com/emersion/go-message/mail"
	"github.com/jmoiron/sqlx"

	"mailbot/internal/pgtest"
	"mailbot/internal/smtptest"
	"mailbot/mailbot/mailout"
	"mailbot/templates"
	"mailbot/threads"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type fixture struct {
	store      *threads.Store
	db         *sqlx.DB // the store's, for rows no method reaches
	composer   *mailout.Composer
	smtp       *smtptest.Server
	accountant threads.Person
	client     threads.Person // Spanish-speaking
	clientEN   threads.Person
	company    threads.Company
	invoice    threads.Transaction
}

var testOptions = mailout.Options{
	ServiceName:  "Ledger Chat",
	FromAddress:  "notifications@mail.example.test",
	ReplyAddress: "reply+{token}@reply.example.test",
	BaseURL:      "https://app.example.test/",
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db := pgtest.DB(t)
	store, err := threads.NewStore(db, &threads.Options{TokenKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	composer, err := mailout.NewComposer(testOptions, templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, db: db, composer: composer, smtp: smtptest.Start(t)}
	ctx := context.Background()
	f.company, _ = store.UpsertCompany(ctx, "harbor", "Harbor Tools Ltd")
	f.accountant = f.person(t, "acc", "Avery Quill", "avery@firm.test", "en")
	f.client = f.person(t, "cli", "Flor Soledad", "flor@client.test", "es")
	f.clientEN = f.person(t, "cli2", "Dana Harbor", "dana@client.test", "en")
	f.invoice, err = store.UpsertTransaction(ctx, f.company.ID, threads.TransactionInput{
		ExternalID: "inv-1", Kind: threads.KindInvoice, Number: "A-1001",
		Date: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), AmountMinor: 125000, Currency: "USD",
		Counterparty: "Coastal Steel Supply", Posted: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) person(t testing.TB, id, name, email, locale string) threads.Person {
	t.Helper()
	p, err := f.store.UpsertPerson(context.Background(), threads.PersonInput{ExternalID: id, Name: name, Locale: locale,
		Emails: []threads.EmailAddress{{Address: email, Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	role := threads.RoleClient
	if id == "acc" {
		role = threads.RoleAccountant
	}
	if err := f.store.SetMembership(context.Background(), f.company.ID, p.ID, role); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) post(t testing.TB, from, to threads.Person, body string) threads.Message {
	t.Helper()
	m, err := f.store.PostMessage(context.Background(), threads.NewMessage{TransactionID: f.invoice.ID,
		AuthorID: from.ID, RecipientID: to.ID, Body: body, Source: threads.SourceWeb})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) worker(t testing.TB, addr string, opts *mailout.WorkerOptions) *mailout.Worker {
	t.Helper()
	sender, err := mailout.NewSMTPSender(mailout.SMTPOptions{Addr: addr, TLS: mailout.TLSNone, CommandTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sender.Close() })
	return mailout.NewWorker(f.store, f.composer, sender, opts)
}

// drain runs the worker until nothing is due or claimed, or rounds run out.
func drain(t testing.TB, w *mailout.Worker, rounds int) {
	t.Helper()
	for range rounds {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

type outboxRow struct {
	Status    string `db:"status"`
	LastError string `db:"last_error"`
	Attempts  int    `db:"attempts"`
	MailID    string `db:"mail_id"`
}

func (f *fixture) outbox(t testing.TB) []outboxRow {
	t.Helper()
	var rows []outboxRow
	if err := f.db.Select(&rows, `SELECT status, last_error, attempts, mail_id FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return rows
}

// parsed is a received email read back with go-message.
type parsed struct {
	header      gomail.Header
	text        string
	html        string
	attachments []attachment
}

type attachment struct {
	name, contentType string
	data              []byte
}

func parse(t testing.TB, data []byte) parsed {
	t.Helper()
	r, err := gomail.CreateReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, data)
	}
	p := parsed{header: r.Header}
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(part.Body)
		if ah, ok := part.Header.(*gomail.AttachmentHeader); ok {
			name, err := ah.Filename()
			if err != nil {
				t.Errorf("attachment name: %v", err)
			}
			ct, _, _ := ah.ContentType()
			p.attachments = append(p.attachments, attachment{name: name, contentType: ct, data: raw})
			continue
		}
		body := strings.ReplaceAll(string(raw), "\r\n", "\n")
		ct := part.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "text/plain"):
			p.text = body
		case strings.HasPrefix(ct, "text/html"):
			p.html = body
		}
	}
	return p
}

// composeAndSend writes the email for a notification made by hand and sends
// it to the recording server.
func (f *fixture) composeAndSend(t *testing.T, n threads.Notification) {
	t.Helper()
	email, err := f.composer.Compose(t.Context(), n, f.store, f.store)
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mailout.NewSMTPSender(mailout.SMTPOptions{Addr: f.smtp.Addr, TLS: mailout.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close()
	if err := sender.Send(t.Context(), email.From, email.To, email.Data); err != nil {
		t.Fatal(err)
	}
}
