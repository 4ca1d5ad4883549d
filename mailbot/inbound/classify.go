package inbound

import (
	"encoding/base64"
	"regexp"
	"slices"
	"strings"

	"github.com/emersion/go-message/textproto"

	"mailbot/mailbot/replytext"
)

// Class is what kind of mail a message is.
type Class string

// Classes of mail.
const (
	ClassReply     Class = "reply"
	ClassAutoReply Class = "auto-reply"
	ClassBounce    Class = "bounce"
	ClassOther     Class = "other" // reports and notices that are neither
)

var (
	// bounceSubject is how delivery-failure notices are titled: Postfix,
	// Exim, qmail, Sendmail and Exchange/Outlook non-delivery reports in
	// their shipped languages.
	bounceSubject = regexp.MustCompile(`(?i)^\s*(undeliver(ed|able)|delivery (status notification|failure|has failed|incomplete|problem)|mail delivery (failed|failure|subsystem|error)|returned mail|failure notice|non[- ]?delivery|delivery report|mail (error|loop)|message blocked|blocked message|unzustellbar|nicht zustellbar|zustellungsfehler|no se pudo entregar|no se puede entregar|error de entrega|non remis|rapport de non-remise|échec de (la )?(remise|livraison)|mensaje no entregado|undelivered mail returned|impossibile recapitare|mancato recapito|onbestelbaar|niet (bezorgd|afgeleverd)|(mensagem )?não (foi )?entregue|falha na entrega|kunde inte levereras|kunne ikke leveres|kan ikke leveres|ei voitu toimittaa|niedostarczalne|nie dostarczono|nedoručitelné|kézbesíthetetlen|teslim edilemedi|iletilemedi|не доставлено|недоставленное сообщение|ошибка доставки|メールエラー|配信エラー|配送エラー|配信不能|送信エラー|退信|邮件退回|无法投递|投递失败|系统退信|반송|전송 실패)`)
	bounceSender  = regexp.MustCompile(`(?i)(^|[<\s"])(mailer[-_]?daemon|post[-_]?master|mail[-_]?daemon)(@|>|\s|$)|mail delivery (system|subsystem)`)
	bounceWords   = regexp.MustCompile(`(?i)undeliverable|undelivered mail|delivery status notification|delivery failure|mail delivery failed|returned mail|failure notice|non-delivery|mail system error|error sending your mail|could not be delivered|was not delivered|has not been delivered|delivery has failed|unzustellbar|mail loop|loop detected|too many hops|hop count exceeded`)
	// failureText is what a delivery-failure notice says of the failed
	// address: the SMTP reply and the usual wording of it, in the languages
	// mail servers localise their notices into (Exchange, Postfix
	// translations, Japanese and Chinese providers).
	failureText    = regexp.MustCompile(`(?i)\b(user unknown|unknown (user|recipient)|no such (user|recipient|mailbox|address)|mailbox (unavailable|not found|is full|full)|recipient address rejected|invalid recipient|does not exist|failed recipients?|permanent(ly)? (error|failure|failed)|could not be delivered|smtp error|5\.[0-7]\.\d{1,3}|55[0-4])\b|konnte nicht zugestellt|n'a pas pu être (remis|distribué)|no (se )?pudo (ser )?entregar|non è stato possibile recapitare|kon niet (worden )?(bezorgd|afgeleverd)|não (pôde|foi possível) (ser )?entreg|не может быть доставлено|не удалось доставить|nie (może|mogła) zostać dostarczon|届きませんでした|配信できませんでした|送信できませんでした|宛先不明|无法送达|无法投递|無法傳遞`)
	autoSubject    = regexp.MustCompile(`(?i)^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|automatische antwort|réponse automatique|respuesta automática|automatisch antwoord|afwezig|risposta automatica|fuori (ufficio|sede)|fuera de la oficina|absence|on vacation|vacation reply|autoreply|auto:|ooo\b|resposta automática|autosvar|automatisk svar|automaattinen vastaus|odpowiedź automatyczna|automatická odpověď|otomatik yanıt|автоответ|автоматический ответ|自動応答|自动回复|自動回覆|自動返信|자동 회신|자동 응답|부재중|автоматична відповідь|otomatik cevap|αυτόματη απάντηση|automatické odpovědi|automatikus válasz|răspuns automat|automatyczna odpowiedź|automatická odpoveď|automatski odgovor|samodejni odgovor|автоматичен отговор|automatinis atsakymas|automātiskā atbilde|automaatvastus|trả lời tự động|תשובה אוטומטית|رد تلقائي|balasan otomatis|ตอบกลับอัตโนมัติ|स्वचालित उत्तर|resposta automàtica|automatisch antwort)`)
	precedenceAuto = regexp.MustCompile(`(?i)^\s*(bulk|junk|list|auto_reply)\s*$`)

	// challenge asks the sender to prove they are a person before the mail
	// is delivered (challenge-response filters).
	challenge = regexp.MustCompile(`(?i)(add (yourself|your (e-?mail )?address|you) to|(listed|you'?re|you are) on) (my|the recipient'?s|his|her|their) ([a-z]+ )?(guest|allowed|approved|safe|white|trusted)[ -]?(senders? )?list|(have|get) your (e-?mail )?address added to|(verify|confirm|prove) (that )?you are (a )?(human|real person|not a (robot|spammer|machine))|this (e-?mail )?(account|address|mailbox) is protected by|spam ?arrest|sender verification (request|required)|challenge[- ]response|(message|e-?mail) (has been|was|is being) (waitlisted|held until|quarantined until)|protecting myself from (receiving )?(junk|spam|unsolicited)`)
	// challengeWords are the same requests in the languages
	// challenge-response services localise them into.
	challengeWords = regexp.MustCompile(`(?i)dass sie ein mensch sind|dass sie kein (roboter|spammer|bot|automatisiertes system) sind|que vous (êtes|etes) (bien )?(un humain|une personne réelle)|que vous n'(êtes|etes) pas un robot|que no (eres|es) un robot|que (eres|es usted) (un )?humano|che sei (un essere umano|una persona reale)|dat u een mens bent|dat je een mens bent|que você é (um )?humano|że jesteś człowiekiem|что вы (не робот|человек)`)
	// listReject is a mailing list refusing a post: English and the
	// languages Mailman, Sympa and LISTSERV notices are translated into.
	listReject = regexp.MustCompile(`(?i)\bnot (a )?(member|subscriber)\b|\breject(ed|ion)\b|not (allowed|permitted|authori[sz]ed) to (post|send)|posting (denied|refused)|refusé|rejeté|rejetée|pas autorisé|autorisation refusée|pas abonné|respinto|non autorizzato|abgewiesen|nicht berechtigt|afgewezen|niet toegestaan|rechazad|no (está|estás) suscrit|abgelehnt|kein (mitglied|abonnent)|rifiutat|geweigerd|odrzucon|отклонен|не подписан`)
	// listSoftware is the sender of a mailing list manager's own notices:
	// its service address or a list's owner, request or bounce address.
	listSoftware = regexp.MustCompile(`(?i)(^|[<\s"])((listserv|majordomo|mailman|sympa|ecartis|lyris|listproc|smartlist)@|[a-z0-9._-]+-(owner|request|bounces)@|owner-[a-z0-9._-]+@)`)
	// replySubject is how mail clients mark a reply, in many languages,
	// optionally after a list tag: "Re:", "AW:", "SV:", "Re[2]:", "回复：".
	// The prefixes are Outlook's and Thunderbird's per language (as listed
	// with their languages in Wikipedia's "List of email subject
	// abbreviations"): Italian "R:", Greek "ΣΧΕΤ:", Hebrew "השב:", Arabic
	// "رد:", Macedonian "ОДГ:", Lithuanian "ATS:", Indonesian "BLS:".
	replySubject = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]\s*)?(re|aw|sv|vs|antw|antwort|ref|réf|rif|r|res|odp|odg|ynt|vá|atb|ats|bls|απ|σχετ|отв|ответ|відп|одг|השב|رد|回复|回覆|答复|返信|답장)\s*(\[\d+\]|\(\d+\))?\s*[:：]`)
	// forwardSubject is how mail clients mark a forward (Outlook's and
	// Thunderbird's prefixes per language): a new message, though it quotes.
	forwardSubject = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]\s*)?(fwd?|wg|tr|rv|enc|i|vl|vb|pd|tov|doorst|ilt|i̇lt|fs|trs|prd|yml|πρθ|пре|пересл|הועבר|إعادة توجيه|転送|转发|轉寄|전달)\s*[:：]`)
	// automaticText is mail saying of itself that a machine sent it, in
	// the languages such notices come in.
	automaticText = regexp.MustCompile(`(?i)this is an automat(ed|ic) (message|reply|response|notification|acknowledg)|automated acknowledg|replies to this (address|e-?mail) are not (read|monitored)|ceci est un (message|courriel) automatique|ceci est une réponse automatique|(message|courriel) (généré|envoyé) automatiquement|dies ist eine automatisch(e| erzeugte| generierte)? (nachricht|antwort|e-mail)|este es un (mensaje|correo) (automático|generado automáticamente)|esta es una respuesta automática|questo è un messaggio (automatico|generato automaticamente)|questa è una risposta automatica|dit is een automatisch( gegenereerd)? (bericht|antwoord)|esta é uma (mensagem|resposta) automática|to jest wiadomość automatyczna|это автоматическое (сообщение|уведомление)|このメールは自動送信|此邮件为系统自动发送|这是一封自动回复(邮件)?|此为自动回复|이 메일은 발신 전용`)
	// ackText is a ticket system's receipt of a message.
	// In the languages helpdesks localise their receipts into.
	ackText = regexp.MustCompile(`(?i)we('ve| have) received your (request|message|e-?mail|enquiry|inquiry)|your (request|ticket|case|incident|enquiry|inquiry|message)( \(?#?[\w-]+\)?)? (has been|was) (received|created|opened|logged)|(has been|was) (opened|created|logged) on your behalf|a ticket has been (created|opened)|opened (a )?ticket #?\d+|thank(s| you) for (contacting|getting in touch)|` +
		`hemos recibido su (solicitud|mensaje|consulta|correo|petición)|nous avons (bien )?reçu votre (demande|message|courriel|e-mail)|wir haben ihre (anfrage|nachricht|e-mail|mail) erhalten|` +
		`abbiamo ricevuto la (sua|tua) (richiesta|e-?mail|segnalazione)|abbiamo ricevuto il (suo|tuo) messaggio|we hebben uw (verzoek|bericht|aanvraag|e-mail) ontvangen|` +
		`recebemos (a sua|sua|o seu|seu) (solicitação|mensagem|pedido|e-mail)|otrzymaliśmy (twoją|państwa|pana|pani) (wiadomość|prośbę|zgłoszenie)|` +
		`мы получили ваш[еау]? (запрос|обращение|письмо|сообщение)|vi har (mottagit|modtaget|mottatt) (din|ditt|jeres|er) (förfrågan|henvendelse|forespørsel|meddelande|besked)`)
	// ticketLogged is what only a ticket system says of a message: that
	// it was logged, or a ticket opened for it.
	ticketLogged = regexp.MustCompile(`(?i)(has been|was) (logged|opened|created)( on your behalf| under| as)?|a ticket has been (created|opened)|opened (a )?ticket|thank(s| you) for contacting`)
	// ticketRef is a ticket's number in a subject: "[#1234]", "[AP-88317]".
	ticketRef     = regexp.MustCompile(`(?i)\[(#|ticket |case )?[a-z]{0,6}-?\d{3,}\]|\[#+\d{3,}#*\]|\(#\d{3,}\)|ticket (#|no\.? ?|number )?\d{3,}|ticket received`)
	noReplySender = regexp.MustCompile(`(?i)(^|[<\s"])(no-?reply|do-?not-?reply|donotreply|noreply-[a-z0-9-]+)@`)
)

