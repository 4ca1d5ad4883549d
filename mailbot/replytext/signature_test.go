package replytext

import (
	"strings"
	"testing"
)

// Signatures without a delimiter, in mail written for these tests.
func TestSignatureWithoutDelimiter(t *testing.T) {
	cases := []struct {
		name, body string
		opts       *Options
		reply      string
	}{
		{"name, title and phone", "The bill is for March.\n\nRegards,\n\nQuinn Marlow\nFinance Manager\n+44 20 7946 0000\nwww.example.test", nil, "The bill is for March."},
		{"close and name in one paragraph with contact lines", "Sent it today.\n\nBest regards,\nQuinn Marlow\nTel: 020 7946 0000", nil, "Sent it today."},
		{"a close with a name stays", "Sent it today.\n\nKind regards,\nQuinn Marlow", nil, "Sent it today.\n\nKind regards,\nQuinn Marlow"},
		{"first name stays", "Sent it today.\n\nThanks,\nQuinn", nil, "Sent it today.\n\nThanks,\nQuinn"},
		{"dash name stays", "Sent it today.\n\n-Quinn", nil, "Sent it today.\n\n-Quinn"},
		{"someone else's name and title are a contact the sender gives", "Paid. The new contact is\n\nJane Roe\nFinance Manager\n+44 20 7946 0001",
			&Options{SenderName: "Dana Harbor", SenderAddress: "dana.harbor@client.test"}, "Paid. The new contact is\n\nJane Roe\nFinance Manager\n+44 20 7946 0001"},
		{"someone else's block below the sender's close and name", "Paid.\n\nThanks,\nDana\n\nJane Roe\nFinance Manager\n+44 20 7946 0001",
			&Options{SenderName: "Dana Harbor", SenderAddress: "dana.harbor@client.test"}, "Paid.\n\nThanks,\nDana\n\nJane Roe\nFinance Manager\n+44 20 7946 0001"},
		{"the sender's own block under a double-barrelled name", "Paid.\n\nKatherine Jones-Smith\nFinance Manager\n+44 20 7946 0001",
			&Options{SenderName: "Kate Smith", SenderAddress: "kate.smith@client.test"}, "Paid."},
		{"a shared mailbox's sender says nothing of whose the block is", "Paid.\n\nJane Roe\nFinance Manager\n+44 20 7946 0001",
			&Options{SenderName: "Accounts Payable", SenderAddress: "ap@client.test"}, "Paid."},
		{"sender's name opens the block", "Yes, paid.\n\nQuinn Marlow\nMarlow Joinery", &Options{SenderName: "Quinn Marlow"}, "Yes, paid."},
		{"sender's address in the block", "Yes, paid.\n\nQ. Marlow\nquinn@marlow.test", &Options{SenderAddress: "quinn@marlow.test"}, "Yes, paid."},
		{"without the sender, a bare name and company stay", "Yes, paid.\n\nQuinn Marlow\nMarlow Joinery", nil, "Yes, paid.\n\nQuinn Marlow\nMarlow Joinery"},
		{"confidentiality notice", "Yes, paid.\n\nQuinn Marlow\nFinance Manager\n\nThis message is confidential and intended solely for the addressee. If you received it by mistake, tell the sender and delete it; do not share it.", nil, "Yes, paid."},
		{"contact details asked for", "The person to call is:\n\nQuinn Marlow\n+44 20 7946 0000", nil, "The person to call is:\n\nQuinn Marlow\n+44 20 7946 0000"},
		{"a list is no signature", "Items:\n\nPaper\nInk\nStamps", nil, "Items:\n\nPaper\nInk\nStamps"},
		{"German close and title", "Ist bezahlt.\n\nMit freundlichen Grüßen\nJonas Feld\nGeschäftsführer", nil, "Ist bezahlt."},
		{"a block set apart line by line, as HTML mail gives it", "Attached.\n\nKind regards,\n\nQuinn Marlow\n\nFinance Manager\n\nMarlow Joinery Ltd\n\n+44 20 7946 0000 | www.example.test",
			nil, "Attached."},
		{"on behalf of, with the company's registration below", "Verrechnet.\n\nMit freundlichen Grüßen\n\ni. A. Jonas Feld\nBuchhaltung\nTel.: +49 30 5550 0000\n\nGeschäftsführer: Ida Feld · Amtsgericht Köln HRB 12345",
			nil, "Verrechnet."},
		{"Danish notice below the block", "Den er betalt.\n\nMed venlig hilsen\nJonas Feld\nBogholder\nTlf. +45 55 55 00 00\n\nDenne e-mail kan indeholde fortrolige oplysninger. Hvis du ikke er den rette modtager, bedes du give afsender besked.",
			nil, "Den er betalt."},
		{"Arabic close, name and title", "تم السداد اليوم.\n\nمع التحية،\nليلى حداد\nمحاسبة\nهاتف: +971 4 555 0000", nil, "تم السداد اليوم."},
		{"Chinese thanks above a name, title and phone", "发票已收到。\n\n谢谢\n\n林志明\n财务部 经理\n电话：(02) 5555-0000", nil, "发票已收到。"},
		{"a close with a name stays above the block that names them again", "Attached.\n\nThanks,\nQuinn\n\nQuinn Marlow\nController\n+44 20 7946 0000",
			nil, "Attached.\n\nThanks,\nQuinn"},
		{"a table's rule and total stay", "Sent on Friday:\n\n  INV 1   EUR 100.00\n  INV 2   EUR  50.00\n  ----------------\n  Total   EUR 150.00\n\nValue date is today.\n\nRegards\n\nQuinn Marlow\nTreasury\nPhone: +41 44 555 00 00",
			nil, "Sent on Friday:\n\n  INV 1   EUR 100.00\n  INV 2   EUR  50.00\n  ----------------\n  Total   EUR 150.00\n\nValue date is today."},
		{"bilingual close", "Anbei die Rechnung.\n\nMit freundlichen Grüßen / Kind regards\n\nJonas Feld\nBuchhaltung / Accounting\nTel. / Phone: +49 40 555 00 00", nil, "Anbei die Rechnung."},
		{"a phone number alone below a close and name", "Przelew zlecony dzisiaj.\n\nPozdrawiam\nJan Nowak\n\ntel. 601 234 567", nil, "Przelew zlecony dzisiaj.\n\nPozdrawiam\nJan Nowak"},
		{"a close with a name stays above the company's details", "Ist eingegangen.\n\nFreundliche Grüße\nIda Feld\n\nFeld & Partner mbH\nLindenallee 7, 50667 Köln\nSitz der Gesellschaft: Köln · Amtsgericht Köln HRB 45678\nUSt-IdNr.: DE000000000",
			nil, "Ist eingegangen.\n\nFreundliche Grüße\nIda Feld"},
		{"a sentence naming a tax id is no notice", "Hallo,\n\nanbei die Rechnung mit der richtigen USt-IdNr. (FR00000000000).", nil, "Hallo,\n\nanbei die Rechnung mit der richtigen USt-IdNr. (FR00000000000)."},
		{"Chinese thanks with a full-width mark", "已付款。\n\n谢谢！\n李娜\n财务部\n电话：021-5555 0000", nil, "已付款。"},
		{"a greeting and a question above a close and a block stay", "Hallo Ida\n\nGut, und dir?\n\nJonas\n\nMag. Jonas Feld\nA-1010 Wien, Lindengasse 1\nTel: +43 1 555 0000",
			nil, "Hallo Ida\n\nGut, und dir?\n\nJonas"},
		{"a question between a name and a block stays", "Got it.\n\nAvery Stone\n\nWhich invoice do you mean?\n\nQuinn Marlow\nController\n+44 20 7946 0000", nil, "Got it.\n\nAvery Stone\n\nWhich invoice do you mean?"},
		{"a one-word answer above a block stays", "Hi Avery,\n\nYes\n\nQuinn Marlow\nController\n+44 20 7946 0000", nil, "Hi Avery,\n\nYes"},
	}
	for _, c := range cases {
		got := ExtractWith(c.body, c.opts)
		if got.Reply != c.reply {
			t.Errorf("%s: reply = %q, want %q", c.name, got.Reply, c.reply)
		}
		if got.Reply != c.body && !strings.Contains(got.Elided, strings.TrimPrefix(c.body, c.reply)[2:6]) {
			t.Errorf("%s: elided = %q", c.name, got.Elided)
		}
	}
}

