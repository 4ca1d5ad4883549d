package mailout

import (
	"strconv"
	"strings"
	"time"

	"mailbot/threads"
)

// words holds what the templates need in each language.
type words struct {
	marker        string
	noticeSubject string
	reasons       map[threads.Verdict]string // nil: threads' English explanation
	kinds         map[threads.Kind][2]string // title ("Invoice"), in a sentence ("invoice" / "la factura")
	customer      string
	vendor        string
	payee         string
	months        [12]string
	dateLayout    func(t time.Time, months [12]string) string
	thousands     string
	decimalMark   string
}

var languages = map[string]words{
	"en": {
		marker:        "##- Please type your reply above this line -##",
		noticeSubject: "Your email was not added to the conversation",
		kinds: map[threads.Kind][2]string{
			threads.KindInvoice:          {"Invoice", "invoice"},
			threads.KindBill:             {"Bill", "bill"},
			threads.KindCustomerPayment:  {"Customer payment", "customer payment"},
			threads.KindCheck:            {"Check", "check"},
			threads.KindCreditCardCharge: {"Credit card charge", "credit card charge"},
			threads.KindCreditCardCredit: {"Credit card credit", "credit card credit"},
		},
		customer: "Customer", vendor: "Vendor", payee: "Payee",
		months: [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		dateLayout: func(t time.Time, m [12]string) string {
			return m[t.Month()-1] + " " + itoa(t.Day()) + ", " + itoa(t.Year())
		},
		thousands: ",", decimalMark: ".",
	},
	"es": {
		marker:        "##- Escriba su respuesta encima de esta línea -##",
		noticeSubject: "Su correo no se añadió a la conversación",
		reasons: map[threads.Verdict]string{
			threads.VerdictRejectedNoToken:   "no se envió a la dirección de respuesta de una conversación",
			threads.VerdictRejectedBadToken:  "su dirección de respuesta no pertenece a ninguna conversación",
			threads.VerdictRejectedExpired:   "su dirección de respuesta ha caducado; responda a un correo más reciente o conteste en la web",
			threads.VerdictRejectedRevoked:   "su dirección de respuesta fue revocada; responda a un correo más reciente o conteste en la web",
			threads.VerdictRejectedSender:    "no se envió desde la dirección a la que llegó el correo de la conversación",
			threads.VerdictRejectedForged:    "el dominio del remitente no confirmó que enviara este correo (DMARC, DKIM o SPF fallaron), así que puede ser falso; conteste en la web o consulte a su administrador de correo",
			threads.VerdictRejectedNoAccess:  "el remitente ya no trabaja con esta empresa",
			threads.VerdictRejectedKind:      "este tipo de transacción no admite conversaciones",
			threads.VerdictRejectedEmpty:     "no se encontró texto de respuesta encima del correo citado",
			threads.VerdictRejectedTooLong:   "el texto de la respuesta es más largo de lo permitido",
			threads.VerdictRejectedTooLarge:  "el correo es más grande de lo que el servicio acepta",
			threads.VerdictRejectedMalformed: "no se pudo leer el correo",
		},
		kinds: map[threads.Kind][2]string{
			threads.KindInvoice:          {"Factura", "la factura"},
			threads.KindBill:             {"Factura de proveedor", "la factura de proveedor"},
			threads.KindCustomerPayment:  {"Pago de cliente", "el pago de cliente"},
			threads.KindCheck:            {"Cheque", "el cheque"},
			threads.KindCreditCardCharge: {"Cargo de tarjeta", "el cargo de tarjeta"},
			threads.KindCreditCardCredit: {"Abono de tarjeta", "el abono de tarjeta"},
		},
		customer: "Cliente", vendor: "Proveedor", payee: "Beneficiario",
		months: [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
			"agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		dateLayout: func(t time.Time, m [12]string) string {
			return itoa(t.Day()) + " de " + m[t.Month()-1] + " de " + itoa(t.Year())
		},
		thousands: ".", decimalMark: ",",
	},
}

func lang(locale string) words {
	if w, ok := languages[locale]; ok {
		return w
	}
	return languages["en"]
}

func (w words) reason(v threads.Verdict) string {
	if r, ok := w.reasons[v]; ok {
		return r
	}
	return v.Explain()
}

func (w words) kindTitle(k threads.Kind) string {
	if names, ok := w.kinds[k]; ok {
		return names[0]
	}
	label := k.Label()
	return strings.ToUpper(label[:1]) + label[1:]
}

func (w words) kindInSentence(k threads.Kind) string {
	if names, ok := w.kinds[k]; ok {
		return names[1]
	}
	return k.Label()
}

func (w words) partyLabel(k threads.Kind) string {
	switch k {
	case threads.KindInvoice, threads.KindCustomerPayment:
		return w.customer
	case threads.KindBill, threads.KindCheck:
		return w.vendor
	}
	return w.payee
}

func (w words) date(t time.Time) string { return w.dateLayout(t, w.months) }

// size writes a file size with the language's decimal mark: "1,2 MB".
func (w words) size(n int64) string {
	return strings.Replace(threads.FormatSize(n), ".", w.decimalMark, 1)
}

// amount writes minor units with the language's separators: "1,250.00 USD".
func (w words) amount(minor int64, currency string) string {
	plain := threads.FormatAmount(minor, currency)
	sign := ""
	if strings.HasPrefix(plain, "-") {
		sign, plain = "-", plain[1:]
	}
	whole, frac, hasFrac := strings.Cut(plain, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(w.thousands)
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString(w.decimalMark + frac)
	}
	return sign + b.String() + " " + currency
}

func itoa(n int) string { return strconv.Itoa(n) }
