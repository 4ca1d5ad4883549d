// Package replytext finds the text a person wrote in an emailed reply,
// setting aside the quoted history and the signature. Pure functions; they
// run in time linear in the input.
package replytext

import (
	"regexp"
	"strings"
)

// Result is a reply split into what the author wrote and what was cut.
type Result struct {
	Reply  string
	Elided string
}

// Extract splits a plain-text reply body.
func Extract(body string) Result {
	return extract(strings.Split(normalize(body), "\n"), true)
}

func extract(lines []string, first bool) Result {
	cut := cutIndex(lines)
	if first && cut < len(lines) && blank(lines[:cut]) {
		// The history comes first (a bottom-posted reply, or an attribution
		// the client put on top): set it aside and read what follows.
		rest := skipLeadingHistory(lines[cut:])
		if !blank(rest) {
			r := extract(rest, false)
			head := tidy(lines[:len(lines)-len(rest)])
			r.Elided = strings.Trim(head+"\n"+r.Elided, "\n")
			return r
		}
	}
	kept, elided := lines[:cut], lines[cut:]
	if cut == len(lines) && allQuoted(kept) {
		return Result{Reply: tidy(kept)} // a reply that is only a quote says nothing else
	}
	kept, tail := stripTrailingQuote(kept)
	elided = append(tail, elided...)
	kept, sig := stripSignature(kept)
	elided = append(sig, elided...)
	return Result{Reply: tidy(kept), Elided: tidy(elided)}
}

func allQuoted(lines []string) bool {
	seen := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if !isQuoted(l) {
			return false
		}
		seen = true
	}
	return seen
}

var ruleLine = regexp.MustCompile(`^[\s>*]*[-=_*]{5,}[\s*]*$`)

func blank(lines []string) bool {
	for _, l := range lines {
		if strings.Trim(l, " \t\u200b\u1427") != "" {
			return false
		}
	}
	return true
}

// skipLeadingHistory drops an attribution (of up to three lines) and the
// quoted block after it.
func skipLeadingHistory(lines []string) []string {
	i := 0
	for i < len(lines) && i < 3 && !isQuoted(lines[i]) {
		end := endsWithColon(lines[i]) || attributionEnd.MatchString(lines[i]) || strings.HasSuffix(strings.TrimSpace(lines[i]), "wrote")
		i++
		if end {
			break
		}
	}
	if i < len(lines) && headerFrom.MatchString(lines[i]) {
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			i++
		}
	}
	for i < len(lines) && (isQuoted(lines[i]) || strings.TrimSpace(lines[i]) == "") {
		i++
	}
	return lines[i:]
}

func normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\u00a0", " ")
}