// WhyNewMessage is the reason Classify gives for a person's message that
// answers nothing: it names a subject of its own and no earlier message. It
// is ClassOther, but it is no report; the mail pipeline treats it as a
// message to the address it was sent to (Classification.NewMessage).
const WhyNewMessage = "a new message, not a reply to an earlier one"

// Classification is what Classify decides, for callers that act on it.
type Classification struct {
	Class Class
	Why   string // in words, for the log
	// NewMessage: a person's message that answers nothing (ClassOther,
	// but no report).
	NewMessage bool
	// Delay: a warning that a mail is late and still being tried
	// (ClassOther): no failure, but worth noting on the notification.
	Delay bool
}

// bodyHead is how much of the text the body rules read: the notices they
// look for say what they are near the top.
const bodyHead = 4 << 10

// Classify says whether m is a person's reply, an automatic reply, a bounce
// or some other report, and why.
func Classify(m *Message) (Class, string) {
	c := ClassifyMail(m)
	return c.Class, c.Why
}

// ClassifyMail is Classify with the decision as a value.
func ClassifyMail(m *Message) Classification {
	head := unquotedHead(m.Text, bodyHead)
	// Challenge-response filters dress as bounces (some send a
	// delivery-status report), but they answer on a person's behalf.
	// The same request in other languages is believed only of mail that
	// answers nothing: a person's reply may say such words.
	if challenge.MatchString(head) || challengeWords.MatchString(head) && !threaded(m) && !replySubject.MatchString(m.Subject) {
		return Classification{Class: ClassAutoReply, Why: "a challenge-response request"}
	}
	if delayWarning(m, head) {
		return Classification{Class: ClassOther, Why: "a delivery delay warning: the mail is still being tried", Delay: true}
	}
	if c, why := classifyReport(m, head); c != "" {
		return Classification{Class: c, Why: why}
	}
	// Bounces often carry Auto-Submitted too, so they are told first.
	from := strings.ToLower(m.Header.Get("From"))
	bounceSubjectSeen := bounceSubject.MatchString(m.Subject) || bounceWords.MatchString(m.Subject)
	switch {
	case bounceSender.MatchString(from):
		return Classification{Class: ClassBounce, Why: "sender " + from}
	case strings.TrimSpace(from) == "<>" && isNullReturnPath(m):
		return Classification{Class: ClassBounce, Why: "empty sender and Return-Path"}
	case bounceSubjectSeen && isNullReturnPath(m):
		return Classification{Class: ClassBounce, Why: "empty Return-Path and subject"}
	case bounceSubjectSeen && m.Header.Has("Auto-Submitted"):
		return Classification{Class: ClassBounce, Why: "Auto-Submitted and subject"}
	case m.Header.Has("X-Failed-Recipients"):
		return Classification{Class: ClassBounce, Why: "X-Failed-Recipients"}
	case isNullReturnPath(m) && (bounceWords.MatchString(head) || !replySubject.MatchString(m.Subject) && failureText.MatchString(head)):
		return Classification{Class: ClassBounce, Why: "empty Return-Path and a delivery failure in the text"}
	case isListServer(m.Header) && listReject.MatchString(m.Subject) && !replySubject.MatchString(m.Subject) && (!threaded(m) || listReject.MatchString(head)),
		listSoftware.MatchString(from) && !replySubject.MatchString(m.Subject) && !threaded(m) && (listReject.MatchString(m.Subject) || listReject.MatchString(head)):
		return Classification{Class: ClassBounce, Why: "a mailing list refused the message"}
	case bounceSubjectSeen && !replySubject.MatchString(m.Subject) && !threaded(m) && (failureText.MatchString(head) || bounceWords.MatchString(head) || isListServer(m.Header)):
		return Classification{Class: ClassBounce, Why: "subject and a delivery failure in the text"}
	}
	if newsletter(m) {
		return Classification{Class: ClassOther, Why: "a newsletter or list mail (List-Unsubscribe)"}
	}
	if hasPart(m, "text/calendar", "application/ics") {
		return Classification{Class: ClassOther, Why: "a calendar invitation or answer"}
	}
	if c, why := classifyHeaders(m, head); c != "" {
		return Classification{Class: c, Why: why}
	}
	if autoSubject.MatchString(m.Subject) {
		return Classification{Class: ClassAutoReply, Why: "subject"}
	}
	if noReplySender.MatchString(from) {
		return Classification{Class: ClassOther, Why: "a notice from a no-reply address"}
	}
	if saysAutomatic(m, head) {
		return Classification{Class: ClassAutoReply, Why: "says it is an automatic message"}
	}
	// A person's threaded "Re:" may say "we have received your message"
	// under a ticket's number: only a helpdesk's fields, words that call
	// the mail automatic or a ticket system's own words make it a receipt
	// then.
	if ackText.MatchString(head) && (helpdesk(m.Header) || automaticText.MatchString(head) ||
		ticketRef.MatchString(m.Subject) && (!(threaded(m) && replySubject.MatchString(m.Subject)) || ticketLogged.MatchString(head))) {
		return Classification{Class: ClassAutoReply, Why: "a ticket system's acknowledgement"}
	}
	if isNewMessage(m) {
		return Classification{Class: ClassOther, Why: WhyNewMessage, NewMessage: true}
	}
	return Classification{Class: ClassReply, Why: ""}
}

