package replytext

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Attribution lines ("On <date>, <name> wrote:"), alone or wrapped, by
// their wording and by their shape.

// attribution is the attribution line of the commonest clients and
// languages; verbAttribution and the shapes below find the others.
var attribution = regexp.MustCompile(`(?i)^[>\s]*(` +
	`on\b.*\bwrote:?|` +
	`el\b.*\bescribió:?|` +
	`le\b.*\ba écrit\s*:?|` +
	`il\b.*\bha scritto:?|` +
	`em\b.*\bescreveu:?|` +
	`w dniu\b.*\bpisze:?|` +
	`.*(написал|написала|написав|пише|пишет)\s*:|` +
	`.*(írta|작성|ha escrit|skrev)\s*:|` +
	`.*@.*\bschrieb\b.*:|` +
	`.*\bhet volgende geschreven\s*:|` +
	`.*(写道|寫道)[：:]|` +
	`.*님이 작성:|` +
	`.*のメッセージ:|` +
	`.*@.*\bwrote:?|` +
	`-{2,}\s*on\b.*\bwrote\s*-{2,}|` +
	`.*\b(kirjoitti|napisał\(a\)|napisał|napisala|napisal|a scris|yazdı|rašė|kirjutas)\s*:?|` +
	`.*\d.*<\s*[^<>\s]+@[^<>\s]+\s*>\s*:|` +
	`.*\d.*[^<>\s]+@[^<>\s]+:` +
	`)\s*$`)

// isAttribution says line alone is an attribution ("On … wrote:").
func isAttribution(line string) bool {
	return len(line) < 400 && endsWithColon(line) && attributionHint(line) && (verbAttribution(line) || timedOrAddressed(line) && attribution.MatchString(line))
}

// timedOrAddressed says line holds a time or an address, as every
// client's attribution does ("at 9:14 AM", "à 10h30", "<a@example.com>"):
// "On 3 March the supplier wrote:" is the author's own sentence.
func timedOrAddressed(line string) bool {
	return strings.Contains(line, "@") || clockTime(line)
}

// clockTime says s holds a time of day as mail clients write it: "9:14",
// "09:14:00", "10h30", "9.14 Uhr", in any script's digits. One pass, no
// regular expression: it runs on many lines.
func clockTime(s string) bool {
	prevDigit := false
	for i, r := range s {
		if prevDigit && strings.ContainsRune(":：hH.", r) {
			rest := s[i+utf8.RuneLen(r):]
			d1, n1 := utf8.DecodeRuneInString(rest)
			d2, n2 := utf8.DecodeRuneInString(rest[n1:])
			if unicode.IsDigit(d1) && unicode.IsDigit(d2) {
				if r != '.' {
					return true
				}
				after := strings.ToLower(strings.TrimLeft(rest[n1+n2:], " "))
				if strings.HasPrefix(after, "uhr") || strings.HasPrefix(after, "h") && !strings.HasPrefix(after, "ha") {
					return true
				}
			}
		}
		prevDigit = unicode.IsDigit(r)
	}
	return false
}

// joinedAttribution finds an attribution wrapped over two or three lines,
// or one without a verb ("2013/7/20 Name <addr>"), by its shape: joined,
// the lines are an attribution, and quoted or header-shaped text (or
// nothing) follows them.
func joinedAttribution(lines []string, i int) bool {
	if len(lines[i]) > 300 || isQuoted(lines[i]) || blank(lines[i:i+1]) || !attributionStart(lines[i]) {
		return false
	}
	for k := i; k < len(lines) && k < i+3; k++ {
		if k > i && (blank(lines[k:k+1]) || isQuoted(lines[k])) {
			return false
		}
		if t := strings.TrimRight(lines[k], " \t"); !endsWithColon(t) && !strings.HasSuffix(t, ">") {
			continue // cheap: only a line that ends as an attribution does is joined
		}
		joined := strings.TrimSpace(lines[i])
		for _, l := range lines[i+1 : k+1] {
			if attributionOpening.MatchString(l) {
				return false // the attribution, if any, starts on this line
			}
			joined += " " + strings.TrimSpace(l)
		}
		if !(k > i && isAttribution(joined) || dateAddressLine(joined)) {
			continue
		}
		next := k + 1
		for next < len(lines) && blank(lines[next:next+1]) {
			next++
		}
		if next == len(lines) || isQuoted(lines[next]) || headerBlockAt(lines, next) {
			return true
		}
	}
	return false
}

// addressAttribution is an attribution by its shape alone: a line with an
// address that ends with a colon or is a From field ("Quoting Avery
// <a@example.com>:", "From: Avery [mailto:a@example.com]"), with quoted
// text right below it.
func addressAttribution(lines []string, i int) bool {
	line := lines[i]
	if len(line) > 250 || strings.IndexByte(line, '@') < 0 || isQuoted(line) || i+1 == len(lines) {
		return false
	}
	next := i + 1
	if blank(lines[next:next+1]) && next+1 < len(lines) {
		next++ // one blank line may stand between ("Quoting …:", Horde)
	}
	if !isQuoted(lines[next]) {
		return false
	}
	if endsWithColon(line) {
		return true
	}
	k, ok := headerField(line)
	return ok && k&fieldFrom != 0
}

