package web_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchmarkTransactionPage serves and renders a transaction whose thread has
// 1,000 messages (opening it also marks it read), and reports p50 and p99.
func BenchmarkTransactionPage(b *testing.B) {
	f := newFixture(b)
	_, err := f.db.Exec(`INSERT INTO messages (transaction_id, company_id, author_id, recipient_id, body, elided, source)
		SELECT $1, $2, CASE WHEN g % 2 = 0 THEN $3::bigint ELSE $4::bigint END, CASE WHEN g % 2 = 0 THEN $4::bigint ELSE $3::bigint END,
			'Message ' || g || E': could you send the receipt for this one?\nThanks.', CASE WHEN g % 3 = 0 THEN '> quoted history' ELSE '' END,
			CASE WHEN g % 2 = 0 THEN 'web' ELSE 'email' END
		FROM generate_series(1, 1000) g`, f.invoice.ID, f.acme.ID, f.accountant.ID, f.ana.ID)
	if err != nil {
		b.Fatal(err)
	}
	benchPage(b, f, f.txnPath(f.acme, f.invoice))
}

// BenchmarkCompanyHome serves the home of a company with 200 transactions
// and 100 messages waiting (it lists the newest of each, up to HomeWaiting
// and HomeTransactions), and reports p50 and p99.
func BenchmarkCompanyHome(b *testing.B) {
	f := newFixture(b)
	_, err := f.db.Exec(`INSERT INTO transactions (company_id, external_id, kind, number, txn_date, amount_minor, currency, counterparty)
		SELECT $1, 'bench-' || g, CASE WHEN g % 2 = 0 THEN 'invoice' ELSE 'bill' END, 'N-' || g, DATE '2026-03-01' + g % 28,
			g * 12345, 'EUR', 'Counterparty ' || g FROM generate_series(1, 200) g`, f.acme.ID)
	if err != nil {
		b.Fatal(err)
	}
	_, err = f.db.Exec(`INSERT INTO messages (transaction_id, company_id, author_id, recipient_id, body, source)
		SELECT $1, $2, $3, $4, 'Message ' || g || E': could you send the receipt?\nThanks.', 'web' FROM generate_series(1, 100) g`,
		f.invoice.ID, f.acme.ID, f.accountant.ID, f.ana.ID)
	if err != nil {
		b.Fatal(err)
	}
	benchPage(b, f, "/companies/"+strconv.FormatInt(f.acme.ID, 10))
}

// benchPage serves path to a signed-in client b.N times and reports the
// p50 and p99 of the answers.
func benchPage(b *testing.B, f *fixture, path string) {
	c := f.client(b)
	c.login("ana@acme.test", "/")
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if code, _, _ := c.do("GET", path, nil); code != http.StatusOK {
			b.Fatalf("status %d", code)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
