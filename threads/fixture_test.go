package threads_test

import (
	"testing"
	"time"

	"mailbot/internal/pgtest"
	"mailbot/internal/testclock"
	"mailbot/threads"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// world is one firm's worth of data: two companies, an accountant in both,
// a client in each, and an invoice in the first.
type world struct {
	s                      *threads.Store
	clock                  *testclock.Clock
	acme, bolt             threads.Company
	accountant, ana, bruno threads.Person
	invoice                threads.Transaction
}

func newStore(t *testing.T) (*threads.Store, *testclock.Clock) {
	t.Helper()
	c := testclock.New()
	s, err := threads.NewStore(pgtest.DB(t), &threads.Options{
		TokenKey: []byte("0123456789abcdef0123456789abcdef"),
		TokenTTL: 24 * time.Hour,
		Now:      c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func newWorld(t *testing.T) *world {
	t.Helper()
	s, c := newStore(t)
	w := &world{s: s, clock: c}
	w.acme = mustCompany(t, s, "acme", "Acme Tools")
	w.bolt = mustCompany(t, s, "bolt", "Bolt Freight")
	w.accountant = mustPerson(t, s, "p-acc", "Avery Ledger", "avery@firm.test")
	w.ana = mustPerson(t, s, "p-ana", "Ana Client", "ana@acme.test")
	w.bruno = mustPerson(t, s, "p-bruno", "Bruno Client", "bruno@bolt.test")
	mustMember(t, s, w.acme, w.accountant, threads.RoleAccountant)
	mustMember(t, s, w.bolt, w.accountant, threads.RoleAccountant)
	mustMember(t, s, w.acme, w.ana, threads.RoleClient)
	mustMember(t, s, w.bolt, w.bruno, threads.RoleClient)
	w.invoice = mustTxn(t, s, w.acme, "inv-1", threads.KindInvoice)
	return w
}

func mustCompany(t *testing.T, s *threads.Store, id, name string) threads.Company {
	t.Helper()
	c, err := s.UpsertCompany(t.Context(), id, name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustPerson(t *testing.T, s *threads.Store, id, name, email string) threads.Person {
	t.Helper()
	p, err := s.UpsertPerson(t.Context(), threads.PersonInput{
		ExternalID: id, Name: name,
		Emails: []threads.EmailAddress{{Address: email, Verified: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustMember(t *testing.T, s *threads.Store, c threads.Company, p threads.Person, r threads.Role) {
	t.Helper()
	if err := s.SetMembership(t.Context(), c.ID, p.ID, r); err != nil {
		t.Fatal(err)
	}
}

func mustTxn(t *testing.T, s *threads.Store, c threads.Company, id string, kind threads.Kind) threads.Transaction {
	t.Helper()
	tx, err := s.UpsertTransaction(t.Context(), c.ID, threads.TransactionInput{
		ExternalID: id, Kind: kind, Number: "N-" + id,
		Date:        time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC),
		AmountMinor: 125000, Currency: "usd", Counterparty: "Harbor Supplies", Posted: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func (w *world) post(t *testing.T, txn threads.Transaction, from, to threads.Person, body string) threads.Message {
	t.Helper()
	m, err := w.s.PostMessage(t.Context(), threads.NewMessage{
		TransactionID: txn.ID, AuthorID: from.ID, RecipientID: to.ID, Body: body, Source: threads.SourceWeb,
	})
	if err != nil {
		t.Fatalf("post %q: %v", body, err)
	}
	return m
}
