package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mailbot/internal/browsertest"
	"mailbot/threads"
	"mailbot/web"
)

// longURL is the kind of address that used to push pages sideways.
const longURL = "https://files.example.com/shared/receipts/2026/03/coastal-steel-supply-receipt-A-1001-scanned-copy-final-version-2.pdf?download=1&token=abcdefghijklmnopqrstuvwxyz0123456789"

// viewFixture is a conversation worth looking at: a question with a long
// address, an emailed answer with quoted history, a Spanish-speaking client.
func viewFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.store.UpsertPerson(ctx, threads.PersonInput{ExternalID: "ana", Name: "Ana Client", Locale: "es",
		TimeZone: "Europe/Madrid", Emails: []threads.EmailAddress{{Address: "ana@acme.test", Verified: true}}}); err != nil {
		t.Fatal(err)
	}
	post := func(n threads.NewMessage) {
		n.TransactionID = f.invoice.ID
		if _, err := f.store.PostMessage(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	post(threads.NewMessage{AuthorID: f.accountant.ID, RecipientID: f.ana.ID, Source: threads.SourceWeb,
		Body: "What was this charge for?\n\n\n\nThe statement links it here: " + longURL})
	post(threads.NewMessage{AuthorID: f.ana.ID, RecipientID: f.accountant.ID, Source: threads.SourceEmail, SenderAuth: "none",
		Body:   "It was the spring stock order.\n\n\n\n\nThanks,\nAna",
		Elided: "On Mon, Avery Quill wrote:\n> What was this charge for?\n>\n> The statement links it here: " + longURL})
	post(threads.NewMessage{AuthorID: f.accountant.ID, RecipientID: f.ana.ID, Source: threads.SourceAPI,
		Body: "Thank you, filed under supplies (Supercalifragilisticexpialidocious-long-reference-without-spaces-0123456789)."})
	return f
}

// busyCompany gives Acme more transactions, and both of its people more
// messages waiting, than its home lists, so the home's links to the rest
// are on the pages looked at.
func busyCompany(t *testing.T, f *fixture) {
	t.Helper()
	f.db.MustExec(`INSERT INTO transactions (company_id, external_id, kind, number, txn_date, amount_minor, currency, counterparty)
		SELECT $1, 'busy-' || g, 'bill', 'B-' || g, DATE '2026-01-01' + g, g * 1000, 'EUR', 'Harbor Supplies'
		FROM generate_series(1, $2) g`, f.acme.ID, web.HomeTransactions)
	f.db.MustExec(`INSERT INTO messages (transaction_id, company_id, author_id, recipient_id, body, source)
		SELECT t.id, t.company_id, CASE WHEN g % 2 = 0 THEN $1::bigint ELSE $2::bigint END,
			CASE WHEN g % 2 = 0 THEN $2::bigint ELSE $1::bigint END, 'Could you check bill B-1 too? (' || g || ')', 'web'
		FROM transactions t, generate_series(1, $3) g WHERE t.external_id = 'busy-1'`,
		f.accountant.ID, f.ana.ID, 2*web.HomeWaiting+2)
}

// Every page, for an English-speaking accountant and a Spanish-speaking
// client, at desktop and phone width: nothing scrolls sideways at 390 px,
// the words are the reader's, and each is photographed.
func TestBrowserPagesAtPhoneWidthInBothLanguages(t *testing.T) {
	t.Parallel()
	f := viewFixture(t)
	busyCompany(t, f)
	pages := []struct{ name, path, ready string }{
		{"company", fmt.Sprintf("/companies/%d", f.acme.ID), "#conversation"},
		{"transaction", f.txnPath(f.acme, f.invoice), "#activities"},
		{"refused", f.txnPath(f.acme, f.receipt), "#refusal"},
		{"error", fmt.Sprintf("/companies/%d", 999999), "main h1"},
		{"unsubscribe", "", "#confirm-unsubscribe"}, // the reader's own link
	}
	for _, who := range []struct {
		lang, email, accept, more string
		words                     []string // one per page, in order: login, then pages
	}{
		{"en", "avery@firm.test", "en-US,en;q=0.9", "Show all", []string{"Sign in", "Conversation", "Activities", "No conversation on sales receipts", "Not found", "Stop emails"}},
		{"es", "ana@acme.test", "es-ES,es;q=0.9", "Mostrar", []string{"Iniciar sesión", "Conversación", "Actividad", "Sin conversación en recibos de venta", "No encontrado", "Dejar de recibir correos"}},
	} {
		t.Run(who.lang, func(t *testing.T) {
			t.Parallel()
			b := browsertest.New(t)
			browsertest.AcceptLanguage(t, b, who.accept)
			browsertest.Visit(t, b, f.srv.URL+"/login", "#sign-in")
			look(t, b, who.lang+"-login", who.words[0])
			// The login page has a main h1 too: wait for what only a signed-in
			// page has, or the next navigation races the sign-in's redirect.
			signIn(t, b, who.email, `form[action="/logout"]`)
			if who.lang == "en" {
				browsertest.Visit(t, b, f.srv.URL+"/", "#companies")
				look(t, b, "en-firm", "Your companies")
			}
			for i, p := range pages {
				if p.name == "unsubscribe" {
					p.path = "/unsubscribe/" + f.store.MuteToken(map[string]int64{"en": f.accountant.ID, "es": f.ana.ID}[who.lang], f.invoice.ID)
				}
				browsertest.Visit(t, b, f.srv.URL+p.path, p.ready)
				if p.name == "transaction" {
					must(t, chromedp.Do(b, chromedp.Click("details.quoted summary")))
				}
				look(t, b, who.lang+"-"+p.name, who.words[i+1])
				if p.name == "company" {
					for _, sel := range []string{"#more-waiting", "#older-transactions"} {
						if text := browsertest.Text(t, b, sel); !strings.HasPrefix(text, who.more) {
							t.Errorf("%s: %s says %q", who.lang, sel, text)
						}
					}
				}
			}
		})
	}
}

// The admin pages, for an English- and a Spanish-speaking staff person,
// pass the same checks as every other page: their words, axe-core, no
// sideways scrolling at 390 px, and photographs at both widths.
func TestBrowserAdminPagesAtPhoneWidthInBothLanguages(t *testing.T) {
	t.Parallel()
	f := viewFixture(t)
	ctx := t.Context()
	pipe := adminSite(t, f, web.AdminOptions{
		Intake: func() web.IntakeStatus {
			return web.IntakeStatus{Configured: true, Active: true, Connected: true, LastSync: time.Now().Add(-time.Minute)}
		},
		Relay: func() web.RelayStatus {
			return web.RelayStatus{LastSent: time.Now().Add(-2 * time.Minute), LastErrorAt: time.Now().Add(-time.Hour),
				LastError: "smtp: 421 4.7.0 mail.relay.example.com temporarily refusing connections from this address, try again later"}
		},
	})
	token, _ := f.store.ReplyTokenFor(ctx, f.ana.ID, f.invoice.ID)
	to := "reply+" + token + "@reply.example.test"
	ingest(t, pipe, mail("ana@acme.test", to, "p1@acme.test", "The receipt is attached."), threads.VerdictPosted)
	ingest(t, pipe, mail("ana@acme.test", to, "a1@acme.test", "I am away until Monday.", "Auto-Submitted: auto-replied"), threads.VerdictIgnoredAutoReply)
	ingest(t, pipe, mail("accounts-payable-notifications-department@very-long-subsidiary-name.example.com", to, "s1@example.com",
		"Forwarded."), threads.VerdictRejectedSender)
	ingest(t, pipe, mail("ana@acme.test", "reply+abcdefghijklmnopqrstuvwxyz234567@reply.example.test", "b1@acme.test", "Hello?"),
		threads.VerdictRejectedBadToken)
	f.db.Exec(`UPDATE outbox SET status = 'failed', last_error = $1 WHERE id = (SELECT min(id) FROM outbox)`,
		"smtp: 550 5.1.1 <ana@acme.test>: Recipient address rejected: User unknown in virtual mailbox table (mx.acme.test)")
	f.db.Exec(`UPDATE person_emails SET failing_since = now() WHERE address = 'bruno@bolt.test'`)
	if _, err := f.store.CreateAPIKey(ctx, "ledger"); err != nil {
		t.Fatal(err)
	}
	staff := map[string]string{"en": "avery@firm.test", "es": "elena@firm.test"}
	if _, err := f.store.UpsertPerson(ctx, threads.PersonInput{ExternalID: "acc", Name: "Avery Quill", Staff: true,
		TimeZone: "America/New_York", Emails: []threads.EmailAddress{{Address: staff["en"], Verified: true}}}); err != nil {
		t.Fatal(err)
	}
	elena, err := f.store.UpsertPerson(ctx, threads.PersonInput{ExternalID: "elena", Name: "Elena Staff", Staff: true, Locale: "es",
		TimeZone: "Europe/Madrid", Emails: []threads.EmailAddress{{Address: staff["es"], Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := web.HashPassword(password)
	f.store.SetPasswordHash(ctx, elena.ID, hash)
	pages := []struct{ name, path, ready string }{
		{"admin-health", "/admin", "#health"},
		{"admin-inbound", "/admin/inbound", "#inbound-log"},
		{"admin-outbox", "/admin/outbox", "#outbox-list"},
		{"admin-people", "/admin/people", "#people-list"},
		{"admin-keys", "/admin/keys", "#key-list"},
		{"admin-confirm", fmt.Sprintf("/admin/people/%d/revoke-tokens", f.ana.ID), "#confirm"},
	}
	words := map[string][]string{
		"en": {"Health", "Inbound mail", "Outbox", "People", "API keys", "Revoke the reply addresses of Ana Client?"},
		"es": {"Estado", "Correo entrante", "Bandeja de salida", "Personas", "Claves de API", "¿Revocar las direcciones de respuesta de Ana Client?"},
	}
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			b := browsertest.New(t)
			browsertest.Visit(t, b, f.srv.URL+"/login", "#sign-in")
			signIn(t, b, staff[lang], "#admin-link")
			for i, p := range pages {
				browsertest.Visit(t, b, f.srv.URL+p.path, p.ready)
				look(t, b, lang+"-"+p.name, words[lang][i])
			}
		})
	}
}

// look checks the page: it has want, axe-core finds no serious or critical
// accessibility violation, and at 390 px it is no wider than the screen. It
// photographs it at 1280 and 390 px.
func look(t *testing.T, b context.Context, name, want string) {
	t.Helper()
	if text := browsertest.Text(t, b, "body"); !strings.Contains(text, want) {
		t.Errorf("%s does not say %q", name, want)
	}
	for _, v := range browsertest.Axe(t, b) {
		t.Errorf("%s: %s", name, v)
	}
	for _, width := range []int64{1280, 390} {
		browsertest.Width(t, b, width)
		if width == 390 {
			if w := browsertest.ScrollWidth(t, b); w > 390 {
				t.Errorf("%s is %d px wide at 390 px: it scrolls sideways", name, w)
			}
		}
		browsertest.Screenshot(t, b, fmt.Sprintf("%s-%d", name, width))
	}
	browsertest.Width(t, b, 1280)
}

// An open page follows its conversation: a reply that arrives by email
// shows on the accountant's transaction page within a second, its email's
// status moves from waiting to sent, and the client's Conversation count
// goes up, all without a reload.
func TestBrowserLiveUpdates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	acc := browsertest.New(t)
	must(t, chromedp.Do(acc, chromedp.Navigate(f.srv.URL+f.txnPath(f.acme, f.invoice)), chromedp.WaitVisible("#sign-in")))
	signIn(t, acc, "avery@firm.test", "#activities")
	cli := browsertest.New(t)
	must(t, chromedp.Do(cli, chromedp.Navigate(fmt.Sprintf("%s/companies/%d", f.srv.URL, f.acme.ID)), chromedp.WaitVisible("#sign-in")))
	signIn(t, cli, "ana@acme.test", "#conversation")
	for _, b := range []context.Context{acc, cli} {
		must(t, chromedp.Do(b, chromedp.Evaluate[chromedp.Void](`window.stayed = true`)))
	}
	time.Sleep(300 * time.Millisecond) // the event streams open

	start := time.Now()
	if _, err := f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.ana.ID,
		RecipientID: f.accountant.ID, Body: "It was the spring stock order.", Source: threads.SourceEmail, SenderAuth: "dkim"}); err != nil {
		t.Fatal(err)
	}
	waitText(t, acc, "#thread", "It was the spring stock order.")
	if took := time.Since(start); took > time.Second {
		t.Errorf("the reply took %v to show", took)
	}
	waitText(t, acc, "#thread", "email waiting to be sent")

	if _, err := f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID,
		RecipientID: f.ana.ID, Body: "Thanks!", Source: threads.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	waitText(t, cli, "#conversation-count", "1")
	ns, err := f.store.ClaimNotifications(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if _, err := f.store.MarkSent(ctx, n.OutboxID, n.Attempt); err != nil {
			t.Fatal(err)
		}
	}
	waitText(t, acc, "#m1", "emailed")
	browsertest.Screenshot(t, acc, "live-transaction")
	for name, b := range map[string]context.Context{"transaction": acc, "company": cli} {
		if stayed, err := chromedp.Run(b, chromedp.Evaluate[bool](`window.stayed === true`)); err != nil || !stayed {
			t.Errorf("the %s page reloaded to show the change", name)
		}
	}
}
