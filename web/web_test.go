package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mailbot/threads"
)

func TestDeepLinkGoesThroughLoginAndBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t)
	path := f.txnPath(f.acme, f.invoice)
	code, _, h := c.do("GET", path, nil)
	if code != http.StatusSeeOther || h.Get("Location") != "/login?next="+url.QueryEscape(path) {
		t.Fatalf("deep link while signed out: %d to %q", code, h.Get("Location"))
	}
	code, loc := c.login("avery@firm.test", path)
	if code != http.StatusSeeOther || loc != path {
		t.Fatalf("sign-in: %d to %q, want back to %s", code, loc, path)
	}
	if code, body, _ := c.do("GET", path, nil); code != 200 || !strings.Contains(body, "Activities") {
		t.Fatalf("transaction page after sign-in: %d", code)
	}
	// Only same-site paths are return targets.
	for _, next := range []string{"//evil.test/x", "https://evil.test", "/\\evil.test", "javascript:alert(1)"} {
		if _, loc := f.client(t).login("avery@firm.test", next); loc != "/" {
			t.Errorf("next=%q redirected to %q, want /", next, loc)
		}
	}
}

func TestOtherCompaniesAreNotFound(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t)
	c.login("bruno@bolt.test", "/")
	missing := fmt.Sprintf("/companies/%d/transactions/%d", f.acme.ID, 1<<40)
	_, notFound, _ := c.do("GET", missing, nil)
	for _, path := range []string{fmt.Sprintf("/companies/%d", f.acme.ID), f.txnPath(f.acme, f.invoice),
		f.txnPath(f.bolt, f.invoice), missing} {
		code, body, _ := c.do("GET", path, nil)
		if code != http.StatusNotFound || body != notFound {
			t.Errorf("GET %s as a member of another company: %d", path, code)
		}
	}
	code, _, _ := c.do("POST", f.txnPath(f.acme, f.invoice)+"/messages",
		url.Values{"recipient": {fmt.Sprint(f.ana.ID)}, "body": {"let me in"}})
	if code != http.StatusNotFound {
		t.Errorf("post to another company: %d, want 404", code)
	}
	if th, _ := f.store.Thread(t.Context(), f.ana.ID, f.invoice.ID); len(th) != 0 {
		t.Errorf("%d messages posted", len(th))
	}
}

