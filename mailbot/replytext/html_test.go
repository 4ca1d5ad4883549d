package replytext

import (
	"strings"
	"testing"
)

func TestExtractHTML(t *testing.T) {
	cases := []extractCase{
		{"gmail", `<div dir="ltr">Paid on Friday.</div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, Avery wrote:</div><blockquote class="gmail_quote">Was this paid?</blockquote></div>`,
			"Paid on Friday.", "Was this paid?"},
		{"apple mail", `<html><body>Yes, the spring order.<br><div><blockquote type="cite"><div>What was it?</div></blockquote></div></body></html>`,
			"Yes, the spring order.", "What was it?"},
		{"outlook", `<div>See attached.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Avery</div><div>Old text</div>`,
			"See attached.", "Old text"},
		{"thunderbird", `<p>Done.</p><div class="moz-cite-prefix">On 3/3/26 Avery wrote:</div><blockquote type="cite">Earlier</blockquote>`,
			"Done.", "Earlier"},
		{"bold is read as the reader saw it", `<p>Just <b>this</b>.</p>`, "Just this.", ""},
		{"styled empty lines", `<div>Paid.</div><div><b><span><br></span></b></div><div><b>Dana</b></div>`, "Paid.\n\nDana", ""},
		{"inline answers between quoted passages", `<div>Answers below.</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Mar 2, 2026 Avery &lt;a@example.test&gt; wrote:<br></div>` +
			`<blockquote class="gmail_quote">Was the March invoice paid?</blockquote><div>Yes, on the 5th.</div>` +
			`<blockquote class="gmail_quote">And the credit note?</blockquote><div>Not yet.</div></div>`,
			"Answers below.\n\n> Was the March invoice paid?\n\nYes, on the 5th.\n\n> And the credit note?\n\nNot yet.", "wrote:"},
		{"the indent button's blockquote is the author's text", `<div dir="ltr"><div>Paid. The account:</div><blockquote style="margin:0 0 0 40px;border:none;padding:0px"><div>IBAN GB33 BUKB 2020 1555 5555 55</div></blockquote></div>` +
			`<div class="gmail_quote"><div class="gmail_attr">On Mon, Mar 2, 2026 Avery &lt;a@example.test&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">Which account?</blockquote></div>`,
			"Paid. The account:\nIBAN GB33 BUKB 2020 1555 5555 55", "Which account?"},
		{"a table of periods and dates is no header block", `<p>Totals:</p><table><tr><td>From:</td><td>1 March</td></tr><tr><td>To:</td><td>31 March</td></tr><tr><td>Date:</td><td>3 April</td></tr><tr><td>Amount:</td><td>1,250 EUR</td></tr></table><p>OK?</p>`,
			"Totals:\n\nFrom: 1 March\nTo: 31 March\nDate: 3 April\nAmount: 1,250 EUR\n\nOK?", ""},
		{"bold and the punctuation after it stay joined", `<div>The total is <b>1,200.00</b>, paid.</div>`, "The total is 1,200.00, paid.", ""},
		{"an ordered list keeps its numbers", `<div>Points:</div><ol start="2"><li>paid</li><li>open</li></ol><div>See point 3.</div>`, "Points:\n2. paid\n3. open\nSee point 3.", ""},
		{"an emoji drawn as a picture is the emoji", `<div>Thanks! <img src="cid:e1" alt="👍" class="an1"></div><div><img src="cid:logo" alt="Harbor logo"></div>`, "Thanks! 👍", ""},
		{"a '>' typed at the start of a line is no quote", `<div>Invoices by size:</div><div>&gt; 1,000: 4</div><div>&gt;5,000: 1</div>`, "Invoices by size:\n> 1,000: 4\n>5,000: 1", ""},
		{"a table's rows are lines", `<div>Payments:</div><table><tr><th>Date</th><th>Invoice</th></tr><tr><td><p class="MsoNormal">03/03/2026</p></td><td>A-1043</td></tr></table>`,
			"Payments:\n\nDate Invoice\n03/03/2026 A-1043", ""},
		{"an attribution without a time above a blockquote", `<div>Paid on Friday.</div><div>On Monday, March 2, 2026, Avery Quill wrote:</div><blockquote type="cite">Was it paid?</blockquote>`,
			"Paid on Friday.", "Avery Quill wrote:"},
		{"empty blocks after a quote are no answer", `<div>Paid.</div><div class="gmail_quote"><blockquote class="gmail_quote">Was it?</blockquote><div><br></div></div>`,
			"Paid.", "Was it?"},
	}
	checkExtracts(t, ExtractHTML, cases)
}

