package replytext

import (
	"strings"
	"testing"
)

// Mail written for these tests in the shapes other languages' clients
// produce; names and addresses are made up.
func TestExtractLanguages(t *testing.T) {
	cases := []extractCase{
		{"Danish footer and separator", "Det er betalt.\n\nSendt fra min iPad\n\n-------- Oprindelig besked --------\nFra: Avery Quill <a@example.test>\nDato: 03.03.2026 09:14\nTil: Dana Harbor <d@example.test>\nEmne: Faktura A-1\n\nEr den betalt?",
			"Det er betalt.", "Oprindelig besked"},
		{"French Outlook footer", "C'est la commande de mars.\n\nEnvoyé à partir de Outlook pour iOS<https://aka.example.test/o>\n________________________________\nDe : Avery Quill <a@example.test>\nEnvoyé : mardi 3 mars 2026 09:14\nÀ : Dana Harbor\nObjet : Facture\n\nQuestion",
			"C'est la commande de mars.", "Objet"},
		{"German Outlook footer", "Erledigt.\n\nGesendet von Outlook für Android", "Erledigt.", "Outlook für Android"},
		{"Arabic footer with direction marks", "تم الدفع\n\n\u202bأُرسلت من الـ iPhone\u202c", "تم الدفع", "iPhone"},
		{"Russian header block without separator", "Оплачено вчера.\n\nОт: Avery Quill <a@example.test>\nОтправлено: 3 марта 2026 г. 9:14\nКому: Dana Harbor\nТема: Счёт A-1\n\nОплачен ли счёт?",
			"Оплачено вчера.", "Тема"},
		{"Swedish header block, bold and in another order", "Ja.\n\n*Skickat:* den 3 mars 2026 09:14\n*Från:* Avery Quill\n*Till:* Dana Harbor\n*Ämne:* Faktura\n\nBetald?",
			"Ja.", "Ämne"},
		{"Italian attribution", "Sì, è pagata.\n\nIl giorno mar 3 mar 2026 alle ore 09:14 Avery Quill <a@example.test> ha scritto:\n> È pagata?",
			"Sì, è pagata.", "ha scritto"},
		{"Portuguese attribution without a quote mark", "Pode ser.\n\nNo dia 03/03/2026, às 09:14, avery@example.test escreveu:\n\nPodemos falar amanhã?",
			"Pode ser.", "Podemos falar"},
		{"date-first attribution", "Paid.\n\n2026-03-03 9:14 GMT+01:00 Avery Quill <a@example.test>:\n> Was it paid?", "Paid.", "Was it paid?"},
		{"date and address, no verb, no colon", "Paid.\n\n2026/3/3 Avery Quill <a@example.test>\n\n> Was it paid?", "Paid.", "Was it paid?"},
		{"attribution wrapped after the address opens", "Paid.\n\n2026/3/3 Avery Quill <\na@example.test>\n\n> Was it paid?", "Paid.", "Was it paid?"},
		{"German attribution wrapped over two lines", "Passt.\n\nAvery Quill <a@example.test> schrieb am Di. 3. März 2026\num 09:14:\n\n> Passt das?", "Passt.", "Passt das?"},
		{"pipe quotes", "Yes.\n\nOn Tue, Mar 3, 2026, Avery wrote:\n| Was it paid?\n| Thanks", "Yes.", "| Was it paid?"},
		{"table rows are no quote", "Totals:\n| a | b |\n| 1 | 2 |", "Totals:\n| a | b |\n| 1 | 2 |", ""},
		{"a sentence that begins like a footer", "Sent from my personal address because work mail is down. The total is 1,250.00 EUR.",
			"Sent from my personal address because work mail is down. The total is 1,250.00 EUR.", ""},
		{"a Spanish sentence that begins like a footer", "Enviado desde mi oficina: el total es 1.250,00 EUR.", "Enviado desde mi oficina: el total es 1.250,00 EUR.", ""},
		{"Outlook app named in a sentence", "Get Outlook for iOS is what I use; the figures are in the sheet.", "Get Outlook for iOS is what I use; the figures are in the sheet.", ""},
		{"footer ending the answer above an unquoted message", "Yes, that works.\nSent from my Galaxy\n\nHello Dana, could we move the call to Friday?\nAvery",
			"Yes, that works.", "could we move"},
		{"Hungarian footer", "Rendben.\nAz iPhone-omról küldve", "Rendben.", "küldve"},
		{"Hungarian footer, other word order", "Rendben, holnap utalok.\n\nElküldve az iPhone-omról", "Rendben, holnap utalok.", "Elküldve"},
		{"Chinese mail app footer without 'my'", "收到，周五付款。\n\n发自手机邮箱", "收到，周五付款。", "发自"},
		{"English header block run together on one line", "Paid today.\n\nFrom: Avery Quill <a@example.test> Sent: Tuesday, March 3, 2026 9:14 AM To: Dana Harbor <d@example.test> Subject: Invoice A-1\nWas it paid?",
			"Paid today.", "Was it paid?"},
		{"French header block run together, spaces before the colons", "Payée hier.\n\nDe : Avery Quill Envoyé : mardi 3 mars 2026 09:14 À : Dana Harbor Objet : Facture A-1\nEst-elle payée ?",
			"Payée hier.", "Est-elle payée"},
		{"a sentence naming fields is no header", "From: our side nothing changed. To: be sure, I asked again.", "From: our side nothing changed. To: be sure, I asked again.", ""},
		{"name and verb without a date, pipe quotes", "Agreed.\n\nAvery Quill wrote:\n| Shall we book it in March?\n| Avery", "Agreed.", "Avery Quill wrote:"},
		{"name and verb without a date, German", "Passt.\n\nAvery Quill schrieb:\n\n> Passt das so?", "Passt.", "schrieb:"},
		{"a verb ending a sentence is no attribution", "This is what the bank wrote:\n\nThe transfer was returned.", "This is what the bank wrote:\n\nThe transfer was returned.", ""},
		{"GroupWise header", "Forwarded to the auditors.\n\n>>> \"Avery Quill\" <a@example.test> 3/3/2026 9:14 AM >>>\nHere is the letter.\n\nAvery",
			"Forwarded to the auditors.", "Here is the letter."},
		{"Japanese signature between box rules", "請求書を確認しました。\n\n━━━━━━━━━━━━━━━━\nサンプル商事　経理部\n田中 花子\nTEL: 03-0000-0000\n━━━━━━━━━━━━━━━━",
			"請求書を確認しました。", "TEL"},
		{"quoting line, a blank line, then the quote", "Schon bezahlt.\n\nZitat von Avery Quill <a@example.test>:\n\n> Ist das bezahlt?", "Schon bezahlt.", "Zitat von"},
		{"mutt attribution opening with a star, answers between", "See below.\n\n* Avery Quill <a@example.test> [2026-03-03 09:14]:\n> Paid?\n\nYes.\n\n> Receipt?\n\nAttached.",
			"See below.\n\n> Paid?\n\nYes.\n\n> Receipt?\n\nAttached.", "[2026-03-03 09:14]:"},
		{"French forward of Apple Mail", "Pour info.\n\nDébut du message réexpédié :\n\nDe: Avery Quill <a@example.test>\nObjet: Facture", "Pour info.", "réexpédié"},
		{"Turkish Outlook app footer", "Tamam.\n\nAndroid için Outlook'u edinin", "Tamam.", "Outlook"},
		{"Swedish footer of a mail service", "Betalt.\n\nSkickat med Proton Mail säker e-post.", "Betalt.", "Proton"},
		{"'wrote:' in a sentence with a number", "The office wrote on page 2 of its letter of 2 March, and I quote what the office wrote:\n\n  \"Input VAT cannot be deducted.\"\n\nSo we need new invoices.",
			"The office wrote on page 2 of its letter of 2 March, and I quote what the office wrote:\n\n  \"Input VAT cannot be deducted.\"\n\nSo we need new invoices.", ""},
		{"Turkish phone maker's footer", "Tamam.\n\nSamsung Galaxy akıllı telefonumdan gönderildi.", "Tamam.", "Samsung"},
		{"Hungarian attribution wrapped after the address opens", "Rendben.\n\nAvery Quill <\na@example.test> ezt írta (időpont: 2026. márc. 3., K, 9:14):\n\n> Rendben?",
			"Rendben.", "ezt írta"},
		{"footer with a typographic apostrophe", "Evet, aldık.\n\niPhone’umdan gönderildi", "Evet, aldık.", "gönderildi"},
		{"French footer of a secure mail service", "Reçu.\n\nEnvoyé avec la messagerie sécurisée Proton Mail.", "Reçu.", "Proton"},
		{"Romanian footer with a non-breaking hyphen", "Da.\nTrimis de pe iPhone\u2011ul meu", "Da.", "Trimis"},
		{"Russian mail app footer", "Оплачено.\n\nОтправлено из мобильной Почты Mail.ru", "Оплачено.", "Mail.ru"},
		{"Russian footer of a mail app, four words", "Оплачено.\n\nОтправлено из мобильного приложения Яндекс Почты", "Оплачено.", "Яндекс"},
		{"German Outlook footer, other wording", "Bezahlt.\n\nHolen Sie sich Outlook für Android<https://aka.example.test/o>", "Bezahlt.", "Outlook"},
		{"Polish Outlook footer", "Zapłacone.\n\nWysłane z aplikacji Outlook dla systemu iOS", "Zapłacone.", "Outlook"},
		{"a carrier's footer with a comma", "Paid.\n\nSent from my Verizon, Samsung Galaxy smartphone", "Paid.", "Verizon"},
		{"Spanish footer naming the device first", "Pagado.\n\nEnviado desde mi smartphone Samsung Galaxy.", "Pagado.", "Samsung"},
		{"a line saying where the money came from is no footer", "Paid A-1043.\n\nSent from my netbank on Monday.", "Paid A-1043.\n\nSent from my netbank on Monday.", ""},
		{"the same in Spanish", "Pagada la A-1043.\n\nEnviado desde mi cuenta de empresa.", "Pagada la A-1043.\n\nEnviado desde mi cuenta de empresa.", ""},
		{"the same in French", "A-1043 payée.\n\nEnvoyé depuis mon compte pro.", "A-1043 payée.\n\nEnvoyé depuis mon compte pro.", ""},
	}
	checkExtracts(t, Extract, cases)
}