func tidy(lines []string) string {
	for len(lines) > 0 && (blank(lines[len(lines)-1:]) || ruleLine.MatchString(lines[len(lines)-1])) {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n ")
}

var (
	markerLine = regexp.MustCompile(`^[>\s]*##-.*-##\s*$`)
	// Attribution lines: "On <date>, <name> wrote:" and its translations.
	attribution = regexp.MustCompile(`(?i)^[>\s]*(` +
		`on\b.*\bwrote:?|` +
		`el\b.*\bescribió:?|` +
		`le\b.*\ba écrit\s*:?|` +
		`am\b.*\bschrieb.*:|` +
		`op\b.*\bschreef.*:|` +
		`il\b.*\bha scritto:?|` +
		`em\b.*\bescreveu:?|` +
		`w dniu\b.*\bpisze:?|` +
		`den\b.*\bskrev.*:|` +
		`.*(написал|написала|написав|пише|пишет)\s*:|` +
		`.*(írta|작성|ha escrit|skrev)\s*:|` +
		`.*@.*\bschrieb\b.*:|` +
		`.*\bhet volgende geschreven\s*:|` +
		`.*(写道|寫道)[：:]|` +
		`.*님이 작성:|` +
		`.*のメッセージ:|` +
		`.*[@\d].*\bwrote:?|` +
		`-{2,}\s*on\b.*\bwrote\s*-{2,}|` +
		`.*\b(kirjoitti|napisał\(a\)|napisał|napisala|napisal|a scris|yazdı|rašė|kirjutas)\s*:?|` +
		`.*\d.*<\s*[^<>\s]+@[^<>\s]+\s*>\s*:|` +
		`.*\d.*[^<>\s]+@[^<>\s]+:` +
		`)\s*$`)
	attributionStart = regexp.MustCompile(`(?i)^[>\s]*((on|el|le|am|op|il|em|w dniu|den|dnia)\s|.{0,40}[\d@])`)
	attributionEnd   = regexp.MustCompile(`(?i)((wrote|escribió|a écrit|schrieb|schreef|ha scritto|escreveu|pisze|skrev|kirjoitti|napisał|написал|написав|пише|írta|geschreven|Uhr).*:|@[^<>\s]+\s*>\s*:|wrote)\s*$`)
	separator        = regexp.MustCompile(`(?i)^[>\s*]*(-{2,}\s*(original message|ursprüngliche nachricht|mensaje original|message d'origine|messaggio originale|oorspronkelijk bericht)\s*-{2,}|-{2,}\s*forwarded message\s*-{2,}|begin forwarded message:|_{20,})[\s*]*$`)
	headerFrom       = regexp.MustCompile(`(?i)^[>\s*]*(from|de|von|van|da|od|от|发件人|寄件者|差出人)\s*[:：]\s*\S`)
	headerNext       = regexp.MustCompile(`(?i)^[>\s*]*(sent|date|to|subject|enviado|fecha|para|asunto|envoyé|à|a|objet|sujet|copie à|gesendet|an|betreff|verzonden|aan|onderwerp|inviato|data|oggetto|cc|kopie|发送时间|收件人|主题|日期|寄件日期|收件者|主旨|送信日時|宛先|件名)\s*[:：]`)
)

// cutIndex is the first line where quoted history begins, or len(lines).
func cutIndex(lines []string) int {
	for i, line := range lines {
		switch {
		case strings.Contains(line, "##-") && markerLine.MatchString(line), maybeSeparator(line) && separator.MatchString(line):
			return backUpOverAttribution(lines, i)
		case len(line) < 400 && endsWithColon(line) && !isQuoted(line) && attributionHint(line) && attribution.MatchString(line):
			return i
		case wrappedAttribution(lines, i):
			return i
		case strings.ContainsAny(line, ":：") && headerFrom.MatchString(line) && looksLikeHeaderBlock(lines[i+1:]):
			return backUpOverSeparator(lines, i)
		}
	}
	return len(lines)
}

// endsWithColon is a cheap test every attribution line passes, so the
// regular expressions run on few lines: it ends with a colon, "wrote" or a
// dash rule.
func endsWithColon(line string) bool {
	t := strings.TrimRight(line, " \t")
	return strings.HasSuffix(t, ":") || strings.HasSuffix(t, "：") || strings.HasSuffix(t, "wrote") || strings.HasSuffix(t, "--")
}

// wrappedAttribution finds an attribution a client wrapped over two or
// three lines.
func wrappedAttribution(lines []string, i int) bool {
	if len(lines[i]) > 300 || isQuoted(lines[i]) {
		return false
	}
	for k := i + 1; k <= i+2 && k < len(lines); k++ {
		if endsWithColon(lines[k]) && attributionHint(lines[k]) && attributionEnd.MatchString(lines[k]) {
			return attributionStart.MatchString(lines[i])
		}
	}
	return false
}

// attributionHints are words one of which every attribution line holds;
// checking them first keeps the large expression off ordinary lines.
var attributionHints = []string{"@", "wrote", "escribi", "écrit", "schrieb", "schreef", "scritto", "escreveu", "pisze",
	"skrev", "написал", "написав", "пише", "写道", "寫道", "작성", "のメッセージ", "kirjoitti", "napisa", "írta",
	"a scris", "yazdı", "rašė", "kirjutas", "ha escrit", "geschreven", "uhr:"}

func attributionHint(line string) bool {
	l := strings.ToLower(line)
	for _, h := range attributionHints {
		if strings.Contains(l, h) {
			return true
		}
	}
	return false
}

// maybeSeparator is a cheap test every separator line passes.
func maybeSeparator(line string) bool {
	return strings.Contains(line, "--") || strings.Contains(line, "__") || strings.HasSuffix(strings.TrimSpace(line), ":")
}

// backUpOverAttribution moves a cut at the marker or a separator up over an
// attribution line and blank lines just above it.
func backUpOverAttribution(lines []string, i int) int {
	j := i - 1
	for j >= 0 && strings.Trim(lines[j], "> \t") == "" {
		j--
	}
	if j >= 0 && endsWithColon(lines[j]) && attribution.MatchString(lines[j]) {
		return j
	}
	return i
}

func backUpOverSeparator(lines []string, i int) int {
	if i > 0 && separator.MatchString(lines[i-1]) {
		return i - 1
	}
	return i
}

// looksLikeHeaderBlock reports whether at least two of the next four lines
// are header fields, as in Outlook's quoted header.
func looksLikeHeaderBlock(next []string) bool {
	n := 0
	for i := 0; i < len(next) && i < 4; i++ {
		if headerNext.MatchString(next[i]) {
			n++
		}
	}
	return n >= 2
}

func isQuoted(line string) bool { return strings.HasPrefix(strings.TrimLeft(line, " "), ">") }

// stripTrailingQuote removes a block of '>' lines (and blank lines) that
// ends the reply: the history a bottom-quoting client left below.
func stripTrailingQuote(lines []string) (kept, cut []string) {
	i := len(lines)
	sawQuote := false
	for i > 0 {
		l := strings.TrimSpace(lines[i-1])
		if l != "" && !strings.HasPrefix(l, ">") {
			break
		}
		if strings.HasPrefix(l, ">") {
			sawQuote = true
		}
		i--
	}
	if !sawQuote {
		return lines, nil
	}
	return lines[:i], lines[i:]
}

var mobileFooter = regexp.MustCompile(`(?i)^\s*(sent from my [\w -]{1,40}|sent from [\w]+( [\w]+)?\s*(<[^>]*>)?\s*$|sent from (outlook|mail) for|get outlook for (ios|android)|enviado desde mi \w+|enviado do meu \w+|von meinem \w+ gesendet|envoyé de mon \w+|inviato da(l mio)? \w+|verzonden vanaf mijn \w+|sent from yahoo mail|sent via \w+|sent with \w+|отправлено с \w+)`)

// stripSignature cuts a "-- " signature and a mobile footer at the end.
func stripSignature(lines []string) (kept, cut []string) {
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-15; i-- {
		if t := strings.TrimRight(lines[i], " "); t == "--" || t == "-- " {
			return lines[:i], lines[i:]
		}
	}
	end := len(lines)
	for end > 0 && blank(lines[end-1:end]) {
		end--
	}
	if end > 0 && mobileFooter.MatchString(lines[end-1]) {
		return lines[:end-1], lines[end-1:]
	}
	return lines, nil
}