// Outlook's HTML reply header in other languages, without an id or a
// separator line: the text's header block is found.
func TestExtractHTMLOutlookHeaderInOtherLanguages(t *testing.T) {
	for _, h := range [][4]string{{"Von", "Gesendet", "An", "Betreff"}, {"Från", "Skickat", "Till", "Ämne"}, {"От", "Отправлено", "Кому", "Тема"}, {"Fra", "Sendt", "Til", "Emne"}} {
		body := `<div><p class="MsoNormal">Ja, bezahlt.</p><div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>` + h[0] + `:</b> Avery Quill<br><b>` +
			h[1] + `:</b> 3.3.2026 09:14<br><b>` + h[2] + `:</b> Dana Harbor<br><b>` + h[3] + `:</b> A-1001</p></div><p class="MsoNormal">Bezahlt?</p></div>`
		got := ExtractHTML(body)
		if got.Reply != "Ja, bezahlt." || !strings.Contains(got.Elided, "Bezahlt?") {
			t.Errorf("%s: %+v", h[0], got)
		}
	}
}

// Images in the quoted history are found by the structure that cuts it,
// whichever client quoted; images in the author's words are not.
func TestQuotedImages(t *testing.T) {
	own := `<p>Foto del recibo:</p><p><img src="cid:Own@client.test"></p>`
	for name, history := range map[string]string{
		"outlook border only": `<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p><b>De:</b> Avery Quill<br><b>Enviado:</b> martes, 3 de marzo de 2026 9:14<br>` +
			`<b>Para:</b> Dana Harbor<br><b>Asunto:</b> Factura A-1</p></div><p>¿Está pagada?</p><p><img src="cid:quoted@firm.test"></p>`,
		"gmail":       `<div class="gmail_quote"><div class="gmail_attr">El mar, 3 mar 2026, Avery escribió:</div><blockquote class="gmail_quote"><img src="CID:quoted@firm.test"></blockquote></div>`,
		"apple":       `<blockquote type="cite"><div>¿Está pagada?<img src="cid:quoted@firm.test"></div></blockquote>`,
		"thunderbird": `<div class="moz-cite-prefix">El 3/3/26 Avery escribió:</div><blockquote type="cite"><img src="cid:quoted@firm.test"></blockquote>`,
	} {
		got := QuotedImages(`<html><body>` + own + history + `</body></html>`)
		if !got["quoted@firm.test"] || got["own@client.test"] {
			t.Errorf("%s: quoted images = %v, want only quoted@firm.test", name, got)
		}
	}
}

// Outlook for Windows wraps its reply header in a div of its own: what
// follows the wrapper is the message answered, too.
func TestExtractHTMLOutlookHeaderInAWrapper(t *testing.T) {
	body := `<div class=WordSection1><p class=MsoNormal>Freigegeben.</p><p class=MsoNormal>Viele Grüße<br>Dana Harbor</p>` +
		`<div><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b>Von:</b> Avery Quill<br>` +
		`<b>Gesendet:</b> Dienstag, 3. März 2026 09:14<br><b>An:</b> Dana Harbor<br><b>Betreff:</b> Reisekosten</p></div></div>` +
		`<p class=MsoNormal>Hallo Dana, anbei die Abrechnung.</p></div>`
	got := ExtractHTML(body)
	if got.Reply != "Freigegeben.\nViele Grüße\nDana Harbor" || !strings.Contains(got.Elided, "anbei die Abrechnung") {
		t.Errorf("%+v", got)
	}
}

// An image below a separator written as text is in the history too.
func TestQuotedImagesBelowTextSeparator(t *testing.T) {
	body := `<div><p>Paid on Friday. <img src="cid:own@client"></p><p>-----Original Message-----<br>From: Avery Quill<br>Sent: Tuesday, March 3, 2026 9:14 AM<br>` +
		`To: Dana Harbor<br>Subject: Invoice A-1001</p><p>Was it paid? <img src="cid:chart@firm"></p></div>`
	if r := ExtractHTML(body); r.Reply != "Paid on Friday." {
		t.Fatalf("reply %q", r.Reply)
	}
	if got := QuotedImages(body); !got["chart@firm"] || got["own@client"] {
		t.Errorf("quoted images %v, want only chart@firm", got)
	}
}
