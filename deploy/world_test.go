package deploy

import (
	"database/sql"
	"encoding/hex"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"mailbot/threads"
)

// world is one conversation: an accountant and a client of one company,
// on one invoice.
type world struct {
	store                      *threads.Store
	txnID, accountant, client  int64
	accountantAddr, clientAddr string
}

func seed(t *testing.T, db *sql.DB) *world {
	t.Helper()
	ctx := t.Context()
	key, _ := hex.DecodeString(tokenKeyHex)
	store, err := threads.NewStore(sqlx.NewDb(db, "postgres"), &threads.Options{TokenKey: key})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{store: store, accountantAddr: "avery@firm.example.test", clientAddr: "dana@client.example.test"}
	company, err := store.UpsertCompany(ctx, "harbor", "Harbor Tools Ltd")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := store.UpsertPerson(ctx, threads.PersonInput{ExternalID: "avery", Name: "Avery Quill",
		Emails: []threads.EmailAddress{{Address: w.accountantAddr, Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := store.UpsertPerson(ctx, threads.PersonInput{ExternalID: "dana", Name: "Dana Harbor",
		Emails: []threads.EmailAddress{{Address: w.clientAddr, Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	w.accountant, w.client = acc.ID, cli.ID
	for _, m := range []struct {
		id   int64
		role threads.Role
	}{{acc.ID, threads.RoleAccountant}, {cli.ID, threads.RoleClient}} {
		if err := store.SetMembership(ctx, company.ID, m.id, m.role); err != nil {
			t.Fatal(err)
		}
	}
	txn, err := store.UpsertTransaction(ctx, company.ID, threads.TransactionInput{ExternalID: "inv-1",
		Kind: threads.KindInvoice, Number: "A-1001", Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		AmountMinor: 12500, Currency: "USD", Counterparty: "Coastal Steel Supply"})
	if err != nil {
		t.Fatal(err)
	}
	w.txnID = txn.ID
	return w
}

// ask posts the accountant's question on the web, which queues its
// notification to the client.
func (w *world) ask(t *testing.T, body string) {
	t.Helper()
	if _, err := w.store.PostMessage(t.Context(), threads.NewMessage{TransactionID: w.txnID, AuthorID: w.accountant,
		RecipientID: w.client, Body: body, Source: threads.SourceWeb}); err != nil {
		t.Fatal(err)
	}
}
