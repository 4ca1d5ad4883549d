package replytext

import (
	"strings"
	"testing"
)

func TestExtract(t *testing.T) {
	cases := []extractCase{
		{"our marker", "It was the spring order.\n\n##- Please type your reply above this line -##\nAvery wrote: ...",
			"It was the spring order.", "##- Please type"},
		{"marker quoted under an attribution", "Sure, attached.\n\nOn Tue, Mar 3, 2026 at 9:14 AM Avery Quill via Ledger Chat <notifications@example.test> wrote:\n> ##- Please type your reply above this line -##\n> Avery Quill wrote about invoice A-1",
			"Sure, attached.", "On Tue, Mar 3"},
		{"attribution wrapped over two lines", "Yes, that one.\n\nOn Tue, Mar 3, 2026 at 9:14 AM Avery Quill via Ledger Chat <\nnotifications@example.test> wrote:\n> earlier text",
			"Yes, that one.", "earlier text"},
		{"Spanish attribution", "Es la compra de marzo.\n\nEl mar, 3 mar 2026 a las 9:14, Blair Montoya escribió:\n> ¿Para qué fue?",
			"Es la compra de marzo.", "escribió"},
		{"German attribution", "Das war die Lieferung.\n\nAm 03.03.2026 um 09:14 schrieb Avery Quill <a@example.test>:\n> Was war das?",
			"Das war die Lieferung.", "schrieb"},
		{"French attribution", "C'était la commande.\n\nLe mar. 3 mars 2026 à 09:14, Avery Quill <a@example.test> a écrit :\n> Question",
			"C'était la commande.", "a écrit"},
		{"Outlook header block", "Please see the receipt.\n\nFrom: Avery Quill via Ledger Chat <notifications@example.test>\nSent: Tuesday, March 3, 2026 9:14 AM\nTo: Dana Harbor <dana@example.test>\nSubject: Invoice A-1001\n\nWhat was this for?",
			"Please see the receipt.", "Sent: Tuesday"},
		{"original message separator", "Done.\n\n-----Original Message-----\nFrom: someone\nold text",
			"Done.", "Original Message"},
		{"bottom quote only", "> What was this?\n\nA stock order.", "> What was this?\n\nA stock order.", ""},
		{"trailing quote block", "A stock order.\n\n> What was this?\n> Thanks", "A stock order.", "> What was this?"},
		{"signature", "Here it is.\n\nThanks,\nDana\n-- \nDana Harbor\nHarbor Tools Ltd", "Here it is.\n\nThanks,\nDana", "Harbor Tools Ltd"},
		{"mobile footer", "Will do.\n\nSent from my iPhone", "Will do.", "Sent from my iPhone"},
		{"Spanish mobile footer", "Claro.\n\nEnviado desde mi iPhone", "Claro.", "Enviado desde"},
		{"thanks stays", "Got it.\n\nThanks,\nDana", "Got it.\n\nThanks,\nDana", ""},
		{"CRLF and nbsp", "Fine\u00a0by me.\r\n\r\nOn Mon, Avery wrote:\r\n> x", "Fine by me.", "> x"},
		{"plain text kept whole", "Line one.\nLine two.", "Line one.\nLine two.", ""},
	}
	checkExtracts(t, Extract, cases)
}

func TestExtractDeepNestingIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("top\n")
	for i := range 20000 {
		b.WriteString(strings.Repeat(">", 1+i%200) + " line\n")
	}
	if got := Extract(b.String()); got.Reply != "top" {
		t.Errorf("reply = %.40q", got.Reply)
	}
}

