package replytext

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The shapes of lines that mark history and signatures, built from the
// language tables once, when the package loads.

var (
	footers    = buildFooters(languages)
	fieldKinds = buildFieldKinds(languages)
	originals  = buildSet(languages, func(l language) []string { return l.original })
	signoffs   = buildSet(languages, func(l language) []string { return l.signoffs })
	wroteVerbs = buildVerbs(languages)
	linkInText = regexp.MustCompile(`\s*[<(\[]\s*(https?://|mailto:|www\.)[^>)\]]*[>)\]]`)
)

// footer is a footer of the tables split at its "{}", where an app's or
// a device's name stands (appName).
type footer struct{ before, after string }

// footerEdges are the first and last words of the footers, a cheap test
// that rules out most lines before the footers are tried.
var footerFirst, footerLast = footerEdges(footers)

func footerEdges(fs []footer) (first, last map[string]bool) {
	first, last = map[string]bool{}, map[string]bool{}
	for _, f := range fs {
		if w, _, _ := strings.Cut(f.before, " "); w != "" {
			first[w] = true
		} else {
			words := strings.Fields(f.after)
			last[words[len(words)-1]] = true
		}
	}
	return first, last
}

// mayBeFooter says t (trimmed) opens or ends with a word a footer does.
func mayBeFooter(t string) bool {
	first, _, _ := strings.Cut(t, " ")
	if footerFirst[strings.ToLower(first)] {
		return true
	}
	last := t[strings.LastIndexAny(t, " >)")+1:]
	return footerLast[strings.ToLower(strings.TrimRight(last, ".!"))] || !isASCII(t)
}

func buildFooters(langs []language) []footer {
	var out []footer
	for _, l := range langs {
		for _, f := range l.footers {
			before, after, _ := strings.Cut(f, "{}")
			out = append(out, footer{before, after})
		}
	}
	return out
}

// nameWords says s is one to four name-like words ("iPhone", "Galaxy S9",
// "Outlook für Android"): letters and digits with a few joining marks.
func nameWords(s string) bool {
	words := strings.Split(s, " ")
	if len(words) > 4 {
		return false
	}
	for _, w := range words {
		if w == "" {
			return false
		}
		// A carrier's name may end with a comma ("my Verizon, Samsung
		// Galaxy smartphone"); a lower-case word never does ("my phone,
		// excuse brevity" is a sentence).
		if r, _ := utf8.DecodeRuneInString(w); len(w) > 1 && strings.HasSuffix(w, ",") && unicode.IsUpper(r) {
			w = w[:len(w)-1]
		}
		for i, r := range w {
			ok := unicode.IsLetter(r) || unicode.IsDigit(r) || i > 0 && (unicode.Is(unicode.Mn, r) || strings.ContainsRune("'’.-_&+®™", r))
			if !ok {
				return false
			}
		}
	}
	return true
}

type fieldKind uint8

const (
	fieldFrom fieldKind = 1 << iota
	fieldDate
	fieldTo
	fieldCc
	fieldSubject
)

func buildFieldKinds(langs []language) map[string]fieldKind {
	m := map[string]fieldKind{}
	for _, l := range langs {
		for kind, names := range map[fieldKind][]string{fieldFrom: l.from, fieldDate: l.date, fieldTo: l.to, fieldCc: l.cc, fieldSubject: l.subject} {
			for _, n := range names {
				m[n] |= kind
			}
		}
	}
	return m
}

func buildSet(langs []language, pick func(language) []string) map[string]bool {
	m := map[string]bool{}
	for _, l := range langs {
		for _, s := range pick(l) {
			m[s] = true
		}
	}
	return m
}