func TestPostMarkReadAndBadge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acc, ana := f.client(t), f.client(t)
	acc.login("avery@firm.test", "/")
	ana.login("ana@acme.test", "/")
	path := f.txnPath(f.acme, f.invoice)
	code, _, h := acc.do("POST", path+"/messages", url.Values{"recipient": {fmt.Sprint(f.ana.ID)}, "body": {"What was this for?"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), path+"#m") {
		t.Fatalf("post: %d to %q", code, h.Get("Location"))
	}
	home := fmt.Sprintf("/companies/%d", f.acme.ID)
	if _, body, _ := ana.do("GET", home, nil); !strings.Contains(body, `id="conversation-count">1<`) || !strings.Contains(body, "What was this for?") {
		t.Errorf("client's home does not show 1 waiting message")
	}
	_, body, _ := ana.do("GET", path, nil)
	if !strings.Contains(body, "What was this for?") || !strings.Contains(body, "on the web") || !strings.Contains(body, "CET") {
		t.Errorf("transaction page lacks the message, its source or the viewer's time zone")
	}
	if _, body, _ := ana.do("GET", home, nil); !strings.Contains(body, `id="conversation-count">0<`) {
		t.Errorf("badge did not drop after reading")
	}
	// Errors keep what was typed, and the form's key.
	code, body, _ = ana.do("POST", path+"/messages", url.Values{"recipient": {""}, "body": {"draft text"}, "post_key": {"form-k1"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "draft text") || !strings.Contains(body, "recipient") ||
		!strings.Contains(body, `value="form-k1"`) {
		t.Errorf("post without recipient: %d", code)
	}
	// The same form sent twice posts once.
	key := regexp.MustCompile(`name="post_key" value="([^"]+)"`).FindStringSubmatch(body)
	for range 2 {
		if code, _, _ := ana.do("POST", path+"/messages", url.Values{"recipient": {fmt.Sprint(f.accountant.ID)},
			"body": {"Sent twice"}, "post_key": {key[1]}}); code != http.StatusSeeOther {
			t.Fatalf("keyed post: %d", code)
		}
	}
	if _, body, _ := ana.do("GET", path, nil); strings.Count(body, "Sent twice") != 1 {
		t.Errorf("a form sent twice shows %d times", strings.Count(body, "Sent twice"))
	}
}

func TestRefusedKindShowsWhy(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t)
	c.login("avery@firm.test", "/")
	_, body, _ := c.do("GET", f.txnPath(f.acme, f.receipt), nil)
	if !strings.Contains(body, "No conversation on sales receipts") || !strings.Contains(body, "post to the ledger") ||
		strings.Contains(body, `id="post-form"`) || strings.Contains(body, "No messages yet") {
		t.Error("sales receipt page does not explain the refusal instead of the form")
	}
}

func TestHostileTextRendersInert(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	evil := `<script>alert(1)</script> "><img src=x onerror=alert(2)> javascript:alert(3)`
	f.store.UpsertPerson(t.Context(), threads.PersonInput{ExternalID: "ana", Name: `Ana "><img src=x onerror=alert(4)>`,
		TimeZone: "Europe/Madrid", Emails: []threads.EmailAddress{{Address: "ana@acme.test", Verified: true}}})
	f.store.UpsertTransaction(t.Context(), f.acme.ID, threads.TransactionInput{ExternalID: "inv-1", Kind: threads.KindInvoice,
		Number: `<b>1</b>`, Date: f.invoice.Date, Currency: "USD", Counterparty: `"><script>x()</script>`})
	f.store.PostMessage(t.Context(), threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.ana.ID,
		RecipientID: f.accountant.ID, Body: evil, Elided: evil, Source: threads.SourceEmail})
	c := f.client(t)
	c.login("avery@firm.test", "/")
	for _, path := range []string{f.txnPath(f.acme, f.invoice), fmt.Sprintf("/companies/%d", f.acme.ID)} {
		_, body, h := c.do("GET", path, nil)
		for _, bad := range []string{"<script>alert", "<img src=x", "<b>1</b>", "<script>x()"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q unescaped", path, bad)
			}
		}
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s has no content security policy", path)
		}
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t)
	c.login("avery@firm.test", "/")
	code, _, _ := c.do("POST", f.txnPath(f.acme, f.invoice)+"/messages",
		url.Values{"recipient": {fmt.Sprint(f.ana.ID)}, "body": {"forged"}}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.test")
	if code != http.StatusForbidden {
		t.Errorf("cross-site post: %d, want 403", code)
	}
	if th, _ := f.store.Thread(t.Context(), f.ana.ID, f.invoice.ID); len(th) != 0 {
		t.Error("a cross-site post was stored")
	}
}

func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t)
	token := f.store.MuteToken(f.ana.ID, f.invoice.ID)
	if code, body, _ := c.do("GET", "/unsubscribe/"+token, nil); code != 200 || !strings.Contains(body, "confirm-unsubscribe") {
		t.Fatalf("GET asks to confirm: %d", code)
	}
	if code, _, _ := c.do("GET", "/unsubscribe/1.2.forged", nil); code != http.StatusNotFound {
		t.Errorf("forged token: %d", code)
	}
	// RFC 8058 one-click, as a mail provider sends it.
	if code, _, _ := c.do("POST", "/unsubscribe/"+token, url.Values{"List-Unsubscribe": {"One-Click"}}); code != 200 {
		t.Fatalf("one-click POST: %d", code)
	}
	f.store.PostMessage(t.Context(), threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID,
		RecipientID: f.ana.ID, Body: "hello", Source: threads.SourceWeb})
	var status string
	f.db.Get(&status, `SELECT status FROM outbox WHERE recipient_id = $1`, f.ana.ID)
	if status != "muted" {
		t.Errorf("notification after unsubscribing is %q, want muted", status)
	}
}