func TestExtractMore(t *testing.T) {
	cases := []struct{ name, body, reply string }{
		{"only a quote, without an attribution", "> Is this paid?\n", "> Is this paid?"},
		{"forwarded with headers", "---------- Forwarded message ----------\nFrom: A <a@example.test>\nDate: Mon, Mar 2, 2026\nSubject: Old\nTo: b@example.test\n\nThe forwarded text.", "The forwarded text."},
		{"trailing rule", "Fine.\n\n ------------------------------", "Fine."},
		{"history first", "On 3/3/26, Avery wrote:\n> Paid?\nYes, paid.", "Yes, paid."},
		{"date attribution without verb", "Yes.\n\n2026-03-03 9:14 GMT+01:00 Avery Quill <a@example.test>:\n\n> Paid?", "Yes."},
		{"cyrillic verb", "Да.\n\n3 марта 2026 г., Avery <a@example.test> написал:\n> ?", "Да."},
		{"only quoted history", "> On Mon, Mar 2, 2026, Avery <a@example.test> wrote:\n>> Paid?\n", ""},
		{"inline reply keeps the quote and the answer below it",
			"See below.\n\nOn Mon, Mar 2, 2026, Avery <a@example.test> wrote:\n> Was the March invoice paid?\n\nYes, on the 5th.\n\n> And the credit note?\n\nNot yet.",
			"See below.\n\n> Was the March invoice paid?\n\nYes, on the 5th.\n\n> And the credit note?\n\nNot yet."},
		{"an answer on the line right above the attribution",
			"Confirmed, the 9:40 train.\nOn Fri, Mar 6, 2026 at 8:02 PM Avery Quill <a@example.test> wrote:\n> Which train, 9:40 or 11:15?",
			"Confirmed, the 9:40 train."},
		{"answers between passages under an attribution on top keep the first passage",
			"On Mon, Mar 2, 2026, Avery <a@example.test> wrote:\n\n> 1. Was the March invoice paid?\n\nYes.\n\n> 2. And the credit note?\n\nNot yet.\n\n> Thanks,\n> Avery",
			"> 1. Was the March invoice paid?\n\nYes.\n\n> 2. And the credit note?\n\nNot yet."},
		{"answers between passages without blank lines",
			"On 02/03/2026 09:14, Avery wrote:\n> Paid?\n24 March, by transfer.\n> Receipt?\nAttached.\n> Avery",
			"> Paid?\n24 March, by transfer.\n> Receipt?\nAttached."},
		{"separator of other hyphens", "Paid this morning.\n\n\u2010\u2010\u2010\u2010\u2010\u2010\u2010 Original Message \u2010\u2010\u2010\u2010\u2010\u2010\u2010\nOn Tuesday, Avery wrote:\nWas it paid?",
			"Paid this morning."},
		{"two underscores open a signature", "I can cover Saturday.\n\n__\nQuinn Marlow\nShift lead", "I can cover Saturday."},
		{"a footer naming a trademark", "Sign it.\nSent from my BlackBerry® smartphone from Vodafone", "Sign it."},
		{"quote a client wrapped without its marks is still the quote",
			"Agreed.\n\nOn Mon, Mar 2, 2026, Avery <a@example.test> wrote:\n> The payment of the March invoice was late by\nthree days.\n> Please confirm.\n\n-- \nDana",
			"Agreed."},
		{"mobile footer above an unquoted original",
			"Will send it tonight.\n\nSent from my Pixel 9\n\nPlease send the receipt for the stock order.\nThanks, Avery",
			"Will send it tonight."},
		{"header block opened by a date line",
			"Reçu, merci.\n\n=======\n\nMessage du : 02/03/2026 09:14\nDe : \"Avery\" <a@example.test>\nA : dana@example.test\nSujet : Facture\n\nAvez-vous payé ?",
			"Reçu, merci."},
		{"signature under a rule",
			"The transfer went out today.\n\n------\nDana Harbor\nHarbor Tools Ltd\nt. 555-010-0199\nhttps://harbor.example.test",
			"The transfer went out today."},
		{"a rule in the text stays",
			"Two items:\n\n------\nthe March invoice and the credit note.",
			"Two items:\n\n------\nthe March invoice and the credit note."},
		{"a line with a number above an attribution", "Invoice 2: paid on Friday.\n\nOn Tue, Mar 3, 2026 Avery <a@example.test> wrote:\n> Paid?",
			"Invoice 2: paid on Friday."},
		{"code block of prompts", "Run this:\n\n    > npm install\n    > npm start", "Run this:\n\n    > npm install\n    > npm start"},
		{"numbered list that mentions a message", "Notes:\n1. On 3/3/26 the client wrote:\n2. paid", "Notes:\n1. On 3/3/26 the client wrote:\n2. paid"},
		{"attribution inside a code fence", "The header reads:\n\n```\nOn Mon, Mar 2, 2026 at 9:14 AM Avery <a@example.test> wrote:\n```\nThat is all.",
			"The header reads:\n\n```\nOn Mon, Mar 2, 2026 at 9:14 AM Avery <a@example.test> wrote:\n```\nThat is all."},
		{"mailing-list footer", "Done.\n\n__\nbooks mailing list\nbooks@lists.example.test\nhttps://lists.example.test/books", "Done."},
		{"wrapped attribution under a two-line reply",
			"I can look at this in 2 weeks.\nI will let you know then.\nOp 2 mrt. 2026 09:14 schreef \"Avery\" <a@example.test> het\nvolgende geschreven:\n\n> Kun je dit bekijken?",
			"I can look at this in 2 weeks.\nI will let you know then."},
		{"an attribution without a date above a quote", "Paid.\n\nOn Monday, Avery Quill wrote:\n> Please pay.", "Paid."},
	}
	for _, c := range cases {
		if got := Extract(c.body); got.Reply != c.reply {
			t.Errorf("%s: reply = %q, want %q", c.name, got.Reply, c.reply)
		}
	}
}

