package threads_test

import (
	"testing"

	"github.com/jmoiron/sqlx"

	"mailbot/internal/pgtest"
	"mailbot/threads"
)

// Scale of the benchmark data: 1,000 companies, 20 accountants each in 50
// companies, 3 clients a company, 50 invoices a company and 1,000,000
// messages, 10% of them unread, with one transaction holding 1,000 of them.
const (
	benchCompanies   = 1000
	benchAccountants = 20
	benchTxnsPer     = 50
	benchMessages    = 1_000_000
	benchLongThread  = 1000
)

type benchWorld struct {
	s          *threads.Store
	accountant int64
	company    int64
	longTxn    int64
}

var benchData *benchWorld

func benchSetup(b *testing.B) *benchWorld {
	b.Helper()
	url, fresh := pgtest.SharedURL(b, "scale")
	if !fresh {
		if benchData == nil {
			b.Fatal("the benchmark data set failed to seed earlier")
		}
		return benchData
	}
	db, err := sqlx.Connect("postgres", url)
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range benchSeed {
		if _, err := db.Exec(q); err != nil {
			b.Fatalf("seed: %v\n%s", err, q)
		}
	}
	s, err := threads.NewStore(db, nil)
	if err != nil {
		b.Fatal(err)
	}
	benchData = &benchWorld{s: s, accountant: 1, company: 1, longTxn: 1}
	return benchData
}

// benchSeed writes the data set in bulk. Ids are predictable because every
// table starts empty: company c (1..1000) has accountant ((c-1)/50)+1 and
// clients 21+3(c-1) .. 23+3(c-1); its transactions are 50(c-1)+1 .. 50c.
var benchSeed = []string{
	`INSERT INTO companies (external_id, name) SELECT 'c' || g, 'Company ' || g FROM generate_series(1, 1000) g`,
	`INSERT INTO people (external_id, name) SELECT 'a' || g, 'Accountant ' || g FROM generate_series(1, 20) g`,
	`INSERT INTO people (external_id, name) SELECT 'p' || g, 'Client ' || g FROM generate_series(1, 3000) g`,
	`INSERT INTO memberships (company_id, person_id, role)
		SELECT c, (c - 1) / 50 + 1, 'accountant' FROM generate_series(1, 1000) c`,
	`INSERT INTO memberships (company_id, person_id, role)
		SELECT c, 21 + 3 * (c - 1) + k, 'client' FROM generate_series(1, 1000) c, generate_series(0, 2) k`,
	`INSERT INTO transactions (company_id, external_id, kind, number, txn_date, amount_minor, currency)
		SELECT (g - 1) / 50 + 1, 't' || g, 'invoice', g::text, date '2026-01-01' + (g % 300), g * 100, 'USD'
		FROM generate_series(1, 50000) g`,
	// Messages alternate between the company's accountant and one of its
	// clients; the first 1,000 all go to transaction 1.
	`INSERT INTO messages (transaction_id, company_id, author_id, recipient_id, body, source, created_at, read_at)
		SELECT txn, co, CASE WHEN g % 2 = 0 THEN acc ELSE cli END, CASE WHEN g % 2 = 0 THEN cli ELSE acc END,
			'Message ' || g || ': could you send the receipt for this one? Thanks.', 'web',
			timestamptz '2026-01-01' + g * interval '1 second',
			CASE WHEN g % 10 = 0 THEN NULL ELSE timestamptz '2026-06-01' END
		FROM (SELECT g, txn, co, (co - 1) / 50 + 1 AS acc, 21 + 3 * (co - 1) + g % 3 AS cli
			FROM (SELECT g, txn, (txn - 1) / 50 + 1 AS co
				FROM (SELECT g, CASE WHEN g <= 1000 THEN 1 ELSE (g::bigint * 7919) % 50000 + 1 END AS txn
					FROM generate_series(1, 1000000) g) a) b) c`,
	`VACUUM ANALYZE`,
}

func BenchmarkUnreadCount(b *testing.B) {
	w := benchSetup(b)
	ctx := b.Context()
	b.ResetTimer()
	for b.Loop() {
		if _, err := w.s.UnreadCount(ctx, w.accountant, w.company); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnreadCountsAllCompanies(b *testing.B) {
	w := benchSetup(b)
	ctx := b.Context()
	for b.Loop() {
		counts, err := w.s.UnreadCounts(ctx, w.accountant)
		if err != nil || len(counts) != benchCompanies/benchAccountants {
			b.Fatalf("%d companies, %v", len(counts), err)
		}
	}
}

func BenchmarkThread1000(b *testing.B) {
	w := benchSetup(b)
	ctx := b.Context()
	for b.Loop() {
		ms, err := w.s.Thread(ctx, w.accountant, w.longTxn)
		if err != nil || len(ms) < benchLongThread {
			b.Fatalf("%d messages, %v", len(ms), err)
		}
	}
}
