package mailin_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"mailbot/internal/pgtest"
	"mailbot/internal/testclock"
	"mailbot/mailbot/inbound"
	"mailbot/mailbot/mailin"
	"mailbot/threads"
)

func TestMain(m *testing.M) {
	inbound.InstallCharsetReader()
	pgtest.Main(m)
}

var addressing = inbound.Addressing{
	ReplyPattern: "reply+{token}@reply.example.test",
	IDDomain:     "mail.example.test",
	OwnAddresses: []string{"notifications@mail.example.test"},
}

type fixture struct {
	store              *threads.Store
	db                 *sqlx.DB // the store's, for rows no method reaches
	clock              *testclock.Clock
	pipe               *mailin.Pipeline
	company            threads.Company
	accountant, client threads.Person
	invoice            threads.Transaction
	token              string // the client's reply token on the invoice
	mailID             string // Message-ID local part of the notification to the client
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	c := testclock.New()
	db := pgtest.DB(t)
	store, err := threads.NewStore(db, &threads.Options{TokenKey: bytes.Repeat([]byte{9}, 32), Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, db: db, clock: c}
	f.company, _ = store.UpsertCompany(ctx, "harbor", "Harbor Tools Ltd")
	f.accountant = f.person(t, "acc", "Avery Quill", "avery@firm.test", threads.RoleAccountant)
	f.client = f.person(t, "cli", "Dana Harbor", "dana@client.test", threads.RoleClient)
	f.invoice, err = store.UpsertTransaction(ctx, f.company.ID, threads.TransactionInput{ExternalID: "inv-1",
		Kind: threads.KindInvoice, Number: "A-1001", Date: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC),
		AmountMinor: 125000, Currency: "USD", Counterparty: "Coastal Steel Supply"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID,
		RecipientID: f.client.ID, Body: "What was this charge for?", Source: threads.SourceWeb}); err != nil {
		t.Fatal(err)
	}
	f.token, _ = store.ReplyTokenFor(ctx, f.client.ID, f.invoice.ID)
	db.Get(&f.mailID, `SELECT mail_id FROM outbox WHERE recipient_id = $1`, f.client.ID)
	f.pipe, err = mailin.NewPipeline(store, mailin.Options{Addressing: addressing})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) person(t testing.TB, id, name, email string, role threads.Role) threads.Person {
	t.Helper()
	p, err := f.store.UpsertPerson(context.Background(), threads.PersonInput{ExternalID: id, Name: name,
		Emails: []threads.EmailAddress{{Address: email, Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetMembership(context.Background(), f.company.ID, p.ID, role); err != nil {
		t.Fatal(err)
	}
	return p
}

// reply is a mail as a mail client writes a reply; fields left empty get
// the fixture's values.
type reply struct {
	from, to, subject, msgID, inReplyTo, extra, body, contentType string
}

func (f *fixture) raw(r reply) []byte {
	if r.from == "" {
		r.from = "Dana Harbor <dana@client.test>"
	}
	if r.to == "" {
		r.to = "Avery Quill via Ledger Chat <reply+" + f.token + "@reply.example.test>"
	}
	if r.subject == "" {
		r.subject = "Re: Invoice A-1001 · Harbor Tools Ltd"
	}
	if r.msgID == "" {
		r.msgID = fmt.Sprintf("<%d.reply@client.test>", time.Now().UnixNano())
	}
	if r.inReplyTo == "" {
		r.inReplyTo = "<" + f.mailID + "@mail.example.test>"
	}
	if r.body == "" {
		r.body = "It was the spring stock order.\r\n\r\nOn Tue, Mar 3, 2026 at 9:14 AM Avery Quill via Ledger Chat <notifications@mail.example.test> wrote:\r\n> ##- Please type your reply above this line -##\r\n> What was this charge for?\r\n"
	}
	if r.contentType == "" {
		r.contentType = "text/plain; charset=utf-8"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: =?utf-8?q?%s?=\r\nMessage-ID: %s\r\nIn-Reply-To: %s\r\nReferences: %s\r\n",
		r.from, r.to, strings.ReplaceAll(strings.ReplaceAll(r.subject, " ", "_"), "·", "=C2=B7"), r.msgID, r.inReplyTo, r.inReplyTo)
	fmt.Fprintf(&b, "Date: Tue, 03 Mar 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: %s\r\n%s\r\n%s", r.contentType, r.extra, r.body)
	return []byte(b.String())
}

func (f *fixture) ingest(t testing.TB, raw []byte) mailin.Result {
	t.Helper()
	res, err := f.pipe.Ingest(context.Background(), bytes.NewReader(raw), "test", nil)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return res
}

// messages counts the invoice's messages.
func (f *fixture) messages(t testing.TB) int {
	var n int
	f.db.Get(&n, `SELECT count(*) FROM messages WHERE transaction_id = $1`, f.invoice.ID)
	return n
}

func (f *fixture) notices(t testing.TB) int {
	var n int
	f.db.Get(&n, `SELECT count(*) FROM outbox WHERE kind = 'rejection_notice'`)
	return n
}