// isNewMessage says m names a subject that is not a reply's and refers to no
// earlier message. Mail without a subject stays a reply: bare bodies and
// stripped forwards are read as replies rather than lost.
func isNewMessage(m *Message) bool {
	if threaded(m) {
		return false
	}
	if laterInConversation(m.Header.Get("Thread-Index")) || !forwardSubject.MatchString(m.Subject) && replytext.QuotesHistory(m.Text) {
		return false // Outlook's answer without threading fields, or a body quoting the mail answered
	}
	if strings.TrimSpace(m.Subject) == "" {
		return false
	}
	return !replySubject.MatchString(m.Subject)
}

// answersNothing says m names no earlier message, by its fields or its
// subject, and its subject is no automatic reply's.
func answersNothing(m *Message) bool {
	return !threaded(m) && !replySubject.MatchString(m.Subject) && !autoSubject.MatchString(m.Subject)
}

// threaded says m names an earlier message it answers.
func threaded(m *Message) bool {
	return len(m.InReplyTo) > 0 || len(m.References) > 0 || m.Header.Has("In-Reply-To") || m.Header.Has("References")
}

// laterInConversation says an Outlook Thread-Index names a message after
// the first of its conversation: the first has 22 bytes, each answer adds 5.
func laterInConversation(threadIndex string) bool {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(threadIndex))
	return err == nil && len(b) > 22
}