// nameWroteAttribution is an attribution without a date, with quoted text
// right below: a name or an address and a "wrote" verb of the tables
// ("Avery Quill wrote:", "Avery Quill <a@example.com> schrieb:"), or the
// common wordings ("On Monday, Avery Quill wrote:").
func nameWroteAttribution(lines []string, i int) bool {
	line := lines[i]
	if i+1 == len(lines) || !endsAttribution(line) { // cheap: most lines stop here
		return false
	}
	next := i + 1
	if blank(lines[next : next+1]) {
		next++
	}
	return next < len(lines) && isQuoted(lines[next]) && undatedAttribution(line)
}

// undatedAttribution says line, with no date, is worded as an attribution
// (the line above a quote it is one).
func undatedAttribution(line string) bool {
	if len(line) > 200 || !endsAttribution(line) || isQuoted(line) {
		return false
	}
	if attributionHint(line) && attribution.MatchString(line) {
		return true // "On Monday, Avery Quill wrote:" with no digit, quoting
	}
	t := strings.TrimRight(plainLine(line), ":： ")
	l := strings.ToLower(t)
	for _, v := range wroteVerbs {
		if !strings.HasSuffix(l, v) {
			continue
		}
		who := strings.TrimSpace(t[:len(t)-len(v)])
		if r, _ := utf8.DecodeLastRuneInString(who); who == "" || unicode.IsLetter(r) && !isCJK(r) && who == t[:len(t)-len(v)] {
			continue // the verb is the end of a longer word
		}
		who = strings.Trim(who, `"'`)
		return utf8.RuneCountInString(who) > 1 && nameShaped(who) || strings.Contains(who, "@") && len(strings.Fields(who)) <= 5
	}
	return false
}

// endsWithColon is a cheap test every attribution line passes, so the
// regular expressions run on few lines: it ends with a colon, "wrote" or a
// dash rule.
func endsWithColon(line string) bool {
	t := strings.TrimRight(line, " \t")
	return strings.HasSuffix(t, ":") || strings.HasSuffix(t, "：") || strings.HasSuffix(t, "wrote") || strings.HasSuffix(t, "--") ||
		!isASCII(t) && endsAttribution(t)
}

// wrappedAttribution finds an attribution a client wrapped over two or
// three lines.
func wrappedAttribution(lines []string, i int) bool {
	if len(lines[i]) > 300 || isQuoted(lines[i]) || i+1 == len(lines) {
		return false
	}
	if !endsWithColon(lines[i+1]) && (i+2 == len(lines) || !endsWithColon(lines[i+2])) {
		return false
	}
	if !attributionStart(lines[i]) {
		return false
	}
	for k := i + 1; k <= i+2 && k < len(lines); k++ {
		if blank(lines[k : k+1]) {
			return false // an attribution is not wrapped across a blank line
		}
		if endsWithColon(lines[k]) && attributionHint(lines[k]) && attributionEnd(lines[k]) {
			if attributionOpening.MatchString(lines[i+1]) {
				return false // the attribution starts on the next line; this one is the reply's
			}
			return true
		}
	}
	return false
}

// attributionEnd says line ends an attribution: "wrote", or a colon after
// a "wrote" verb of the tables or after an address ("<a@b>:").
func attributionEnd(line string) bool {
	t := strings.TrimRight(line, " \t")
	if strings.HasSuffix(t, "wrote") {
		return true
	}
	if !endsAttribution(t) {
		return false
	}
	body := strings.TrimRight(plainLine(t), ":： ")
	if strings.HasSuffix(body, ">") && strings.Contains(body, "@") {
		return true
	}
	l := strings.ToLower(body)
	for _, v := range wroteVerbs {
		if strings.Contains(l, v) {
			return true
		}
	}
	return strings.Contains(l, "uhr")
}

// attributionStart says line may open an attribution: a digit or '@'
// early on, or an opening word ("On", "Le", "Am", …).
func attributionStart(line string) bool {
	t := strings.TrimLeft(line, "> \t")
	head := t[:min(len(t), 60)]
	if strings.IndexFunc(head, func(r rune) bool { return r == '@' || unicode.IsDigit(r) }) >= 0 || strings.HasSuffix(strings.TrimSpace(t), "<") {
		return true // a date or an address, or an address wrapped after its "<"
	}
	word, _, found := strings.Cut(t, " ")
	if !found {
		return false
	}
	switch strings.ToLower(word) {
	case "on", "el", "le", "am", "op", "il", "em", "den", "dnia":
		return true
	}
	return len(t) > 7 && strings.EqualFold(t[:7], "w dniu ")
}

// attributionOpening is how an attribution opens in the languages whose
// attributions begin with a word ("On", "Le", "Op", …) and a date.
var attributionOpening = regexp.MustCompile(`(?i)^\s*(on|el|le|am|op|il|em|w dniu|den|dnia|no dia)\s+.*\d`)

// attributionHints are words one of which every attribution line holds;
// checking them first keeps the large expression off ordinary lines.
var attributionHints = append([]string{"@", "uhr:", "napisa", "escribi", "écrit"}, wroteVerbs...)

func attributionHint(line string) bool {
	// Lower-cased into a stack buffer when the line is short ASCII, as most
	// are: this runs on many lines and should not allocate.
	var buf [256]byte
	var l []byte
	if len(line) <= len(buf) && isASCII(line) {
		l = buf[:len(line)]
		for i := 0; i < len(line); i++ {
			c := line[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			l[i] = c
		}
	} else {
		l = []byte(strings.ToLower(line))
	}
	for _, h := range hintBytes {
		if bytes.Contains(l, h) {
			return true
		}
	}
	return false
}

var hintBytes = func() [][]byte {
	out := make([][]byte, len(attributionHints))
	for i, h := range attributionHints {
		out[i] = []byte(h)
	}
	return out
}()

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