// Each emailed message says whether its sender was authenticated.
func TestThreadShowsSenderAuthentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, auth := range []string{"dkim", "none"} {
		if _, err := f.store.PostMessage(t.Context(), threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.ana.ID,
			RecipientID: f.accountant.ID, Body: "Answer " + auth, Source: threads.SourceEmail, SenderAuth: auth}); err != nil {
			t.Fatal(err)
		}
	}
	c := f.client(t)
	c.login("avery@firm.test", "/")
	_, body, _ := c.do("GET", f.txnPath(f.acme, f.invoice), nil)
	for _, want := range []string{"sender verified by DKIM", "sender not verified"} {
		if !strings.Contains(body, want) {
			t.Errorf("transaction page lacks %q", want)
		}
	}
}

// Each message says what became of its email; a bounce is shown to all
// who see the thread, its author first.
func TestThreadShowsWhatBecameOfTheEmail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	m, err := f.store.PostMessage(t.Context(), threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID,
		RecipientID: f.ana.ID, Body: "Could you send the receipt?", Source: threads.SourceWeb})
	if err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	c.login("avery@firm.test", "/")
	if _, body, _ := c.do("GET", f.txnPath(f.acme, f.invoice), nil); !strings.Contains(body, "email waiting to be sent") {
		t.Error("a queued email is not shown as waiting")
	}
	f.db.Exec(`UPDATE outbox SET status = 'bounced', bounce_status = '5.1.1', last_error = 'mailbox unknown' WHERE message_id = $1`, m.ID)
	if _, body, _ := c.do("GET", f.txnPath(f.acme, f.invoice), nil); !strings.Contains(body, "the email bounced: 5.1.1 mailbox unknown") {
		t.Error("a bounced email is not shown")
	}
}

// A Spanish-speaking client reads every page in Spanish, with amounts and
// dates written the Spanish way; sign-in and error pages follow the
// browser's Accept-Language.
func TestPagesInReadersLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.store.UpsertPerson(ctx, threads.PersonInput{ExternalID: "ana", Name: "Ana Client", Locale: "es",
		TimeZone: "Europe/Madrid", Emails: []threads.EmailAddress{{Address: "ana@acme.test", Verified: true}}}); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	if _, body, _ := c.do("GET", "/login", nil, "Accept-Language", "es-ES,es;q=0.9"); !strings.Contains(body, `lang="es"`) ||
		!strings.Contains(body, "Iniciar sesión") {
		t.Errorf("sign-in page for a Spanish browser is not in Spanish:\n%s", body)
	}
	if _, body, _ := c.do("GET", "/login", nil, "Accept-Language", "fr-FR"); !strings.Contains(body, "Sign in") {
		t.Error("sign-in page for a French browser is not in English, the fallback")
	}
	unsubscribe := "/unsubscribe/" + f.store.MuteToken(f.ana.ID, f.invoice.ID)
	if _, body, _ := c.do("GET", unsubscribe, nil, "Accept-Language", "en"); !strings.Contains(body, "¿Dejar de recibir correos") {
		t.Error("the unsubscribe page does not speak the language of the person its link names")
	}
	c.login("ana@acme.test", "/")
	for path, want := range map[string][]string{
		f.txnPath(f.acme, f.invoice):            {"Factura INV-1", "1.250,00 USD", "14 de marzo de 2026", "Cliente", "Actividad", "Publicar"},
		f.txnPath(f.acme, f.receipt):            {"Sin conversación en recibos de venta", "libro mayor"},
		fmt.Sprintf("/companies/%d", f.acme.ID): {"Conversación", "Transacciones", "1.250,00 USD", "Cerrar sesión"},
		fmt.Sprintf("/companies/%d", 999999):    {"No encontrado", "Inicio"},
	} {
		_, body, _ := c.do("GET", path, nil)
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", path, w)
			}
		}
		if strings.Contains(body, "Activities") || strings.Contains(body, "Sign out") {
			t.Errorf("%s still has English words", path)
		}
	}
}