// newsletter says m is bulk mail a person can unsubscribe from and that
// answers nothing: a newsletter or a list's mail, not an automatic reply.
func newsletter(m *Message) bool {
	return m.Header.Has("List-Unsubscribe") && !threaded(m) && !replySubject.MatchString(m.Subject) &&
		strings.TrimSpace(m.Header.Get("Auto-Submitted")) == "" && !laterInConversation(m.Header.Get("Thread-Index")) &&
		!replytext.QuotesHistory(m.Text)
}

// isListServer says the mail came from mailing-list software.
func isListServer(h textproto.Header) bool {
	for _, key := range []string{"List-Id", "List-Post", "List-Subscribe", "Mailing-List", "X-MLServer", "X-Mailing-List", "X-ML-Name", "X-Loop", "X-LSV-ListID"} {
		if h.Has(key) {
			return true
		}
	}
	return false
}

// unquotedHead returns the words of the lines of text that are not
// ">"-quoted, up to about limit bytes, with single spaces between them so
// that a phrase wrapped over two lines still reads as one.
func unquotedHead(text string, limit int) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		if b.Len() >= limit {
			break
		}
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), ">") {
			continue
		}
		for _, f := range strings.Fields(line) {
			b.WriteString(f)
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func classifyReport(m *Message, head string) (Class, string) {
	if m.MediaType == "multipart/report" {
		switch m.ReportType {
		case "delivery-status":
			if deliveredOnly(m.DeliveryActions) {
				return ClassOther, "a report of successful delivery"
			}
			return ClassBounce, "multipart/report; report-type=delivery-status"
		case "disposition-notification":
			if sieveReject(m, head) {
				return ClassBounce, "a disposition notification of a message deleted unread by a filter (a rejection)"
			}
			return ClassOther, "multipart/report; report-type=" + m.ReportType
		case "feedback-report":
			return ClassOther, "multipart/report; report-type=" + m.ReportType
		}
	}
	for _, t := range m.PartTypes {
		switch t {
		case "message/delivery-status", "message/global-delivery-status":
			if deliveredOnly(m.DeliveryActions) {
				return ClassOther, "a report of successful delivery"
			}
			return ClassBounce, "a " + t + " part"
		case "message/feedback-report", "message/disposition-notification":
			return ClassOther, "a " + t + " part"
		}
	}
	return "", ""
}

func classifyHeaders(m *Message, head string) (Class, string) {
	h := m.Header
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		if strings.HasPrefix(v, "auto-generated") && answersNothing(m) && !helpdesk(h) && !ackText.MatchString(head) {
			// RFC 3834: generated, not in response to anything (a
			// billing notice, a report); "auto-replied" answers, as a
			// ticket system's receipt does.
			return ClassOther, "Auto-Submitted: " + v + ", answering no message"
		}
		return ClassAutoReply, "Auto-Submitted: " + v
	}
	for _, key := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response", "X-MS-Exchange-Inbox-Rules-Loop",
		"X-Autogenerated", "X-Autoreply-From", "X-Mail-Autoreply", "X-Vacation"} {
		if h.Has(key) {
			return ClassAutoReply, key
		}
	}
	// A list's own Precedence says nothing of what it passes on: a
	// person's answer, or the list's own mail (a digest, a post).
	if v := h.Get("Precedence"); precedenceAuto.MatchString(v) {
		if strings.EqualFold(strings.TrimSpace(v), "list") && h.Has("List-Id") {
			if threaded(m) || replySubject.MatchString(m.Subject) {
				return "", "" // a person's answer the list passed on
			}
			if !autoSubject.MatchString(m.Subject) {
				return ClassOther, "a mailing list's mail (Precedence: list), answering no message"
			}
		}
		return ClassAutoReply, "Precedence: " + strings.TrimSpace(v)
	}
	if strings.EqualFold(strings.TrimSpace(h.Get("X-MS-Exchange-Generated-Message-Source")), "Mailbox Rules Agent") {
		return ClassAutoReply, "Exchange mailbox rule"
	}
	if strings.Contains(strings.ToLower(h.Get("Content-Type")), "x-ms-tnef") && autoSubject.MatchString(m.Subject) {
		return ClassAutoReply, "Exchange OOF"
	}
	return "", ""
}