func TestLanguageTables(t *testing.T) {
	if len(languages) < 25 {
		t.Errorf("%d languages, want at least 25", len(languages))
	}
	for _, l := range languages {
		if len(l.wrote) == 0 || len(l.from) == 0 || len(l.to) == 0 || len(l.subject) == 0 || len(l.footers) == 0 || len(l.original) == 0 {
			t.Errorf("%s: a table is empty", l.code)
		}
		for _, f := range l.footers {
			if !isFooter(strings.ReplaceAll(f, "{}", "iPhone")) {
				t.Errorf("%s: footer %q does not match itself", l.code, f)
			}
		}
	}
}

// Every language's header block is found, with field names written as
// clients write them (capitalised) and in Outlook's bold.
func TestHeaderBlockEveryLanguage(t *testing.T) {
	title := func(s string) string {
		r := []rune(s)
		return strings.ToUpper(string(r[0])) + string(r[1:])
	}
	for _, l := range languages {
		block := title(l.from[0]) + ": Avery Quill <avery@example.test>\n" + title(l.date[0]) + ": 3.3.2026 09:14\n" +
			title(l.to[0]) + ": Dana Harbor\n" + title(l.subject[0]) + ": A-1001"
		for _, b := range []string{block, "*" + strings.ReplaceAll(block, ": ", ":* ")} {
			got := Extract("Paid on Friday.\n\n" + b + "\n\nWas it paid?")
			if got.Reply != "Paid on Friday." {
				t.Errorf("%s: reply = %q", l.code, got.Reply)
			}
		}
		sep := "-------- " + title(l.original[0]) + " --------"
		if got := Extract("Paid on Friday.\n\n" + sep + "\nWas it paid?"); got.Reply != "Paid on Friday." {
			t.Errorf("%s: separator %q: reply = %q", l.code, sep, got.Reply)
		}
	}
}

func TestSentencesThatAreNoAttribution(t *testing.T) {
	for _, body := range []string{
		"On 3/4 I wrote to the bank:\n\n- the invoice\n- the receipt",
		"Am 3.4. schrieb ich der Bank folgendes:\n\nRechnung und Beleg.",
		"The 2025 totals, as Avery wrote in the letter:\n\n1,250.00 EUR",
	} {
		if got := Extract(body); got.Reply != body {
			t.Errorf("%q: reply = %q", body, got.Reply)
		}
	}
}
