// Package demo is what `mailbot demo` runs besides the service itself: the
// seeded firm, its state directory and database, its mail world and the
// block it prints.
package demo

import (
	"context"
	"fmt"
	"time"

	"mailbot/internal/samplefiles"
	"mailbot/threads"
	"mailbot/web"
)

// Firm is the demo firm's name.
const Firm = "Fernhill Bookkeeping (demo)"

// Password signs in every demo person.
const Password = "mailbot-demo"

// Person is a demo person and the part they play.
type Person struct {
	Person threads.Person
	Role   string
}

// World is what Seed wrote.
type World struct {
	People       []Person
	Companies    []threads.Company
	Transactions []threads.Transaction
}

type seedPerson struct {
	id, name, email, locale, zone string
	staff                         bool
}

var (
	seedAccountants = []seedPerson{
		{"acc-avery", "Avery Quill", "avery@fernhill.test", "en", "America/New_York", true},
		{"acc-blair", "Blair Montoya", "blair@fernhill.test", "es", "America/Mexico_City", false},
	}
	seedCompanies = []struct {
		id, name string
		clients  []seedPerson
	}{
		{"harbor-tools", "Harbor Tools Ltd", []seedPerson{
			{"cli-dana", "Dana Harbor", "dana@harbortools.test", "en", "America/Chicago", false},
			{"cli-eli", "Eli Harbor", "eli@harbortools.test", "en", "Europe/London", false},
		}},
		{"panaderia-sol", "Panadería Sol", []seedPerson{
			{"cli-flor", "Flor Soledad", "flor@panaderiasol.test", "es", "Europe/Madrid", false},
			{"cli-gabo", "Gabo Soledad", "gabo@panaderiasol.test", "es", "America/Bogota", false},
		}},
	}
)

// Seed writes the demo's firm, people, companies and transactions. It is
// idempotent: every write is an upsert and conversations start only once.
func Seed(ctx context.Context, s *threads.Store) (World, error) {
	var w World
	var accountants []threads.Person
	for _, sp := range seedAccountants {
		p, err := upsertSeedPerson(ctx, s, sp)
		if err != nil {
			return w, err
		}
		accountants = append(accountants, p)
		w.People = append(w.People, Person{p, "accountant"})
	}
	for i, sc := range seedCompanies {
		c, err := s.UpsertCompany(ctx, sc.id, sc.name)
		if err != nil {
			return w, err
		}
		w.Companies = append(w.Companies, c)
		for _, a := range accountants {
			if err := s.SetMembership(ctx, c.ID, a.ID, threads.RoleAccountant); err != nil {
				return w, err
			}
		}
		var clients []threads.Person
		for _, sp := range sc.clients {
			p, err := upsertSeedPerson(ctx, s, sp)
			if err != nil {
				return w, err
			}
			if err := s.SetMembership(ctx, c.ID, p.ID, threads.RoleClient); err != nil {
				return w, err
			}
			clients = append(clients, p)
			w.People = append(w.People, Person{p, "client of " + c.Name})
		}
		txns, err := seedTransactions(ctx, s, c, i)
		if err != nil {
			return w, err
		}
		w.Transactions = append(w.Transactions, txns...)
		if err := seedConversation(ctx, s, txns[0], accountants[i%len(accountants)], clients[0]); err != nil {
			return w, err
		}
	}
	return w, nil
}

func upsertSeedPerson(ctx context.Context, s *threads.Store, sp seedPerson) (threads.Person, error) {
	p, err := s.UpsertPerson(ctx, threads.PersonInput{
		ExternalID: sp.id, Name: sp.name, Locale: sp.locale, TimeZone: sp.zone, Staff: sp.staff,
		Emails: []threads.EmailAddress{{Address: sp.email, Verified: true}},
	})
	if err != nil {
		return p, err
	}
	if _, hash, err := s.Credentials(ctx, sp.email); err != nil || hash != "" {
		return p, err
	}
	hash, err := web.HashPassword(Password)
	if err != nil {
		return p, err
	}
	return p, s.SetPasswordHash(ctx, p.ID, hash)
}

// seedTransactions gives the first company one transaction of every kind and
// the second a few, so both allowed and refused kinds can be tried.
func seedTransactions(ctx context.Context, s *threads.Store, c threads.Company, n int) ([]threads.Transaction, error) {
	kinds := threads.Kinds()
	if n > 0 {
		kinds = []threads.Kind{threads.KindBill, threads.KindCreditCardCharge, threads.KindSalesReceipt}
	}
	counterparties := []string{"Coastal Steel Supply", "Northside Rentals", "City Utilities", "Bright Paper Co."}
	var out []threads.Transaction
	for i, k := range kinds {
		t, err := s.UpsertTransaction(ctx, c.ID, threads.TransactionInput{
			ExternalID: string(k) + "-" + string(rune('a'+n)), Kind: k,
			Number:      fmt.Sprintf("%c-%04d", 'A'+n, 1001+i),
			Date:        time.Date(2026, time.Month(1+i%12), 3+i, 0, 0, 0, 0, time.UTC),
			AmountMinor: int64(12500 + 4375*i), Currency: "USD",
			Counterparty: counterparties[i%len(counterparties)], Posted: true,
		})
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func seedConversation(ctx context.Context, s *threads.Store, t threads.Transaction, accountant, client threads.Person) error {
	thread, err := s.Thread(ctx, accountant.ID, t.ID)
	if err != nil || len(thread) > 0 {
		return err
	}
	for _, m := range []threads.NewMessage{
		{AuthorID: accountant.ID, RecipientID: client.ID, Body: "Hi! What was this charge for? I need it to file it under the right account."},
		{AuthorID: client.ID, RecipientID: accountant.ID, Body: "It was the spring stock order. I will look for the receipt."},
		{AuthorID: client.ID, RecipientID: accountant.ID, Body: "Found it: the photo and the shop's PDF.", Files: seedReceipt(t)},
	} {
		m.TransactionID, m.Source = t.ID, threads.SourceWeb
		if _, err := s.PostMessage(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// seedReceipt is the receipt a client sends: a phone picture and a PDF,
// made in code.
func seedReceipt(t threads.Transaction) []threads.NewFile {
	lines := []string{"Coastal Steel Supply", "Spring stock order", "Invoice " + t.Number,
		"Total " + threads.FormatAmount(t.AmountMinor, t.Currency) + " " + t.Currency, "Paid, thank you"}
	return []threads.NewFile{
		{Name: "receipt-photo.png", Data: samplefiles.ReceiptPNG(lines)},
		{Name: "receipt.pdf", Data: samplefiles.ReceiptPDF(lines)},
	}
}
