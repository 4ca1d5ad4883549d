package threads_test

import (
	"errors"
	"testing"
	"time"

	"mailbot/threads"
)

func TestUpsertPerson(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := t.Context()
	p, err := s.UpsertPerson(ctx, threads.PersonInput{ExternalID: "p1", Name: " Lucía Contable ",
		Locale: "es", TimeZone: "America/Mexico_City",
		Emails: []threads.EmailAddress{{Address: "Lucia@Example.TEST", Verified: true}, {Address: "old@example.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Lucía Contable" || p.Locale != "es" || len(p.Emails) != 2 || p.PrimaryEmail() != "lucia@example.test" {
		t.Errorf("person = %+v", p)
	}
	if !p.HasVerifiedEmail("LUCIA@example.test") || p.HasVerifiedEmail("old@example.test") {
		t.Error("HasVerifiedEmail does not follow the verified flags")
	}
	// Updating replaces the addresses.
	p2, err := s.UpsertPerson(ctx, threads.PersonInput{ExternalID: "p1", Name: "Lucía C.",
		Emails: []threads.EmailAddress{{Address: "lucia@example.test", Verified: true}}})
	if err != nil || p2.ID != p.ID || len(p2.Emails) != 1 || p2.Locale != "en" {
		t.Errorf("update = %+v, %v", p2, err)
	}
	found, err := s.PersonByEmail(ctx, "lucia@EXAMPLE.test")
	if err != nil || found.ID != p.ID {
		t.Errorf("PersonByEmail = %+v, %v", found, err)
	}
	if _, err := s.PersonByEmail(ctx, "old@example.test"); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("removed address still resolves: %v", err)
	}
	// An address belongs to one person only.
	_, err = s.UpsertPerson(ctx, threads.PersonInput{ExternalID: "p2", Name: "Other",
		Emails: []threads.EmailAddress{{Address: "lucia@example.test", Verified: true}}})
	if !errors.Is(err, threads.ErrInvalid) {
		t.Errorf("taking someone's address: err = %v, want ErrInvalid", err)
	}
	if _, err := s.PersonByExternalID(ctx, "p2"); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("refused upsert left a person behind: %v", err)
	}
}

func TestInputValidation(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := t.Context()
	bad := []threads.PersonInput{
		{ExternalID: "", Name: "x"},
		{ExternalID: "p/1", Name: "x"},
		{ExternalID: "p1", Name: ""},
		{ExternalID: "p1", Name: "Eve\r\nBcc: x@evil.test"},
		{ExternalID: "p1", Name: "x", Locale: "fr"},
		{ExternalID: "p1", Name: "x", TimeZone: "Mars/Olympus"},
		{ExternalID: "p1", Name: "x", Emails: []threads.EmailAddress{{Address: "Eve <eve@x.test>"}}},
		{ExternalID: "p1", Name: "x", Emails: []threads.EmailAddress{{Address: "not an address"}}},
	}
	for _, in := range bad {
		if _, err := s.UpsertPerson(ctx, in); !errors.Is(err, threads.ErrInvalid) {
			t.Errorf("UpsertPerson(%+v) err = %v, want ErrInvalid", in, err)
		}
	}
	c, _ := s.UpsertCompany(ctx, "c1", "Co")
	date := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	badTxns := []threads.TransactionInput{
		{ExternalID: "t1", Kind: "Invoice!", Date: date, Currency: "USD"},
		{ExternalID: "t1", Kind: "invoice", Currency: "USD"},
		{ExternalID: "t1", Kind: "invoice", Date: date, Currency: "dollars"},
		{ExternalID: "t1", Kind: "invoice", Date: date, Currency: "USD", Counterparty: "a\nb"},
	}
	for _, in := range badTxns {
		if _, err := s.UpsertTransaction(ctx, c.ID, in); !errors.Is(err, threads.ErrInvalid) {
			t.Errorf("UpsertTransaction(%+v) err = %v, want ErrInvalid", in, err)
		}
	}
	ok := threads.TransactionInput{ExternalID: "t1", Kind: "invoice", Date: date, Currency: "USD", AmountMinor: 5}
	if _, err := s.UpsertTransaction(ctx, 1<<40, ok); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("transaction of a missing company: err = %v, want ErrNotFound", err)
	}
	if err := s.SetMembership(ctx, c.ID, 1<<40, threads.RoleClient); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("membership of a missing person: err = %v, want ErrNotFound", err)
	}
}

func TestUpsertTransactionUpdates(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	in := threads.TransactionInput{ExternalID: "inv-1", Kind: threads.KindInvoice, Number: "1042",
		Date: time.Date(2026, 5, 1, 15, 0, 0, 0, time.UTC), AmountMinor: -990, Currency: "EUR", Counterparty: "Pier 9"}
	txn, err := w.s.UpsertTransaction(t.Context(), w.acme.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if txn.ID != w.invoice.ID || txn.Number != "1042" || txn.AmountString() != "-9.90 EUR" ||
		txn.Date.Format(time.DateOnly) != "2026-05-01" || txn.Describe() != "invoice 1042" {
		t.Errorf("updated transaction = %+v (%s)", txn, txn.AmountString())
	}
}

// A person made with a password obeys the same locale rule as any other.
func TestCreatePersonChecksTheLocale(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	_, err := s.CreatePerson(t.Context(), threads.PersonInput{ExternalID: "p-new", Name: "New Person", Locale: "xx",
		Emails: []threads.EmailAddress{{Address: "new@firm.test", Verified: true}}}, "hash")
	if !errors.Is(err, threads.ErrInvalid) {
		t.Errorf("locale xx: %v, want invalid", err)
	}
}