// A postscript below a signature, a block or a footer is the author's;
// a company named like one is not.
func TestPostscriptBelowSignatureStays(t *testing.T) {
	checkExtracts(t, Extract, []extractCase{
		{"below a signature", "Paid.\n\n-- \nDana Harbor\nHarbor Tools Ltd\n\nPS: please send the statement too.", "Paid.\n\nPS: please send the statement too.", "Harbor Tools Ltd"},
		{"below a block", "Paid.\n\nQuinn Marlow\nFinance Manager\n+44 20 7946 0000\n\nP.S. The second invoice follows on Friday.",
			"Paid.\n\nP.S. The second invoice follows on Friday.", "Finance Manager"},
		{"above a signature block, the block goes", "Paid.\n\nPS: the other invoice too.\n\nJane Roe\nFinance Manager\nHarbor Tools Ltd\n+44 20 7946 0001",
			"Paid.\n\nPS: the other invoice too.", "Finance Manager"},
		{"below a footer", "Paid.\n\nSent from my iPhone\n\nPS: the other invoice too.", "Paid.\n\nPS: the other invoice too.", "Sent from my iPhone"},
		{"a company named PS is no postscript", "Paid.\n\n-- \nJane Roe\n\nPS Logistics GmbH\nHafenstraße 1, 20457 Hamburg", "Paid.", "PS Logistics"},
	})
}

