package i18n

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"mailbot/threads"
)

// Lang is one language of the catalogue: its words and formats.
type Lang struct {
	code   string
	tag    language.Tag
	name   string
	format Format
	text   map[string]string
	plural map[string]map[string]string
}

var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// Code is the language's code: "en", "es".
func (l *Lang) Code() string { return l.code }

// Name is the language's name in itself: "English", "Español".
func (l *Lang) Name() string { return l.name }

// Keys lists every message key, sorted.
func (l *Lang) Keys() []string {
	keys := make([]string, 0, len(l.text)+len(l.plural))
	for k := range l.text {
		keys = append(keys, k)
	}
	for k := range l.plural {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Has reports whether the language has a message for key.
func (l *Lang) Has(key string) bool {
	_, ok := l.text[key]
	_, okp := l.plural[key]
	return ok || okp
}

// T is the message key with its {placeholders} filled from args, given as
// name, value pairs: T("post.to", "name", "Dana"). A key the catalogue
// lacks shows as itself, so it is seen (and a test fails on it).
func (l *Lang) T(key string, args ...string) string {
	s, ok := l.text[key]
	if !ok {
		if forms, ok := l.plural[key]; ok {
			s = forms["other"]
		} else {
			return key
		}
	}
	return fill(s, args)
}

// N is the plural message key in the form the count n needs; {n} is n
// written in the language, the other placeholders come from args.
func (l *Lang) N(key string, n int, args ...string) string {
	forms, ok := l.plural[key]
	if !ok {
		return l.T(key, append(args, "n", l.Int(int64(n)))...)
	}
	s, ok := forms[l.form(n)]
	if !ok {
		s = forms["other"]
	}
	return fill(s, append(args, "n", l.Int(int64(n))))
}

func (l *Lang) form(n int) string {
	if n < 0 {
		n = -n
	}
	switch plural.Cardinal.MatchPlural(l.tag, n, 0, 0, 0, 0) {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}

func fill(s string, args []string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 32)
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			break
		}
		name := s[open+1 : open+end]
		b.WriteString(s[:open])
		if v, ok := arg(args, name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[open : open+end+1])
		}
		s = s[open+end+1:]
	}
	b.WriteString(s)
	return b.String()
}

// arg is the value of the name in name, value pairs.
func arg(args []string, name string) (string, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] == name {
			return args[i+1], true
		}
	}
	return "", false
}

// Int writes a whole number with the language's thousands separator.
func (l *Lang) Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	return sign + l.group(s)
}

func (l *Lang) group(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(l.format.Thousands)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Amount writes minor units of a currency with the language's separators
// and the currency code: "1,250.00 USD", "1.250,00 USD".
func (l *Lang) Amount(minor int64, currency string) string {
	plain := threads.FormatAmount(minor, currency)
	sign := ""
	if strings.HasPrefix(plain, "-") {
		sign, plain = "-", plain[1:]
	}
	whole, frac, hasFrac := strings.Cut(plain, ".")
	out := sign + l.group(whole)
	if hasFrac {
		out += l.format.Decimal + frac
	}
	return out + " " + currency
}

// Size writes a file size with the language's decimal mark: "1,2 MB".
func (l *Lang) Size(n int64) string {
	return strings.Replace(threads.FormatSize(n), ".", l.format.Decimal, 1)
}

// Refusal words why a file was not accepted; a file refused before
// reasons were kept shows the sentence it was stored with.
func (l *Lang) Refusal(f threads.File) string {
	switch f.RefusedReason {
	case "":
		return f.Refused
	case threads.RefusedTooMany:
		return l.N("file.refused.too_many", int(f.RefusedLimit))
	case threads.RefusedFileTooLarge, threads.RefusedTotalTooLarge:
		return l.T("file.refused."+string(f.RefusedReason), "limit", l.Size(f.RefusedLimit))
	}
	return l.T("file.refused." + string(f.RefusedReason))
}

// Date writes a calendar date: "Mar 14, 2026", "14 de marzo de 2026".
func (l *Lang) Date(t time.Time) string { return l.datePattern(l.format.Date, t) }

// DateTime writes a moment as it reads in t's location:
// "Mar 14, 2026 3:04 PM EDT", "14 mar 2026, 15:04 CET".
func (l *Lang) DateTime(t time.Time) string { return l.datePattern(l.format.DateTime, t) }

func (l *Lang) datePattern(p string, t time.Time) string {
	args := []string{"day", strconv.Itoa(t.Day()), "month", l.format.Months[t.Month()-1],
		"mon", l.format.MonthsShort[t.Month()-1], "year", strconv.Itoa(t.Year()), "time", ""}
	if strings.Contains(p, "{time}") {
		args[9] = t.Format(l.format.Time)
	}
	return fill(p, args)
}

// Kind is the kind's name as a title: "Invoice", "Factura".
func (l *Lang) Kind(k threads.Kind) string { return l.kindWord(k, "") }

// KindInSentence is the kind as it reads inside a sentence: "invoice",
// "la factura".
func (l *Lang) KindInSentence(k threads.Kind) string { return l.kindWord(k, ".in_sentence") }

// KindPlural is the kind in the plural, inside a sentence: "sales receipts".
func (l *Lang) KindPlural(k threads.Kind) string { return l.kindWord(k, ".plural") }

// Party names the other side of a kind of transaction: "Customer" for an
// invoice, "Vendor" for a bill.
func (l *Lang) Party(k threads.Kind) string { return l.kindWord(k, ".party") }

// Subject is a notification's subject line: "Invoice A-1001 · Harbor Tools
// Ltd", and after the recipient's first on the transaction "Re: Invoice…".
func (l *Lang) Subject(k threads.Kind, number, company string, reply bool) string {
	s := strings.TrimSpace(l.Kind(k) + " " + number + " · " + company)
	if reply {
		s = "Re: " + s
	}
	return s
}

func (l *Lang) kindWord(k threads.Kind, suffix string) string {
	key := "kind." + string(k) + suffix
	if l.Has(key) {
		return l.T(key)
	}
	if suffix == ".party" {
		return l.T("kind.other.party")
	}
	label := k.Label() // a kind the catalogue does not know yet
	if suffix == "" {
		return strings.ToUpper(label[:1]) + label[1:]
	}
	return label
}

// Funcs are the template functions of the language, for page and email
// templates alike: {{t "key" "name" .Value}}, {{n "key" .Count}},
// {{kind .Kind}}, {{kindIn .Kind}}, {{party .Kind}}, {{amount .Minor .Currency}},
// {{date .Date}}, {{size .Bytes}}, {{num .Count}}.
func (l *Lang) Funcs() map[string]any {
	return map[string]any{
		"t": l.T, "n": l.N, "kind": l.Kind, "kindIn": l.KindInSentence, "kindPlural": l.KindPlural,
		"party": l.Party, "amount": l.Amount, "date": l.Date, "size": l.Size, "lang": l.Code,
		"num": func(n int) string { return l.Int(int64(n)) },
	}
}