var (
	// delaySubject is how MTAs title a warning that a mail is late.
	delaySubject = regexp.MustCompile(`(?i)delivery status notification \(delay\)|delivery delayed|mail delivery delayed|delayed mail|warning: message .* delayed|^\s*\(?delay(ed)?\)?:|zustellung verzögert|verzögerte zustellung|remise différée|distribution retardée|message retardé|entrega retrasada|retraso en la entrega|consegna ritardata|vertraagde bezorging|försenad leverans|forsinket levering|opóźnione doręczenie|задержка доставки|配信遅延|延迟投递|投递延迟`)
	// stillTrying is what such a warning says: the server keeps trying.
	stillTrying = regexp.MustCompile(`(?i)will (continue to )?(retry|try|attempt)|attempts will continue|will keep (on )?trying|still (being )?(tried|retried|trying)|not yet been delivered|has not yet been delivered|no action is required|will be retried|wird (weiterhin|erneut) versuch|versuchen es weiter|continuera (à|d'essayer)|continuons d'essayer|n'a pas encore (pu )?être (remis|distribué)|seguirá intentando|continuerà a|blijft proberen|fortsätter att försöka|prøver igjen|будут продолжены|再送を試み|继续尝试`)
)

// delayWarning says m tells of a mail that is late but still being tried:
// a report whose recipients were only delayed, or a warning titled and
// worded so, with no failure in it.
func delayWarning(m *Message, head string) bool {
	if len(m.DeliveryActions) > 0 {
		delayed := false
		for _, a := range m.DeliveryActions {
			switch a {
			case "delayed":
				delayed = true
			case "delivered", "relayed", "expanded":
			default:
				return false
			}
		}
		return delayed
	}
	return delaySubject.MatchString(m.Subject) && stillTrying.MatchString(head) && !replySubject.MatchString(m.Subject)
}

