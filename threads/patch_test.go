package threads_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"mailbot/threads"
)

func ptr[T any](v T) *T { return &v }

func TestPatchPersonKeepsWhatIsLeftOut(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := t.Context()
	admin, err := s.UpsertPerson(ctx, threads.PersonInput{ExternalID: "p-admin", Name: "Avery Ledger", Staff: true,
		Locale: "es", TimeZone: "America/Mexico_City", Emails: []threads.EmailAddress{{Address: "avery@firm.test", Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.PatchPerson(ctx, threads.PersonPatch{ExternalID: "p-admin", Name: ptr("Avery L.")})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != admin.ID || p.Name != "Avery L." || !p.Staff || p.Locale != "es" || p.TimeZone != "America/Mexico_City" ||
		!p.HasVerifiedEmail("avery@firm.test") {
		t.Errorf("after a name-only patch: %+v", p)
	}
	// Addresses given replace the set; flags left out stay as they were.
	p, err = s.PatchPerson(ctx, threads.PersonPatch{ExternalID: "p-admin", Emails: &[]threads.EmailUpdate{
		{Address: "AVERY@firm.test"}, {Address: "avery@home.test"}, {Address: "a@firm.test", Verified: ptr(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []threads.EmailAddress{{"a@firm.test", true}, {"avery@firm.test", true}, {"avery@home.test", false}}
	if !p.Staff || len(p.Emails) != 3 || p.Emails[0] != want[0] || p.Emails[1] != want[1] || p.Emails[2] != want[2] {
		t.Errorf("after an emails patch: %+v, want emails %v", p, want)
	}
	p, err = s.PatchPerson(ctx, threads.PersonPatch{ExternalID: "p-admin", Emails: &[]threads.EmailUpdate{
		{Address: "avery@firm.test", Verified: ptr(false)}}})
	if err != nil || len(p.Emails) != 1 || p.Emails[0].Verified {
		t.Errorf("an explicit false does not unverify: %+v, %v", p, err)
	}
	// The full upsert (the admin form) still sets the staff flag.
	p, err = s.UpsertPerson(ctx, threads.PersonInput{ExternalID: "p-admin", Name: "Avery Ledger"})
	if err != nil || p.Staff || len(p.Emails) != 0 || p.Locale != "en" {
		t.Errorf("full upsert: %+v, %v", p, err)
	}
}

func TestPatchPersonCreates(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := t.Context()
	if _, err := s.PatchPerson(ctx, threads.PersonPatch{ExternalID: "p-new", Locale: ptr("es")}); !errors.Is(err, threads.ErrInvalid) {
		t.Errorf("new person without a name: err = %v, want ErrInvalid", err)
	}
	if _, err := s.PersonByExternalID(ctx, "p-new"); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("refused patch left a person behind: %v", err)
	}
	// Patches that race to create one person all land on it.
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	for i := range ids {
		wg.Go(func() {
			p, err := s.PatchPerson(ctx, threads.PersonPatch{ExternalID: "p-new", Name: ptr("Noa Client"),
				Emails: &[]threads.EmailUpdate{{Address: "noa@acme.test"}}})
			if err != nil {
				t.Errorf("concurrent create: %v", err)
			}
			ids[i] = p.ID
		})
	}
	wg.Wait()
	p, err := s.PersonByExternalID(ctx, "p-new")
	if err != nil || p.Staff || p.Locale != "en" || p.TimeZone != "UTC" || len(p.Emails) != 1 || p.Emails[0].Verified {
		t.Errorf("created person: %+v, %v", p, err)
	}
	for _, id := range ids {
		if id != p.ID {
			t.Errorf("a concurrent create answered person %d, want %d", id, p.ID)
		}
	}
}

func TestPatchCompanyAndMembership(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	if c, err := w.s.PatchCompany(ctx, "acme", nil); err != nil || c.ID != w.acme.ID || c.Name != "Acme Tools" {
		t.Errorf("company patch without a name: %+v, %v", c, err)
	}
	if _, err := w.s.PatchCompany(ctx, "c-new", nil); !errors.Is(err, threads.ErrInvalid) {
		t.Errorf("new company without a name: err = %v, want ErrInvalid", err)
	}
	if c, err := w.s.PatchCompany(ctx, "acme", ptr("Acme Tools Ltd")); err != nil || c.Name != "Acme Tools Ltd" {
		t.Errorf("rename: %+v, %v", c, err)
	}
	if r, err := w.s.PatchMembership(ctx, w.acme.ID, w.ana.ID, nil); err != nil || r != threads.RoleClient {
		t.Errorf("membership patch without a role: %q, %v", r, err)
	}
	if _, err := w.s.PatchMembership(ctx, w.bolt.ID, w.ana.ID, nil); !errors.Is(err, threads.ErrInvalid) {
		t.Errorf("new membership without a role: err = %v, want ErrInvalid", err)
	}
	if r, err := w.s.PatchMembership(ctx, w.bolt.ID, w.ana.ID, ptr(threads.RoleClient)); err != nil || r != threads.RoleClient {
		t.Errorf("new membership: %q, %v", r, err)
	}
}

func TestPatchTransaction(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	patch := func(in threads.TransactionPatch) (threads.Transaction, error) {
		in.ExternalID = "inv-1"
		return w.s.PatchTransaction(ctx, w.acme.ID, in)
	}
	txn, err := patch(threads.TransactionPatch{Posted: ptr(false)})
	if err != nil || txn.ID != w.invoice.ID || txn.Posted || txn.Number != "N-inv-1" || txn.AmountString() != "1250.00 USD" ||
		txn.Counterparty != "Harbor Supplies" || txn.Kind != threads.KindInvoice || txn.Date.Format(time.DateOnly) != "2026-03-14" {
		t.Errorf("posted-only patch: %+v, %v", txn, err)
	}
	if txn, err = patch(threads.TransactionPatch{Amount: ptr("7.5")}); err != nil || txn.AmountString() != "7.50 USD" || txn.Posted {
		t.Errorf("amount-only patch: %+v, %v", txn, err)
	}
	if _, err = patch(threads.TransactionPatch{Currency: ptr("KWD")}); !errors.Is(err, threads.ErrInvalid) {
		t.Errorf("currency change without an amount: err = %v, want ErrInvalid", err)
	}
	if txn, err = patch(threads.TransactionPatch{Currency: ptr("kwd"), Amount: ptr("7.125")}); err != nil || txn.AmountString() != "7.125 KWD" {
		t.Errorf("currency with amount: %+v, %v", txn, err)
	}
	if txn, err = patch(threads.TransactionPatch{Currency: ptr("KWD"), Counterparty: ptr("")}); err != nil || txn.Counterparty != "" {
		t.Errorf("same currency, emptied counterparty: %+v, %v", txn, err)
	}
	date := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	create := threads.TransactionPatch{ExternalID: "bill-9", Kind: ptr(threads.KindBill), Date: &date, Amount: ptr("5"), Currency: ptr("EUR")}
	for _, drop := range []func(*threads.TransactionPatch){
		func(p *threads.TransactionPatch) { p.Kind = nil }, func(p *threads.TransactionPatch) { p.Date = nil },
		func(p *threads.TransactionPatch) { p.Amount = nil }, func(p *threads.TransactionPatch) { p.Currency = nil },
	} {
		in := create
		drop(&in)
		if _, err := w.s.PatchTransaction(ctx, w.acme.ID, in); !errors.Is(err, threads.ErrInvalid) {
			t.Errorf("new transaction %+v: err = %v, want ErrInvalid", in, err)
		}
	}
	if txn, err = w.s.PatchTransaction(ctx, w.acme.ID, create); err != nil || !txn.Posted || txn.Number != "" || txn.AmountString() != "5.00 EUR" {
		t.Errorf("new transaction: %+v, %v", txn, err)
	}
	// Patches that race to create one transaction all land on it.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			in := create
			in.ExternalID = "bill-10"
			if _, err := w.s.PatchTransaction(ctx, w.acme.ID, in); err != nil {
				t.Errorf("concurrent create: %v", err)
			}
		})
	}
	wg.Wait()
	if _, err := w.s.PatchTransaction(ctx, 1<<40, create); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("transaction of a missing company: err = %v, want ErrNotFound", err)
	}
}
