package threads_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"mailbot/threads"
)

// The company home counts every unread message but lists only the newest,
// newest first, and says when it left transactions out; it is not found
// for someone outside the company.
func TestCompanyHome(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	var posted []threads.Message
	for i := range 5 {
		posted = append(posted, w.post(t, w.invoice, w.accountant, w.ana, fmt.Sprintf("question %d", i)))
	}
	w.post(t, w.invoice, w.ana, w.accountant, "an answer") // waits for the accountant, not for Ana
	bill := mustTxn(t, w.s, w.acme, "bill-1", threads.KindBill)

	h, err := w.s.CompanyHome(ctx, w.ana.ID, w.acme.ID, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if h.Company != w.acme || h.Unread != 5 {
		t.Errorf("home: company %+v with %d unread, want %+v with 5", h.Company, h.Unread, w.acme)
	}
	var ids []int64
	for _, m := range h.Waiting {
		ids = append(ids, m.ID)
		if m.AuthorName != w.accountant.Name || m.TxnKind != threads.KindInvoice || m.TxnNumber != w.invoice.Number || m.RecipientID != w.ana.ID {
			t.Errorf("waiting message %d: %+v", m.ID, m)
		}
	}
	if want := []int64{posted[4].ID, posted[3].ID, posted[2].ID}; !reflect.DeepEqual(ids, want) {
		t.Errorf("waiting %v, want the newest three %v", ids, want)
	}
	if len(h.Transactions) != 1 || !h.More {
		t.Errorf("%d transactions, more %v; want one and more", len(h.Transactions), h.More)
	} else if got := h.Transactions[0]; got.ID != bill.ID || got.Number != bill.Number || got.AmountMinor != bill.AmountMinor {
		t.Errorf("transaction %+v, want the newest, %+v", got, bill) // same date: the later one
	}
	if h, err = w.s.CompanyHome(ctx, w.ana.ID, w.acme.ID, 10, 10); err != nil || len(h.Waiting) != 5 || len(h.Transactions) != 2 || h.More {
		t.Errorf("with room for all: %d waiting, %d transactions, more %v, %v", len(h.Waiting), len(h.Transactions), h.More, err)
	}
	if _, err := w.s.CompanyHome(ctx, w.bruno.ID, w.acme.ID, 10, 10); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("someone outside the company: %v, want ErrNotFound", err)
	}
	if _, err := w.s.MarkRead(ctx, w.ana.ID, w.invoice.ID); err != nil {
		t.Fatal(err)
	}
	if h, err = w.s.CompanyHome(ctx, w.ana.ID, w.acme.ID, 10, 10); err != nil || h.Unread != 0 || len(h.Waiting) != 0 {
		t.Errorf("after reading: %d unread, %d waiting, %v", h.Unread, len(h.Waiting), err)
	}
}

// A session gives back its person as Person reads them, addresses and all.
func TestSessionPerson(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := t.Context()
	p, err := s.UpsertPerson(ctx, threads.PersonInput{ExternalID: "p-1", Name: `Dana "D" <Ledger>`, Locale: "es", TimeZone: "Europe/Madrid",
		Emails: []threads.EmailAddress{{Address: "zed@firm.test", Verified: true}, {Address: "dana@firm.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPasswordHash(ctx, p.ID, "hash"); err != nil {
		t.Fatal(err)
	}
	token, err := s.CreateSession(ctx, p.ID, "hash", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Person(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionPerson(ctx, token)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("session person %+v, %v; want %+v", got, err, want)
	}
	if len(got.Emails) != 2 || got.PrimaryEmail() != "zed@firm.test" {
		t.Errorf("addresses %+v: want both, the verified one first for mail", got.Emails)
	}
	if _, err := s.SessionPerson(ctx, token+"x"); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("an unknown session: %v, want ErrNotFound", err)
	}
}

// A transaction and its company come together to someone of the company,
// and to no one else.
func TestTransactionWithCompany(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	txn, c, err := w.s.TransactionWithCompany(t.Context(), w.ana.ID, w.invoice.ID)
	if err != nil || txn != w.invoice || c != w.acme {
		t.Errorf("got %+v of %+v, %v; want %+v of %+v", txn, c, err, w.invoice, w.acme)
	}
	if _, _, err := w.s.TransactionWithCompany(t.Context(), w.bruno.ID, w.invoice.ID); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("someone of another company: %v, want ErrNotFound", err)
	}
	if _, _, err := w.s.TransactionWithCompany(t.Context(), w.ana.ID, w.invoice.ID+1000); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("no such transaction: %v, want ErrNotFound", err)
	}
}