func TestInterleavedAnswers(t *testing.T) {
	body := "Answers below.\n\nOn Tue, Mar 3, 2026 at 9:14 AM Avery Quill <avery@example.test> wrote:\n> Was the March invoice paid?\n\nYes, on the 5th.\n\n> And the credit note?\n\nNot yet.\n\n> Thanks,\n> Avery\n"
	want := "Answers below.\n\n> Was the March invoice paid?\n\nYes, on the 5th.\n\n> And the credit note?\n\nNot yet."
	if got := Extract(body); got.Reply != want {
		t.Errorf("reply = %q\nwant %q", got.Reply, want)
	}
}

// extractCase is a body, the reply to find in it and a piece of what is cut.
type extractCase struct{ name, body, reply, elidedHas string }

// checkExtracts runs extract on each case.
func checkExtracts(t *testing.T, extract func(string) Result, cases []extractCase) {
	t.Helper()
	for _, c := range cases {
		got := extract(c.body)
		if got.Reply != c.reply {
			t.Errorf("%s: reply = %q, want %q", c.name, got.Reply, c.reply)
		}
		if c.elidedHas != "" && !strings.Contains(got.Elided, c.elidedHas) {
			t.Errorf("%s: elided = %q, want it to hold %q", c.name, got.Elided, c.elidedHas)
		}
	}
}

// The author's own words shaped like history stay: payment details with
// From/To/Date lines but no subject or address, mail settings with
// From/To/Subject but no date, a sentence that reads as an attribution but
// names no date nor address, a postscript under a signature, a contact or
// a company's details that are the whole answer.
func TestOwnWordsShapedLikeHistoryStay(t *testing.T) {
	checkKeptWhole(t, []string{
		"Paid today. Transfer details:\n\nFrom: Harbor Tools Ltd, account 12345678\nTo: Fernhill Accounting\nDate: 3 March 2026\nAmount: 1,250.00 EUR\nReference: A-1042\n\nThanks,\nDana",
		"Von: Konto 1234\nAn: Fernhill\nDatum: 03.03.2026\nBetrag: 1.250,00 EUR\n\nIst das so richtig?",
		"On the invoice you wrote:\nTotal 1,250.00 EUR\nbut the order said 1,200.00 EUR.\n\nWhich is right?",
		"Yes.\n\nThanks\nDana Harbor\nHarbor Tools Ltd\n\nPS: we changed banks, the new IBAN is GB33 BUKB 2020 1555 5555 55.",
		"Please set it up so:\n\nFrom: invoices@firm.test\nTo: ap@client.test\nSubject: the PO number first\n\nThat is how our system reads them.",
		"Jane Roe\nAccounts Payable\n+44 20 7946 0001",
		"Paid.\n\nFrom: 1 March To: 31 March Date: 3 April Amount: 1,250.00 EUR",
		"Goods 800.00\nVAT 160.00\n________________\nTotal 960.00\n\nPaid in full.",
		"________________\nTotal 1,200.00 paid",
		"--\nPaid in full, see the receipt.",
		"Paid.\n\nOn 3 March 2026 the supplier wrote:\nthey credit 10% on the next order.",
		"Le 3 mars, le fournisseur a écrit :\nils accordent 10 % sur la prochaine commande.\nD'accord ?",
	})
	if got := Extract("Harbor Tools Ltd\n+44 20 7946 0123\nwww.harbor.test\n\nOn Mon, Mar 2, 2026 at 9:14 AM Avery <a@example.test> wrote:\n> Whom do we invoice?").Reply; got != "Harbor Tools Ltd\n+44 20 7946 0123\nwww.harbor.test" {
		t.Errorf("a company's details asked for: reply %q", got)
	}
}

// checkKeptWhole says each body is read as a reply whole.
func checkKeptWhole(t *testing.T, bodies []string) {
	t.Helper()
	for _, body := range bodies {
		if got := Extract(body).Reply; got != body {
			t.Errorf("%q\n  reply %q", body, got)
		}
	}
}