// saysAutomatic says the author's own words (or, when none are left, the
// text) call the mail automatic. The reply is read only when the text
// holds such words at all: most mail is a person's, and the pipeline
// reads its reply once, later.
func saysAutomatic(m *Message, head string) bool {
	if !automaticText.MatchString(head) && !automaticText.MatchString(m.Text) {
		return false
	}
	own := replytext.Extract(m.Text).Reply
	return automaticText.MatchString(own) || own == "" && automaticText.MatchString(head)
}

// hasPart says m has a part of one of the types.
func hasPart(m *Message, types ...string) bool {
	return slices.ContainsFunc(m.PartTypes, func(t string) bool { return slices.Contains(types, t) })
}

// helpdeskHeaders open the fields ticket systems put on their mail.
var helpdeskHeaders = []string{"x-zendesk-", "x-freshdesk-", "x-fd-", "x-hubspot-", "x-servicenow-", "x-otrs-", "x-znuny-", "x-jira-",
	"x-jsd-", "x-kayako-", "x-helpscout-", "x-intercom-", "x-rt-ticket", "x-request-tracker"}

// helpdesk says the mail came from a ticket system.
func helpdesk(h textproto.Header) bool {
	for f := h.Fields(); f.Next(); {
		k := strings.ToLower(f.Key())
		if slices.ContainsFunc(helpdeskHeaders, func(p string) bool { return strings.HasPrefix(k, p) }) {
			return true
		}
	}
	return false
}

// deliveredOnly says a delivery-status report tells only of success.
func deliveredOnly(actions []string) bool {
	for _, a := range actions {
		switch a {
		case "delivered", "relayed", "expanded", "deliverable": // the last: an address check's report
		default:
			return false
		}
	}
	return len(actions) > 0
}

// sieveReject says a disposition notification is a mail filter's
// rejection (Sieve "reject", RFC 5429): sent automatically, the message
// deleted, not read by a person.
func sieveReject(m *Message, head string) bool {
	d := m.Disposition
	return strings.Contains(d, "automatic-action") && strings.Contains(d, "mdn-sent-automatically") && strings.HasSuffix(strings.TrimSpace(d), "deleted") &&
		(listReject.MatchString(m.Subject) || listReject.MatchString(head)) // "Rejected: …", "was automatically rejected"
}

func isNullReturnPath(m *Message) bool {
	rp := strings.ToLower(strings.TrimSpace(m.Header.Get("Return-Path")))
	return rp == "<>" || rp == "<mailer-daemon>" || (m.Header.Has("Return-Path") && rp == "")
}