func buildVerbs(langs []language) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range langs {
		for _, v := range l.wrote {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// plainLine drops what does not change a line's meaning for matching:
// bidirectional marks, a leading quote, surrounding space; other hyphens
// and apostrophes read as ASCII ones.
func plainLine(line string) string {
	if !isASCII(line) {
		line = strings.Map(func(r rune) rune {
			switch {
			case r == '\u2011' || r == '\u2010':
				return '-'
			case r == '\u2019': // a typographic apostrophe ("iPhone’umdan")
				return '\''
			case r == '\u00a0':
				return ' '
			case r >= '\u200b' && r <= '\u200f', r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069', r == '\ufeff':
				return -1
			}
			return r
		}, line)
	}
	return strings.TrimSpace(line)
}

// isFooter says line, as a whole, is a mail app's footer ("Sent from my
// iPhone", "Envoyé à partir de Outlook pour iOS"), perhaps with a link.
// A sentence that begins like one and goes on is not.
func isFooter(line string) bool {
	if len(line) > 200 {
		return false
	}
	t := plainLine(line)
	if !mayBeFooter(t) {
		return false
	}
	if strings.ContainsAny(t, "<([") {
		t = linkInText.ReplaceAllString(t, "")
	}
	orig := strings.TrimRight(strings.Join(strings.Fields(t), " "), ".!")
	t = strings.ToLower(orig)
	if t == "" || utf8.RuneCountInString(t) > 70 {
		return false
	}
	for _, f := range footers {
		if len(t) <= len(f.before)+len(f.after) || !strings.HasPrefix(t, f.before) || !strings.HasSuffix(t, f.after) {
			continue
		}
		// The name is an app's or a device's ("Sent with Proton Mail",
		// "Sent from my iPhone"), not what a sentence says was sent, or
		// from where ("Envoyé avec le relevé", "Sent from my netbank on
		// Monday."). Its case is read where lower-casing kept the length.
		name, cased := t[len(f.before):len(t)-len(f.after)], len(orig) == len(t)
		if cased {
			name = orig[len(f.before) : len(orig)-len(f.after)]
		}
		if nameWords(name) && (!cased || appName(name)) {
			return true
		}
	}
	return false
}

// appWords name, in a footer, what sent the mail without its brand, or a
// brand people also write in lower case ("the mobile mail app", "mi
// dispositivo móvil", "smartphone Samsung Galaxy", "perangkat Samsung").
var appWords = map[string]bool{"app": true, "application": true, "device": true, "phone": true, "smartphone": true, "tablet": true,
	"mobile": true, "client": true, "email": true, "e-mail": true, "mail": true, "appli": true, "aplicación": true,
	"aplicativo": true, "dispositivo": true, "móvil": true, "celular": true, "gerät": true, "handy": true, "telefon": true, "teléfono": true,
	"telefone": true, "téléphone": true, "mobiel": true, "toestel": true, "e-post": true, "mobil": true, "telefono": true, "cellulare": true,
	"smartfona": true, "smartfonu": true, "telefonu": true, "urządzenia": true, "aplikacji": true, "perangkat": true, "ponsel": true,
	"telefoon": true, "telemóvel": true, "appareil": true, "почты": true, "почта": true, "телефона": true, "смартфона": true, "устройства": true,
	"приложения": true, "планшета": true, "телефону": true, "пристрою": true, "iphone": true, "ipad": true, "android": true, "galaxy": true,
	"blackberry": true, "pixel": true}

// appName says s names an app or a device: it opens with a capital, a
// digit, a letter of a script without capitals, or a lower-case letter
// before a capital ("iPhone", "eM Client"), or a word of it is one of
// appWords.
func appName(s string) bool {
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if appWords[strings.Trim(w, ",.;:")] {
			return true
		}
	}
	r, size := utf8.DecodeRuneInString(s)
	if unicode.IsUpper(r) || unicode.IsDigit(r) || unicode.IsLetter(r) && !unicode.IsLower(r) {
		return true
	}
	r2, _ := utf8.DecodeRuneInString(s[size:])
	return unicode.IsLower(r) && unicode.IsUpper(r2)
}

// headerField says line is a "Field: value" line of a quoted header block
// in any of the tables' languages, and which field.
func headerField(line string) (fieldKind, bool) {
	t := strings.TrimLeft(line, "> \t")
	t = strings.TrimLeft(t, "*_")
	colon := strings.IndexByte(t[:min(len(t), 41)], ':')
	if wide := strings.Index(t[:min(len(t), 43)], "："); wide > 0 && (colon < 0 || wide < colon) {
		colon = wide
	}
	if colon <= 0 || colon > 40 {
		return 0, false
	}
	name := strings.ToLower(strings.Trim(plainLine(t[:colon]), "*_ "))
	k, ok := fieldKinds[name]
	return k, ok && k != 0
}

// hasColon says line holds a colon, ASCII or full-width.
func hasColon(line string) bool {
	return strings.IndexByte(line, ':') >= 0 || strings.Contains(line, "：")
}

func isHeaderField(line string) bool {
	_, ok := headerField(line)
	return ok
}

// headerBlockAt says a quoted header block (From/Sent/To/Subject in any
// language and order) starts at line i: three field lines, with at most a
// few blank or wrapped lines among them, that hold a date (by the field's
// name or, under a name the tables lack, its value), a sender, recipient
// or subject, and a subject or an address, as every client's block does.
// Payment details ("From: … / To: … / Date: … / Amount: …") and a
// client's mail settings ("From: … / To: … / Subject: …") are not.
func headerBlockAt(lines []string, i int) bool {
	k, ok := headerField(lines[i])
	if !ok {
		return false
	}
	kinds, n, other := k, 1, 0
	addr := strings.Contains(lines[i], "@")
	block := func() bool {
		return n >= 3 && kinds&fieldDate != 0 && kinds&(fieldFrom|fieldTo|fieldSubject) != 0 && (kinds&fieldSubject != 0 || addr)
	}
	for j := i + 1; j < len(lines) && j < i+10; j++ {
		if k, ok := headerField(lines[j]); ok {
			kinds |= k
			n++
			addr = addr || strings.Contains(lines[j], "@")
		} else if blank(lines[j:j+1]) && n >= 3 {
			break // the block ends
		} else {
			if hasColon(lines[j]) && (clockTime(lines[j]) || hasYear(lines[j])) {
				kinds |= fieldDate // a date under a field name the tables lack ("Envoyé le :")
			}
			if other++; other > 3 {
				return false
			}
		}
		if block() {
			return true
		}
	}
	return block()
}

// runOnHeader says line is a quoted header block run together on one line,
// as some clients and converted HTML give it ("From: A Sent: Monday To: B
// Subject: C"): a field of the tables opens it, fields of at least three
// kinds in all name a colon, and a subject or an address is among them (a
// table of "From: 1 March To: 31 March Date: …" is not).
func runOnHeader(line string) bool {
	k, ok := headerField(line)
	if !ok || len(line) < 30 || len(line) > 2000 {
		return false
	}
	kinds, n := k, 1
	first := strings.IndexAny(line, ":：")
	for at := first + 1; ; {
		c := strings.IndexAny(line[at:], ":：")
		if c < 0 {
			break
		}
		c += at
		at = c + 1
		// The field's name is one to three words just before the colon.
		before := strings.TrimRight(line[max(0, c-40):c], "*_ 	")
		start := len(before)
		for words := 0; start > 0 && words < 3; words++ {
			sp := strings.LastIndexAny(before[:start], " 	*_")
			start = sp + 1
			if k, ok := fieldKinds[strings.ToLower(before[start:])]; ok && k != 0 {
				kinds |= k
				n++
				break
			}
			if sp < 0 {
				break
			}
			start = sp
		}
	}
	return n >= 3 && bitsSet(kinds) >= 3 && (kinds&fieldSubject != 0 || strings.Contains(line, "@"))
}

// hasYear says s holds a year of a date ("2026"), where an amount
// ("1.200,00") does not: four ASCII digits from 19 or 20, alone.
func hasYear(s string) bool {
	for i := 0; i+4 <= len(s); i++ {
		if (s[i] == '1' && s[i+1] == '9' || s[i] == '2' && s[i+1] == '0') && isDigit(s[i+2]) && isDigit(s[i+3]) &&
			(i == 0 || !isDigit(s[i-1])) && (i+4 == len(s) || !isDigit(s[i+4])) {
			return true
		}
	}
	return false
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func bitsSet(k fieldKind) int {
	n := 0
	for ; k != 0; k &= k - 1 {
		n++
	}
	return n
}

// groupWiseHeader is GroupWise's line above the message answered:
// `>>> "Name" <addr> 3/3/2026 5:21 PM >>>`.
func groupWiseHeader(line string) bool {
	t := strings.TrimSpace(line)
	return len(t) < 300 && strings.HasPrefix(t, ">>>") && strings.HasSuffix(t, ">>>") && len(t) > 6 &&
		(strings.Contains(t, "@") || hasDate(t))
}

// isSeparator says line is a separator such as "-----Original
// Message-----" or "-------- Oprindelig besked --------" in the tables'
// languages, or Outlook's rule of underscores.
func isSeparator(line string) bool {
	t := strings.TrimLeft(line, "> \t*")
	if !isASCII(t) {
		t = plainLine(t) // hyphens of other code points (ProtonMail's U+2010) read as '-'
	}
	if strings.HasPrefix(t, "________________") && strings.Trim(t, "_ \t*") == "" {
		return true
	}
	if !strings.HasPrefix(t, "--") && !strings.HasPrefix(t, "==") && !strings.HasPrefix(t, "__") && !strings.HasSuffix(strings.TrimSpace(t), ":") {
		return false
	}
	title := strings.ToLower(strings.Trim(plainLine(t), "-_=*: \t"))
	return originals[title]
}

// dashTitle is a short title between dashes ("---- Nachricht ----"): a
// separator when a header block follows it.
func dashTitle(line string) bool {
	t := strings.TrimSpace(strings.TrimLeft(line, "> \t"))
	return len(t) < 80 && strings.HasPrefix(t, "--") && strings.HasSuffix(t, "--")
}

// hasDate says s holds a date or a time: digits joined by '/', '.', '-'
// or ':' ("2016-03-03", "4/12/2024", "17:21"), in any script's digits.
func hasDate(s string) bool {
	prevDigit, sep := false, false
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			if sep {
				return true
			}
			prevDigit = true
		case prevDigit && (r == '/' || r == '.' || r == '-' || r == ':'):
			prevDigit, sep = false, true
		default:
			prevDigit, sep = false, false
		}
	}
	return false
}