// The recipient turns emails for a transaction off and back on from its
// page; meanwhile the author sees who turned them off, and that a post was
// not emailed.
func TestEmailsOffAndOnFromThePage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := f.txnPath(f.acme, f.invoice)
	ana, avery := f.client(t), f.client(t)
	ana.login("ana@acme.test", "/")
	avery.login("avery@firm.test", "/")
	if _, body, _ := ana.do("GET", path, nil); !strings.Contains(body, "Turn off emails") {
		t.Fatal("the page offers no way to turn emails off")
	}
	if code, _, h := ana.do("POST", path+"/emails", url.Values{"emails": {"off"}}); code != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "#emails") {
		t.Fatalf("turning emails off: %d %s", code, h.Get("Location"))
	}
	if _, body, _ := ana.do("GET", path, nil); !strings.Contains(body, "You turned off emails for this invoice") || !strings.Contains(body, "Turn emails back on") {
		t.Error("the page does not say emails are off, or offers no way back")
	}
	avery.do("POST", path+"/messages", url.Values{"recipient": {fmt.Sprint(f.ana.ID)}, "body": {"Any news?"}})
	_, body, _ := avery.do("GET", path, nil)
	if !strings.Contains(body, "Ana Client turned off emails for this invoice.") || !strings.Contains(body, "not emailed: Ana Client turned off emails") {
		t.Errorf("the author is not told the recipient turned emails off:\n%s", body)
	}
	ana.do("POST", path+"/emails", url.Values{"emails": {"on"}})
	if _, body, _ := avery.do("GET", path, nil); strings.Contains(body, "turned off emails for this invoice.") {
		t.Error("after turning emails back on the author still reads they are off")
	}
	other := f.client(t)
	other.login("bruno@bolt.test", "/")
	if code, _, _ := other.do("POST", path+"/emails", url.Values{"emails": {"off"}}); code != http.StatusNotFound {
		t.Errorf("someone of another company turning emails off: %d, want 404", code)
	}
}

// Each message tells its author what became of its email: waiting, then
// emailed with the time, in the author's language and zone.
func TestDeliveryStatusWithSentTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	path := f.txnPath(f.acme, f.invoice)
	avery := f.client(t)
	avery.login("avery@firm.test", "/")
	avery.do("POST", path+"/messages", url.Values{"recipient": {fmt.Sprint(f.ana.ID)}, "body": {"Any news?"}})
	if _, body, _ := avery.do("GET", path, nil); !strings.Contains(body, "email waiting to be sent") {
		t.Error("a queued email is not shown as waiting")
	}
	ns, err := f.store.ClaimNotifications(ctx, 10, time.Minute)
	if err != nil || len(ns) != 1 {
		t.Fatalf("claim: %v, %d", err, len(ns))
	}
	if ok, err := f.store.MarkSent(ctx, ns[0].OutboxID, ns[0].Attempt); !ok || err != nil {
		t.Fatalf("mark sent: %v %v", ok, err)
	}
	sent := regexp.MustCompile(`emailed [A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2} [AP]M E[DS]T`)
	if _, body, _ := avery.do("GET", path, nil); !sent.MatchString(body) {
		t.Errorf("a sent email does not say when, in the author's zone: %s", body[strings.Index(body, "activity"):])
	}
}

// A long thread opens at its newest messages, with the earlier ones a
// click away.
func TestLongThreadOpensAtTheNewest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.db.Exec(`INSERT INTO messages (transaction_id, company_id, author_id, recipient_id, body, source)
		SELECT $1, $2, $3, $4, 'Message number ' || g || '.', 'web' FROM generate_series(1, 120) g`,
		f.invoice.ID, f.acme.ID, f.accountant.ID, f.ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	c.login("ana@acme.test", "/")
	path := f.txnPath(f.acme, f.invoice)
	_, body, _ := c.do("GET", path, nil)
	if n := strings.Count(body, `class="activity"`); n != 100 || !strings.Contains(body, "Show 20 earlier messages") ||
		strings.Contains(body, "Message number 20.") || !strings.Contains(body, "Message number 21.") {
		t.Errorf("the page shows %d messages, or not the newest, or no link to the earlier ones", n)
	}
	if _, body, _ := c.do("GET", path+"?all=1", nil); strings.Count(body, `class="activity"`) != 120 || strings.Contains(body, "earlier messages") {
		t.Error("?all=1 does not show the whole thread")
	}
}
