package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"mailbot/web"
)

// The Conversation count counts every message waiting, while the lists
// open at their newest rows with a link to all of them, in the reader's
// language.
func TestCompanyHomeListsTheNewestAndLinksToAll(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	waiting, txns := web.HomeWaiting+3, web.HomeTransactions+2
	f.db.MustExec(`INSERT INTO messages (transaction_id, company_id, author_id, recipient_id, body, source)
		SELECT $1, $2, $3, $4, 'Question number ' || g || '.', 'web' FROM generate_series(1, $5) g`,
		f.invoice.ID, f.acme.ID, f.accountant.ID, f.ana.ID, waiting)
	f.db.MustExec(`INSERT INTO transactions (company_id, external_id, kind, number, txn_date, amount_minor, currency, counterparty)
		SELECT $1, 'many-' || g, 'bill', 'B-' || g, DATE '2026-01-01' + g, 100, 'EUR', 'Vendor' FROM generate_series(1, $2) g`,
		f.acme.ID, txns-2)
	c := f.client(t)
	c.login("ana@acme.test", "/")
	home := fmt.Sprintf("/companies/%d", f.acme.ID)
	_, body, _ := c.do("GET", home, nil)
	if !strings.Contains(body, fmt.Sprintf(`id="conversation-count">%d<`, waiting)) {
		t.Errorf("the count is not %d", waiting)
	}
	if n := strings.Count(body, "Question number "); n != web.HomeWaiting {
		t.Errorf("%d waiting messages listed, want the newest %d", n, web.HomeWaiting)
	}
	if !strings.Contains(body, fmt.Sprintf("Question number %d.", waiting)) || strings.Contains(body, "Question number 1.") {
		t.Error("the list does not open at the newest message")
	}
	if !strings.Contains(body, fmt.Sprintf(`href="?waiting=all#waiting">Show all %d messages waiting<`, waiting)) {
		t.Error("no link to every message waiting")
	}
	if n := strings.Count(body, "/transactions/"); n != web.HomeWaiting+web.HomeTransactions {
		t.Errorf("%d transaction links, want %d waiting and %d transactions", n, web.HomeWaiting, web.HomeTransactions)
	}
	if !strings.Contains(body, `href="?transactions=all#transactions">Show all transactions<`) {
		t.Error("no link to every transaction")
	}
	_, all, _ := c.do("GET", home+"?waiting=all&transactions=all", nil)
	if n := strings.Count(all, "Question number "); n != waiting {
		t.Errorf("?waiting=all lists %d, want %d", n, waiting)
	}
	if n := strings.Count(all, "/transactions/"); n != waiting+txns {
		t.Errorf("?transactions=all: %d transaction links, want %d", n, waiting+txns)
	}
	if strings.Contains(all, "?waiting=all") || strings.Contains(all, "?transactions=all") {
		t.Error("a page listing everything still links to more")
	}

	f.db.MustExec(`UPDATE people SET locale = 'es' WHERE id = $1`, f.ana.ID)
	_, es, _ := c.do("GET", home, nil)
	if !strings.Contains(es, fmt.Sprintf(">Mostrar los %d mensajes pendientes<", waiting)) || !strings.Contains(es, ">Mostrar todas las transacciones<") {
		t.Error("the links are not in Spanish for a Spanish reader")
	}
}

// Names from the ledger and words from mail are shown as text on every
// page that lists them, never as markup.
func TestNamesAreEscapedOnPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const bad = `<script>alert("x")</script> O'Neil & "Co"`
	const shown = `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; O&#39;Neil &amp; &#34;Co&#34;`
	f.db.MustExec(`UPDATE companies SET name = $1 WHERE id = $2`, "Acme "+bad, f.acme.ID)
	f.db.MustExec(`UPDATE people SET name = $1 WHERE id = $2`, "Avery "+bad, f.accountant.ID)
	f.db.MustExec(`UPDATE transactions SET number = $1, counterparty = $1 WHERE id = $2`, "N "+bad, f.invoice.ID)
	acc, ana := f.client(t), f.client(t)
	acc.login("avery@firm.test", "/")
	ana.login("ana@acme.test", "/")
	path := f.txnPath(f.acme, f.invoice)
	acc.do("POST", path+"/messages", url.Values{"recipient": {fmt.Sprint(f.ana.ID)}, "body": {"Body " + bad}})
	for _, page := range []struct {
		c     *client
		path  string
		names []string
	}{
		{acc, "/", []string{"Acme "}},
		{ana, fmt.Sprintf("/companies/%d", f.acme.ID), []string{"Acme ", "Invoice N ", "Avery ", "Body "}},
		{ana, path, []string{"Acme ", "N ", "Avery ", "Body "}},
	} {
		code, body, _ := page.c.do("GET", page.path, nil)
		if code != 200 {
			t.Fatalf("GET %s: %d", page.path, code)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, `"x"`) || strings.Contains(body, `O'Neil`) {
			t.Errorf("GET %s: a name shows as markup", page.path)
		}
		for _, n := range page.names {
			if !strings.Contains(body, n+shown) {
				t.Errorf("GET %s: %q is not shown, escaped", page.path, n+bad)
			}
		}
	}
}