// endsAttribution says line ends as an attribution does: with a colon,
// perhaps followed by direction marks.
func endsAttribution(line string) bool {
	t := plainLine(line)
	return strings.HasSuffix(t, ":") || strings.HasSuffix(t, "：")
}

// verbAttribution is the general attribution shape: a line ending with a
// colon that holds one of the tables' "wrote" verbs and a date or time,
// and after the verb only a name and address ("No dia 4/12/2024, às
// 00:19, ana@example.com escreveu:", "2016. márc. 3. 17:21 írta X <x@y>:").
func verbAttribution(line string) bool {
	if len(line) > 400 || !endsAttribution(line) || !hasDate(plainLine(line)) {
		return false
	}
	orig := plainLine(strings.TrimLeft(line, "> \t"))
	l := strings.ToLower(orig)
	for _, v := range wroteVerbs {
		i := strings.LastIndex(l, v)
		if i < 0 {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(l[:i]); i > 0 && unicode.IsLetter(r) && !isCJK(r) {
			continue
		}
		before, rest := l[:i], l[i+len(v):]
		if len(l) == len(orig) {
			before, rest = orig[:i], orig[i+len(v):] // the case of the name matters below
		}
		rest = strings.TrimSpace(strings.TrimRight(rest, ":： "))
		if attributionTail(rest) {
			return true
		}
		// "Avery Quill schrieb am 3.3.2026 um 09:14:": a name, the verb,
		// then the date.
		if before = strings.TrimSpace(before); hasDate(rest) && (nameShaped(before) || whoShaped(before) || strings.Contains(before, "@")) {
			return true
		}
	}
	return false
}

// attributionTail says what follows an attribution's verb is what may:
// nothing, a name and address ("schrieb Avery Quill <a@b>"), a short name
// ("schrieb Test user"), a parenthesised date (Hungarian "írta (időpont:
// …)"), or one word of a script without capitals (Thai "เขียนว่า").
// "wrote to the bank" is no attribution.
func attributionTail(rest string) bool {
	first, _ := utf8.DecodeRuneInString(rest)
	switch {
	case rest == "", strings.Contains(rest, "@"), strings.HasPrefix(rest, "("):
		return true
	case unicode.IsUpper(first) && (len(strings.Fields(rest)) <= 4 || whoShaped(rest)):
		return true
	}
	return len(strings.Fields(rest)) == 1 && strings.IndexFunc(rest, func(r rune) bool { return unicode.IsUpper(r) || unicode.IsLower(r) }) < 0
}

// whoShaped says s names who wrote, as an attribution does: a person, a
// company, or either sent through a service ("Kessler Treuhand GmbH via
// Ledger Chat", "Brightwater & Co. Accountants"): up to eight words, each
// capitalised, a particle, a legal form, "&" or "via".
func whoShaped(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 8 {
		return false
	}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		l := strings.ToLower(w)
		if !unicode.IsUpper(r) && !particles[l] && l != "via" && l != "&" && !slices.Contains(companyForms, l) {
			return false
		}
	}
	return true
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

// dateAddressLine is an attribution without a verb, as Gmail writes in some
// languages: a date and an address ("2013/7/20 Name <addr>",
// "2016-03-03 17:21 GMT+01:00 Name <addr>:"). Only followed by quoted
// text is it taken for one.
func dateAddressLine(line string) bool {
	t := plainLine(strings.TrimLeft(line, " \t"))
	if len(t) > 250 || !strings.Contains(t, "@") || !hasDate(t) {
		return false
	}
	return strings.HasSuffix(t, ":") || strings.HasSuffix(t, ">") || strings.HasSuffix(t, ">:")
}

// isSignoff says line is only a closing formula ("Kind regards,").
func isSignoff(line string) bool {
	t := strings.ToLower(strings.TrimRight(plainLine(line), ",.!،，。！"))
	if utf8.RuneCountInString(t) >= 60 {
		return false
	}
	if signoffs[t] {
		return true
	}
	// Bilingual: "Mit freundlichen Grüßen / Kind regards".
	a, b, ok := strings.Cut(t, " / ")
	return ok && signoffs[strings.TrimRight(a, ", ")] && signoffs[strings.TrimRight(b, ", ")]
}
