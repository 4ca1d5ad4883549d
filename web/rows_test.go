package web

import (
	"html"
	"html/template"
	"strings"
	"testing"
	"time"

	"mailbot/i18n"
	"mailbot/templates"
	"mailbot/threads"
)

// hostile are values a ledger or a mail could carry: markup, both quotes,
// entities, a plus, a NUL, invalid UTF-8, non-characters and non-ASCII.
var hostile = []string{
	`<script>alert("x")</script>`, `O'Brien & "Sons" <b>`, "a+b=c", "nul\x00byte", "bad \xff\xfe utf8",
	"non-char \uFDD0 \uFFFE", "Peña · 東京", `" onmouseover="alert(1)`, "&amp; &lt;", "",
}

func testClocks(t *testing.T) []clock {
	t.Helper()
	cat, err := i18n.Load(templates.FS, "files/i18n")
	if err != nil {
		t.Fatal(err)
	}
	var out []clock
	for _, code := range cat.Codes() {
		out = append(out, (&Server{}).clockFor(threads.Person{TimeZone: "America/New_York"}, cat.Lang(code)))
	}
	return out
}

// execRows runs a row template as the page once had it, for comparison.
func execRows(t *testing.T, c clock, src string, data any) string {
	t.Helper()
	tmpl := template.Must(template.New("rows").Funcs(pageFuncs(c.lang)).Parse(src))
	var b strings.Builder
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The company home's rows, written by hand, are byte for byte what
// html/template wrote from the same values, hostile ones included.
func TestCompanyRowsAsTemplateWrote(t *testing.T) {
	const txnSrc = `{{$lt := t "col.transaction"}}{{$ld := t "col.date"}}{{$la := t "col.amount"}}{{range .}}<tr>
<td data-label="{{$lt}}"><a href="/companies/{{.CompanyID}}/transactions/{{.ID}}">{{kind .Kind}} {{.Number}}</a></td>
<td data-label="{{$ld}}">{{.Date}}</td>
<td data-label="{{party .Kind}}">{{.Counterparty}}</td>
<td data-label="{{$la}}" class="num">{{amount .AmountMinor .Currency}}</td>
</tr>{{end}}`
	const waitingSrc = `{{$lt := t "col.transaction"}}{{$lf := t "col.from"}}{{$lm := t "col.message"}}{{$lw := t "col.when"}}{{range .}}<tr>
<td data-label="{{$lt}}"><a href="/companies/{{.CompanyID}}/transactions/{{.TransactionID}}#activities">{{kind .TxnKind}} {{.TxnNumber}}</a></td>
<td data-label="{{$lf}}">{{.Author}}</td><td data-label="{{$lm}}">{{.FirstLine}}</td>
<td data-label="{{$lw}}"><time datetime="{{.ISO}}">{{.When}}</time></td>
</tr>{{end}}`
	when := time.Date(2026, 3, 14, 15, 4, 0, 0, time.UTC)
	var txns []threads.Transaction
	var waiting []threads.WaitingMessage
	for i, s := range hostile {
		kind := []threads.Kind{threads.KindInvoice, threads.KindBill, threads.KindSalesReceipt}[i%3]
		txns = append(txns, threads.Transaction{ID: int64(i + 1), CompanyID: 7, Kind: kind, Number: s, Date: when,
			AmountMinor: int64(i) * 123456, Currency: "EUR", Counterparty: s})
		m := threads.WaitingMessage{TxnKind: kind, TxnNumber: s}
		m.ID, m.TransactionID, m.CompanyID, m.AuthorName, m.Body, m.CreatedAt = int64(i+1), int64(i+1), 7, s, s+"\nsecond line", when
		waiting = append(waiting, m)
	}
	for _, c := range testClocks(t) {
		type txnView struct {
			threads.Transaction
			Date string
		}
		var tv []txnView
		for _, x := range txns {
			tv = append(tv, txnView{x, c.Date(x.Date)})
		}
		want := execRows(t, c, txnSrc, tv)
		if got := string(txnRows(c, txns)); got != want {
			t.Errorf("%s: transaction rows differ\n got: %s\nwant: %s", c.lang.Code(), got, want)
		}
		type waitingView struct {
			threads.WaitingMessage
			Author, FirstLine, ISO, When string
		}
		var wv []waitingView
		for _, m := range waiting {
			wv = append(wv, waitingView{m, m.AuthorName, firstLine(m.Body), c.ISO(m.CreatedAt), c.DateTime(m.CreatedAt)})
		}
		want = execRows(t, c, waitingSrc, wv)
		if got := string(waitingRows(c, waiting)); got != want {
			t.Errorf("%s: waiting rows differ\n got: %s\nwant: %s", c.lang.Code(), got, want)
		}
	}
}

// Escaped text holds no character that could open or close markup or an
// attribute, and reads back as it was (a NUL, which HTML forbids, as U+FFFD).
func TestEscapedText(t *testing.T) {
	for _, s := range hostile {
		got := string(appendEscaped(nil, s))
		if strings.ContainsAny(got, `<>"'+`) || strings.ContainsRune(got, 0) {
			t.Errorf("%q: escaped as %q, with markup left", s, got)
		}
		if back := html.UnescapeString(got); back != strings.ReplaceAll(s, "\x00", "\uFFFD") {
			t.Errorf("%q: escaped as %q, which reads back as %q", s, got, back)
		}
	}
}

// A thread's messages, written by hand, are byte for byte what
// html/template wrote from the same values.
func TestThreadAsTemplateWrote(t *testing.T) {
	const src = `{{range .}}
<article class="activity" id="m{{.ID}}">
<div class="meta"><strong class="author">{{.Author}}</strong> {{t "msg.to"}} {{.Recipient}} ·
<time datetime="{{.ISO}}">{{.When}}</time> ·
<span class="source">{{.Source}}</span>{{with .Sender}} · <span class="sender-auth">{{.}}</span>{{end}}{{if .Delivery}} · <span class="delivery{{if .Trouble}} trouble{{end}}">{{.Delivery}}</span>{{end}}</div>
<div class="body">{{.Body}}</div>
{{if .Files}}<ul class="files">
{{range .Files}}<li class="file">{{if .Preview}}<a class="preview-link" href="{{.URL}}"><img class="preview" src="{{.Preview}}" alt="{{.Name}}" loading="lazy"></a>{{end}}
<a class="download" href="{{.URL}}" download>{{.Name}}</a> <span class="file-meta">{{.Size}} · {{.Type}}</span></li>
{{end}}</ul>{{end}}
{{with .Refused}}<p class="refused">{{.}}</p>{{end}}
{{if .Elided}}<details class="quoted"><summary>{{t "msg.quoted"}}</summary><div class="body">{{.Elided}}</div></details>{{end}}
</article>
{{end}}`
	when := time.Date(2026, 3, 14, 15, 4, 0, 0, time.UTC)
	var thread []threads.Message
	for i, s := range hostile {
		m := threads.Message{ID: int64(i + 1), AuthorName: s, RecipientName: s, Body: s + "\n\n> " + s + "\nhttps://example.com/?q=" + s,
			Source: []threads.Source{threads.SourceWeb, threads.SourceEmail, threads.SourceAPI}[i%3], CreatedAt: when,
			SenderAuth: []string{"", "dkim", "fail", "none"}[i%4]}
		if i%2 == 1 {
			m.Elided = "> " + s
		}
		m.Delivery.Status = []string{"", threads.OutboxPending, threads.OutboxSent, threads.OutboxMuted,
			threads.OutboxFailed, threads.OutboxBounced}[i%6]
		m.Delivery.Detail, m.Delivery.SentAt = s, when
		if i%3 != 0 {
			m.Files = []threads.File{{ID: int64(10 * i), Name: s + ".jpg", ContentType: "image/jpeg", Size: 123456},
				{ID: int64(10*i + 1), Name: s + ".pdf", ContentType: "application/pdf", Size: 99},
				{ID: int64(10*i + 2), Name: s + ".exe", Refused: "executable " + s}}
		}
		thread = append(thread, m)
	}
	for _, c := range testClocks(t) {
		acts := activities(thread, c, threads.KindInvoice, "/companies/7/transactions/9/files/")
		want := execRows(t, c, src, acts)
		if got := string(threadHTML(c.lang, acts)); got != want {
			t.Errorf("%s: thread differs\n got: %s\nwant: %s", c.lang.Code(), got, want)
		}
	}
}

// The post form's recipients, written by hand, are what html/template
// wrote from the same people.
func TestRecipientOptionsAsTemplateWrote(t *testing.T) {
	const src = `{{range .People}}<option value="{{.ID}}"{{if eq .ID $.Selected}} selected{{end}}>{{.Name}} ({{t (print "role." .Role)}})</option>{{end}}`
	var people []threads.Member
	for i, s := range hostile {
		var m threads.Member
		m.ID, m.Name, m.Role = int64(i+1), s, []threads.Role{threads.RoleAccountant, threads.RoleClient}[i%2]
		people = append(people, m)
	}
	for _, c := range testClocks(t) {
		for _, selected := range []int64{0, 3} {
			want := execRows(t, c, src, map[string]any{"People": people, "Selected": selected})
			if got := string(recipientOptions(c.lang, people, selected)); got != want {
				t.Errorf("%s: options differ\n got: %s\nwant: %s", c.lang.Code(), got, want)
			}
		}
	}
}

// A link written by hand goes only to a page of this site.
func TestPathStaysOnSite(t *testing.T) {
	for in, want := range map[string]string{
		"/companies/1/transactions/2/files/3": "/companies/1/transactions/2/files/3",
		"javascript:alert(1)":                 "#",
		"//evil.example/x":                    "#",
		`/\evil.example`:                      "#",
		"https://evil.example/":               "#",
		`/a?b="c"`:                            "/a?b=&#34;c&#34;",
	} {
		h := newHTMLBuf(0)
		h.path(in)
		if got := string(h.html()); got != want {
			t.Errorf("path(%q) = %q, want %q", in, got, want)
		}
	}
}
