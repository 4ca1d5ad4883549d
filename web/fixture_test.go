package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"mailbot/internal/pgtest"
	"mailbot/mailbot/inbound"
	"mailbot/threads"
	"mailbot/web"
)

func TestMain(m *testing.M) {
	inbound.InstallCharsetReader()
	pgtest.Main(m)
}

const password = "correct horse battery"

type fixture struct {
	store                  *threads.Store
	db                     *sqlx.DB // the store's, for rows no method reaches
	srv                    *httptest.Server
	acme, bolt             threads.Company
	accountant, ana, bruno threads.Person
	invoice, receipt, bill threads.Transaction
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureWith(t, web.Options{})
}

// newFixtureWith is newFixture with the web server's options.
func newFixtureWith(t testing.TB, opts web.Options) *fixture {
	t.Helper()
	return newFixtureStore(t, nil, opts)
}

// newFixtureStore is newFixture with the store's and the web server's options.
func newFixtureStore(t testing.TB, storeOpts *threads.Options, opts web.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.URL(t)
	db, err := threads.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if opts.Live == nil {
		if opts.Live, err = web.Listen(t.Context(), dbURL, nil); err != nil {
			t.Fatal(err)
		}
	}
	store, err := threads.NewStore(db, storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, db: db}
	f.acme, _ = store.UpsertCompany(ctx, "acme", "Acme Tools")
	f.bolt, _ = store.UpsertCompany(ctx, "bolt", "Bolt Freight")
	f.accountant = f.person(t, "acc", "Avery Quill", "avery@firm.test", "America/New_York", f.acme, f.bolt)
	f.ana = f.person(t, "ana", "Ana Client", "ana@acme.test", "Europe/Madrid", f.acme)
	f.bruno = f.person(t, "bruno", "Bruno Client", "bruno@bolt.test", "UTC", f.bolt)
	f.invoice = f.txn(t, f.acme, "inv-1", threads.KindInvoice)
	f.receipt = f.txn(t, f.acme, "sr-1", threads.KindSalesReceipt)
	f.bill = f.txn(t, f.bolt, "bill-1", threads.KindBill)
	server, err := web.New(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	web.NewAPI(store, nil).Register(mux)
	f.srv = httptest.NewServer(server.Register(mux))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) person(t testing.TB, id, name, email, zone string, companies ...threads.Company) threads.Person {
	t.Helper()
	ctx := context.Background()
	p, err := f.store.UpsertPerson(ctx, threads.PersonInput{ExternalID: id, Name: name, TimeZone: zone,
		Emails: []threads.EmailAddress{{Address: email, Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := web.HashPassword(password)
	f.store.SetPasswordHash(ctx, p.ID, hash)
	for _, c := range companies {
		role := threads.RoleClient
		if id == "acc" {
			role = threads.RoleAccountant
		}
		if err := f.store.SetMembership(ctx, c.ID, p.ID, role); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func (f *fixture) txn(t testing.TB, c threads.Company, id string, kind threads.Kind) threads.Transaction {
	t.Helper()
	tx, err := f.store.UpsertTransaction(context.Background(), c.ID, threads.TransactionInput{ExternalID: id, Kind: kind,
		Number: strings.ToUpper(id), Date: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), AmountMinor: 125000,
		Currency: "USD", Counterparty: "Coastal Steel Supply"})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func (f *fixture) txnPath(c threads.Company, tx threads.Transaction) string {
	return fmt.Sprintf("/companies/%d/transactions/%d", c.ID, tx.ID)
}

// client is a browser-like HTTP client that does not follow redirects.
type client struct {
	t    testing.TB
	base string
	http *http.Client
}

func (f *fixture) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: f.srv.URL, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, path string, form url.Values, header ...string) (int, string, http.Header) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (c *client) login(email, next string) (int, string) {
	c.t.Helper()
	code, _, h := c.do("POST", "/login", url.Values{"email": {email}, "password": {password}, "next": {next}})
	return code, h.Get("Location")
}
