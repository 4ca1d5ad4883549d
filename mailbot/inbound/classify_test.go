package inbound

import (
	"strings"
	"testing"
)

// rawMail builds a message from header lines and a body.
func rawMail(headers, body string) []byte {
	return []byte(strings.ReplaceAll(headers, "\n", "\r\n") + "\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
}

const person = "From: Dana Harbor <dana@client.test>\nTo: reply+abc@reply.example.test\nMessage-ID: <1@client.test>\n"

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		raw  []byte
		want Class
	}{
		{"reply", rawMail(person+"Subject: Re: Invoice A-1001\nIn-Reply-To: <n1@mail.example.test>\n", "Paid on Friday.\n"), ClassReply},
		{"reply in German without In-Reply-To", rawMail(person+"Subject: AW: Rechnung A-1001\n", "Bezahlt.\n"), ClassReply},
		{"reply after a list tag", rawMail(person+"Subject: [Books] Re[2]: Invoice\n", "Done.\n"), ClassReply},
		{"reply in Chinese", rawMail(person+"Subject: 回复：发票\n", "好的\n"), ClassReply},
		{"bare body without a subject", rawMail(person, "Paid.\n"), ClassReply},
		{"new message", rawMail(person+"Subject: The receipt you asked for\n", "Here it is.\n"), ClassOther},
		{"forward", rawMail(person+"Subject: Fwd: receipt\n", "See below.\n"), ClassOther},
		{"forward quoting its message", rawMail(person+"Subject: WG: Beleg\n", "Siehe unten.\n\n---------- Weitergeleitete Nachricht ----------\nVon: Avery <a@firm.test>\nDatum: 3. März 2026\nBetreff: Beleg\nAn: Dana\n\nHier.\n"), ClassOther},
		{"Outlook reply without threading fields", rawMail(person+"Subject: Invoice A-1001\nThread-Index: AQHZx1mB2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t\n", "Paid.\n"), ClassReply},
		{"reply quoting a header block, no threading fields", rawMail(person+"Subject: Invoice A-1001\n",
			"Paid.\n\nFrom: Avery Quill <a@firm.test>\nSent: Tuesday, March 3, 2026 9:14 AM\nTo: Dana Harbor\nSubject: Invoice A-1001\n\nWas it paid?\n"), ClassReply},
		{"bounce from a post_master sender with broken MIME", rawMail("From: post_master@mx.client.test\nTo: billing@firm.test\nSubject: Delivery failure\nContent-Type: multipart/mixed;\nboundary=\"x\"\n",
			"--x\nYour mail to x@client.test failed.\n--x--\n"), ClassBounce},
		{"Japanese bounce notice without a report", rawMail("From: mail-notice@mx.client.test\nTo: billing@firm.test\nSubject: メールエラー通知\n",
			"以下のアドレスに配信できませんでした。\n<x@client.test>: 550 5.1.1 User unknown\n"), ClassBounce},
		{"German bounce notice without a report or code", rawMail("From: Zustellsystem <zustellung@mx.client.test>\nTo: billing@firm.test\nSubject: Unzustellbar: Rechnung\n",
			"Ihre Nachricht konnte nicht zugestellt werden.\n"), ClassBounce},
		{"a reply about an undelivered parcel", rawMail(person+"Subject: Undelivered parcel\nIn-Reply-To: <n1@mail.example.test>\n",
			"The parcel could not be delivered; the address does not exist.\n"), ClassReply},
		{"list manager's loop alert", rawMail("From: list-owner@lists.example\nTo: billing@firm.test\nSubject: Mail loop detected\nList-Id: <books.lists.example>\n",
			"A message was returned to the list repeatedly and was stopped.\n"), ClassBounce},
		{"service notice titled like a bounce, no failure in it", rawMail("From: Shop <orders@shop.example>\nTo: billing@firm.test\nSubject: Returned mail policy\n",
			"Our returns policy has changed.\n"), ClassOther},
		{"reply quoting an out-of-office note", rawMail(person+"Subject: Re: Automatic reply: Invoice\nIn-Reply-To: <n1@mail.example.test>\n",
			"Back now: it was the spring order.\n\n> I am out of the office until Monday.\n"), ClassReply},
		{"challenge-response in Spanish", rawMail("From: Filtro <filtro@screen.example>\nTo: billing@firm.test\nSubject: Confirme su mensaje\n",
			"Su mensaje está retenido. Para entregarlo, confirme que es usted humano abriendo este enlace.\n"), ClassAutoReply},
		{"list manager refusing a post, in French, sender only", rawMail("From: SYMPA <sympa@lists.example>\nTo: billing@firm.test\nSubject: Diffusion du message\n",
			"Votre message pour la liste « compta » a été refusé : vous n'êtes pas abonné.\n"), ClassBounce},
		{"list owner refusing a post, no list fields", rawMail("From: books-owner@lists.example\nTo: billing@firm.test\nSubject: Your message to books@lists.example was rejected\n",
			"The message is not from a list member.\n"), ClassBounce},
		{"a person's request address writing about a rejected invoice in a reply", rawMail("From: Dana <ap-request@client.test>\nTo: reply+abc@reply.example.test\nSubject: Re: Invoice\nIn-Reply-To: <n1@mail.example.test>\n",
			"The invoice was rejected by our approver; a corrected one follows.\n"), ClassReply},
		{"reply naming a white list", rawMail(person+"Subject: Re: Factura A-1001\nIn-Reply-To: <n1@mail.example.test>\n",
			"Sí, pagada. Sus correos iban a spam; ya añadí su dirección a la lista blanca.\n"), ClassReply},
		{"reply saying the mailbox takes authorised senders only", rawMail(person+"Subject: Factura A-1001\n",
			"La factura no llegó: el buzón de proveedores solo acepta remitentes autorizados. ¿Pueden reenviarla?\n\nEl 3 mar 2026, Avery <a@firm.test> escribió:\n> Adjunto la factura.\n"), ClassReply},
		{"Outlook answer through a list gateway", rawMail(person+"Subject: Invoice A-1001\nThread-Index: AQHZx1mB2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t\nList-Unsubscribe: <mailto:ap+unsubscribe@client.test>\n",
			"Paid.\n"), ClassReply},
		{"out-of-office without its fields, saying it is automatic", rawMail(person+"Subject: Re: Invoice A-1001\nIn-Reply-To: <n1@mail.example.test>\n",
			"Hello,\n\nI am out of the office until 26 April.\n\nThis is an automatic message.\n"), ClassAutoReply},
		{"ticket system's acknowledgement", rawMail("From: Support <support@desk.example>\nTo: billing@firm.test\nSubject: Re: Invoice A-1001\nIn-Reply-To: <n1@mail.example.test>\nX-Zendesk-Email-Id: 01AB\n",
			"##- Please type your reply above this line -##\n\nYour request (48213) has been received and is being reviewed.\n"), ClassAutoReply},
		{"accounts payable acknowledgement with a reference", rawMail(person+"Subject: RE: Invoice A-1001 [AP-88317]\nIn-Reply-To: <n1@mail.example.test>\n",
			"Thank you for contacting Accounts Payable. Your message has been logged under AP-88317.\n"), ClassAutoReply},
		{"a person's reply saying their message was received", rawMail(person+"Subject: Re: Invoice A-1001\nIn-Reply-To: <n1@mail.example.test>\n",
			"Thanks, we have received your email and the invoice goes out on Friday.\n"), ClassReply},
		{"Korean automatic reply", rawMail(person+"Subject: 자동 회신: Invoice A-1001\n", "부재중입니다.\n"), ClassAutoReply},
		{"Polish automatic reply without Auto-Submitted", rawMail(person+"Subject: Automatyczna odpowiedź: Faktura A-1001\nIn-Reply-To: <n1@mail.example.test>\n",
			"Jestem na urlopie do poniedziałku.\n"), ClassAutoReply},
		{"Italian reply without threading fields", rawMail(person+"Subject: R: Fattura A-1001\n", "È il rinnovo del dominio.\n"), ClassReply},
		{"a billing notice generated, answering nothing", rawMail("From: Cloud Billing <billing@cloud.example>\nTo: billing@firm.test\nSubject: Your invoice for April is available\nAuto-Submitted: auto-generated\n",
			"Your invoice is ready to download.\n"), ClassOther},
		{"a generated answer to our mail", rawMail("From: Forum <forum@client.test>\nTo: reply+abc@reply.example.test\nSubject: Re: Invoice A-1001\nAuto-Submitted: auto-generated\n",
			"Your post could not be accepted.\n"), ClassAutoReply},
		{"a ticket opened for our mail, generated without threading", rawMail("From: Service Desk <desk@client.test>\nTo: billing@firm.test\nSubject: Incident INC0012345 opened\nAuto-Submitted: auto-generated\nX-ServiceNow-Source: Notification-1\n",
			"Incident INC0012345 has been opened on your behalf.\n"), ClassAutoReply},
		{"Portuguese bounce from a plain sender, no return path", rawMail("Return-Path: <>\nFrom: Sistema de Entrega <entrega@mx.client.test>\nTo: billing@firm.test\nSubject: Mensagem não entregue: Fatura A-1001\n",
			"Esta é uma mensagem automática do servidor.\nNão foi possível entregar sua mensagem para x@client.test.\nErro: 552 5.2.2 Over quota\n"), ClassBounce},
		{"French list refusal from Sympa", rawMail("From: SYMPA <sympa@lists.client.test>\nTo: billing@firm.test\nSubject: Message rejeté : Facture A-1001\nAuto-Submitted: auto-replied\n",
			"Votre message pour la liste compta@lists.client.test a été rejeté : vous n'êtes pas autorisé à écrire à cette liste.\n"), ClassBounce},
		{"French delay warning", rawMail("Return-Path: <>\nFrom: Service de messagerie <mailer-daemon@mx.client.test>\nTo: billing@firm.test\nSubject: Avertissement : message retardé (Facture A-1001)\n",
			"Votre message n'a pas encore pu être remis à x@client.test. Nous continuons d'essayer pendant encore 3 jours.\n"), ClassOther},
		{"Spanish helpdesk receipt without automatic fields", rawMail("From: Atención al Cliente <clientes@client.test>\nTo: billing@firm.test\nSubject: [##8842##] Hemos recibido su solicitud\n",
			"Hemos recibido su mensaje y hemos abierto la solicitud #8842.\n"), ClassAutoReply},
		{"incident opened on our behalf, without automatic fields", rawMail("From: AP Service Desk <desk@client.test>\nTo: billing@firm.test\nSubject: Incident INC0045871 -- opened on your behalf\nX-ServiceNow-Source: Notification-1\n",
			"Your incident INC0045871 has been opened on your behalf.\n"), ClassAutoReply},
		{"a threaded reply through a list whose subject has a refusal's words", rawMail(person+"Subject: Zahlung nicht berechtigt - A-1001\nIn-Reply-To: <n1@mail.example.test>\nList-Id: <accounts.client.test>\n",
			"Bitte nicht zahlen.\n"), ClassReply},
		{"a threaded reply under a ticket's number saying it received our message", rawMail(person+"Subject: Re: [AP-88317] Rechnung A-1001\nIn-Reply-To: <n1@mail.example.test>\n",
			"wir haben Ihre Nachricht erhalten und zahlen am Freitag.\n"), ClassReply},
		{"a reply with no return path naming a failure's words", rawMail("Return-Path: <>\n"+person+"Subject: Re: Invoice A-1001\nIn-Reply-To: <n1@mail.example.test>\n",
			"The old account does not exist any more; I paid 550 EUR.\n"), ClassReply},
		{"an unthreaded reply through a list", rawMail(person+"Subject: Re: Invoice A-1001\nPrecedence: list\nList-Id: <accounts.client.test>\n", "Paid.\n"), ClassReply},
		{"French absence calling itself automatic, threaded, no fields", rawMail(person+"Subject: Re: Facture A-1001\nIn-Reply-To: <n1@mail.example.test>\n",
			"Je suis absente jusqu'au 12 mars.\n\nCeci est une réponse automatique.\n"), ClassAutoReply},
		{"German challenge asking to confirm one is no automated system", rawMail("From: Spamschutz <spamschutz@client.test>\nTo: billing@firm.test\nSubject: Bitte bestätigen Sie Ihre E-Mail\n",
			"Ihre Nachricht wurde zurückgehalten. Bitte bestätigen Sie, dass Sie kein automatisiertes System sind.\n"), ClassAutoReply},
		{"Chinese automatic reply whose subject names GB2312 as eucgb2312_cn", rawMail(person+"Subject: =?eucgb2312_cn?b?19S2r7vYuLQ6IEludm9pY2U=?=\nIn-Reply-To: <n1@mail.example.test>\n",
			"休假中。\n"), ClassAutoReply},
		{"a list's digest", rawMail("From: books-forum <books-forum@lists.example>\nTo: billing@firm.test\nSubject: books-forum Digest, Vol 3, Issue 14\nPrecedence: list\nList-Id: <books-forum.lists.example>\n",
			"Today's topics:\n\n1. Year-end close (Avery Quill)\n"), ClassOther},
		{"calendar answer", rawMail(person+"Subject: Declined: Call about the invoice\nAuto-Submitted: auto-generated\nContent-Type: multipart/mixed; boundary=c\n",
			"--c\nContent-Type: text/plain\n\nDana has declined this invitation.\n--c\nContent-Type: text/calendar; method=REPLY\n\nBEGIN:VCALENDAR\nMETHOD:REPLY\nEND:VCALENDAR\n--c--\n"), ClassOther},
		{"reply passed on by a group with Precedence: list", rawMail(person+"Subject: Re: Invoice A-1001\nIn-Reply-To: <n1@mail.example.test>\nPrecedence: list\nList-Id: <accounts.client.test>\n",
			"Approved for payment.\n"), ClassReply},
		{"a filter's rejection sent as a disposition notification", rawMail("From: Mail Delivery <postmaster-mdn@mx.client.test>\nTo: billing@firm.test\nSubject: Rejected: Invoice A-1001\n"+
			"Content-Type: multipart/report; report-type=disposition-notification; boundary=r\n",
			"--r\nContent-Type: text/plain\n\nYour message was automatically rejected by Sieve.\n--r\nContent-Type: message/disposition-notification\n\nReporting-UA: mx.client.test; Dovecot\nFinal-Recipient: rfc822; x@client.test\nDisposition: automatic-action/MDN-sent-automatically; deleted\n--r--\n"), ClassBounce},
		{"a read receipt of a message deleted unread", rawMail("From: Dana <dana@client.test>\nTo: billing@firm.test\nSubject: Not read: Invoice A-1001\n"+
			"Content-Type: multipart/report; report-type=disposition-notification; boundary=r\n",
			"--r\nContent-Type: text/plain\n\nYour message was deleted without being read.\n--r\nContent-Type: message/disposition-notification\n\nFinal-Recipient: rfc822; dana@client.test\nDisposition: automatic-action/MDN-sent-automatically; deleted\n--r--\n"), ClassOther},
		{"a security gateway's block notice", rawMail("From: Email Security <quarantine@gw.client.test>\nTo: billing@firm.test\nSubject: Message blocked: Invoice A-1001\n",
			"Your message was not delivered. It contains a link our policy does not allow.\n"), ClassBounce},
		{"delay report", rawMail("From: MAILER-DAEMON@mx.client.test\nTo: billing@firm.test\nSubject: Delayed Mail (still being retried)\n"+
			"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n",
			"--b\nContent-Type: text/plain\n\nStill trying.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.client.test\n\nFinal-Recipient: rfc822; x@client.test\nAction: delayed\nStatus: 4.4.1\n--b--\n"), ClassOther},
		{"delay warning in German words", rawMail("From: MAILER-DAEMON@mx.client.test\nTo: billing@firm.test\nSubject: Zustellung verzögert: Rechnung\n",
			"Ihre Nachricht wurde noch nicht zugestellt. Wir versuchen es weiter; Sie müssen nichts tun. Das System wird weiterhin versuchen, sie zuzustellen.\n"), ClassOther},
		{"newsletter", rawMail("From: Shop <news@shop.example>\nTo: billing@firm.test\nSubject: Our spring catalogue\nPrecedence: bulk\nList-Unsubscribe: <https://shop.example/u>\n",
			"New this month.\n"), ClassOther},
		{"reply quoting a challenge", rawMail(person+"Subject: Re: Invoice\nIn-Reply-To: <n1@mail.example.test>\n",
			"Sorry, my filter sent you this.\n\n> Please add yourself to my guest list to reach me.\n"), ClassReply},
		{"challenge-response", rawMail("From: filter@screen.example\nTo: billing@firm.test\nSubject: Re: Invoice\n",
			"Your message has been held until you confirm it.\nTo reach me, please have your email address added to my\nsafe list by opening the link below.\n"), ClassAutoReply},
		{"challenge dressed as a bounce", rawMail("From: noreply@screen.example\nTo: billing@firm.test\nSubject: Re: Invoice\n"+
			"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n",
			"--b\nContent-Type: text/plain\n\nHello, you are on my approved\nsenders list now.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; screen.example\n\nFinal-Recipient: rfc822; x@screen.example\nAction: failed\nStatus: 4.7.0\n--b--\n"), ClassAutoReply},
		{"failed delivery report", rawMail("From: MAILER-DAEMON@mx.client.test\nTo: billing@firm.test\nSubject: Undelivered Mail Returned to Sender\n"+
			"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n",
			"--b\nContent-Type: text/plain\n\nNo such user.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.client.test\n\nFinal-Recipient: rfc822; x@client.test\nAction: failed\nStatus: 5.1.1\n--b--\n"), ClassBounce},
		{"successful delivery report", rawMail("From: MAILER-DAEMON@mx.client.test\nTo: billing@firm.test\nSubject: Delivery report\n"+
			"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n",
			"--b\nContent-Type: text/plain\n\nDelivered.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.client.test\n\nFinal-Recipient: rfc822; x@client.test\nAction: delivered\nStatus: 2.0.0\n\nFinal-Recipient: rfc822; y@client.test\nAction: relayed\nStatus: 2.0.0\n--b--\n"), ClassOther},
		{"one recipient failed, one delivered", rawMail("From: MAILER-DAEMON@mx.client.test\nTo: billing@firm.test\nSubject: Delivery report\n"+
			"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n",
			"--b\nContent-Type: text/plain\n\nSee below.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.client.test\n\nFinal-Recipient: rfc822; x@client.test\nAction: delivered\nStatus: 2.0.0\n\nFinal-Recipient: rfc822; y@client.test\nAction: failed\nStatus: 5.1.1\n--b--\n"), ClassBounce},
		{"bounce without a report or a daemon sender", rawMail("Return-Path: <>\nFrom: no-reply@mx.client.test\nTo: billing@firm.test\nSubject: Mail\n",
			"Your mail sent on Tuesday\n   could not be delivered to <x@client.test>\n   as their mailbox is full.\n"), ClassBounce},
		{"mailing list refusal", rawMail("From: list-admin@lists.example\nTo: billing@firm.test\nSubject: Your post was rejected: not a member\nList-Id: <books.lists.example>\n",
			"Only members may post to this list.\n"), ClassBounce},
		{"list discussion of a rejected payment", rawMail("From: Dana Harbor <dana@client.test>\nTo: books@lists.example\nSubject: Re: rejected payment\nList-Id: <books.lists.example>\n",
			"The bank sent it back.\n"), ClassReply},
		{"list mail that is not a refusal", rawMail("From: Dana Harbor <dana@client.test>\nTo: books@lists.example\nSubject: Re: closing the year\nList-Id: <books.lists.example>\nIn-Reply-To: <n2@lists.example>\n",
			"Agreed.\n"), ClassReply},
		{"Exim bounce by its header", rawMail("From: Delivery Robot <robot@mx.client.test>\nTo: billing@firm.test\nSubject: Mail failure\nX-Failed-Recipients: x@client.test\n",
			"A message that you sent could not be delivered.\n"), ClassBounce},
		{"vacation header", rawMail(person+"Subject: Re: Invoice\nIn-Reply-To: <n1@mail.example.test>\nX-Vacation: yes\n", "Away.\n"), ClassAutoReply},
		{"Swedish out-of-office subject", rawMail(person+"Subject: Autosvar: Faktura A-1001\n", "Jag är borta.\n"), ClassAutoReply},
		{"Japanese out-of-office subject", rawMail(person+"Subject: 自動応答: 請求書\n", "不在です。\n"), ClassAutoReply},
		{"a reply about an out-of-office note", rawMail(person+"Subject: Re: Autosvar: Faktura\nIn-Reply-To: <n1@mail.example.test>\n", "Back now.\n"), ClassReply},
		{"no-reply notice", rawMail("From: Cloud Alerts <no-reply@alerts.example>\nTo: billing@firm.test\nSubject: Notification Message\n",
			"{\"Type\": \"Notification\"}\n"), ClassOther},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(c.raw, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got, why := Classify(m); got != c.want {
				t.Errorf("Classify = %s (%s), want %s", got, why, c.want)
			}
		})
	}
}

func TestMislabelledCharset(t *testing.T) {
	cases := []struct {
		name, charset, body, want string
	}{
		{"UTF-8 declared as Big5", "Big5", "5aW955qE77yM5bey5LuY5qy+44CC", "好的，已付款。"},
		{"real Big5", "Big5", "pm6quqFBpHe1srJNoUM=", "好的，已結清。"},
		{"real Latin-1", "iso-8859-1", "RmFjdHVyZSBwYXnpZS4=", "Facture payée."},
		{"UTF-8 declared as Latin-1", "iso-8859-1", "RmFjdHVyZSBwYXnDqWUu", "Facture payée."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(rawMail(person+"Subject: Re: x\nContent-Type: text/plain; charset="+c.charset+"\nContent-Transfer-Encoding: base64\n", c.body+"\n"), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(m.Text); got != c.want {
				t.Errorf("text = %q, want %q", got, c.want)
			}
		})
	}
}

func TestUnknownCharsetKeepsTheText(t *testing.T) {
	m, err := Parse(rawMail(person+"Subject: Re: x\nContent-Type: text/plain; charset=x-no-such-charset\n", "Paid in full.\n"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(m.Text); got != "Paid in full." {
		t.Errorf("text = %q", got)
	}
}