// A reply that is only a signature is empty (a file sent with nothing
// written); "--" with no signature below opens the answer.
func TestOnlyASignature(t *testing.T) {
	checkExtracts(t, Extract, []extractCase{
		{"RFC 3676 delimiter", "-- \nDana Harbor\nHarbor Tools Ltd\n+44 20 7946 0001\n\nOn Mon, Mar 2, 2026 at 9:14 AM Avery <a@example.test> wrote:\n> Please send the receipt.",
			"", "Harbor Tools Ltd"},
		{"bare dashes above a signature block", "--\nDana Harbor\nFinance Manager\n+44 20 7946 0001", "", "Finance Manager"},
		{"bare dashes above words", "--\nPaid in full, see the receipt.", "--\nPaid in full, see the receipt.", ""},
	})
}

func TestHTMLRuleAboveHeaderBlock(t *testing.T) {
	body := `<div>Paid on Friday.<hr><b>Von: </b>Avery<br><b>Gesendet: </b>Dienstag<br><b>An: </b>Dana<br><b>Betreff: </b>Rechnung<br><p>Bezahlt?</p></div>`
	got := ExtractHTML(body)
	if got.Reply != "Paid on Friday." || !strings.Contains(got.Elided, "Bezahlt?") {
		t.Errorf("got %+v", got)
	}
}

// What a person wrote and a rule could take for a signature or a footer
// stays: numbers asked for, references under a label in scripts without
// capitals, words that hold a disclaimer's word, sentences that begin like
// an app's footer, a list of contacts, a reply that is only a contact.
func TestAnswersThatLookLikeSignaturesStay(t *testing.T) {
	checkKeptWhole(t, []string{
		"Here is the number you asked for:\n\ntel. 601 234 567",
		"Call them\n\nPhone: 91 555 00 00",
		"已付款\n\n转账编号\n1234 5678 9012",
		"تم الدفع اليوم\n\nرقم الحوالة\n1234 5678 9012",
		"שולם היום\n\nמספר העברה\n1234 5678 9012",
		"ได้รับใบแจ้งหนี้แล้วครับ\n\nจะโอนเงินให้ภายในวันศุกร์ และจะส่งใบเสร็จกลับไปให้ครับ ขอบคุณสำหรับการตอบกลับอย่างรวดเร็วมากครับ ทางเราจะตรวจสอบเอกสารทั้งหมดอีกครั้ง",
		"وصلت الفاتورة.\n\nشكرا على الرد السريع، سنحول المبلغ يوم الجمعة ونرسل الإيصال إلى قسم الحسابات في أقرب وقت ممكن بعد التحويل.",
		"Bonjour,\n\nEnvoyé avec le relevé bancaire.\nLe montant est de 120 euros.",
		"Hej,\n\nSkickat med posten idag.\nFakturan kommer på måndag.",
		"Olá,\n\nEnviado com o comprovante.\nO valor é de 120 euros.",
		"The contacts:\n\nMaria Lopez\n+34 600 000 000\n\nJuan Perez\n+34 611 111 111",
		"Maria Lopez\n+34 600 000 000",
	})
}
