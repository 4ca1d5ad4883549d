// Package replytext finds the text a person wrote in an emailed reply,
// setting aside the quoted history and the signature. Pure functions; they
// run in time linear in the input. What it knows of languages is data, in
// lang.go; the rules read the shapes of lines (shapes.go, signature.go).
package replytext

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"
)

// Result is a reply split into what the author wrote and what was cut.
type Result struct {
	Reply  string
	Elided string
}

// Options tell the reader what the mail around the body says. A nil
// *Options means nothing is known.
type Options struct {
	// SenderName and SenderAddress are the From of the reply; a block
	// below the words that names them is the sender's signature.
	SenderName    string
	SenderAddress string
}

// Extract splits a plain-text reply body.
func Extract(body string) Result {
	return ExtractWith(body, nil)
}

// ExtractWith splits a plain-text reply body, using what opts knows of
// the sender.
func ExtractWith(body string, opts *Options) Result {
	if opts == nil {
		opts = &Options{}
	}
	return extract(strings.Split(normalize(body), "\n"), opts)
}

func extract(lines []string, opts *Options) Result {
	first := true // history may open the body only before anything is kept
	// kept aliases lines until an inline reply makes it a copy; elided is
	// kept in parts and joined once, so a large body is not copied over.
	var kept []string
	var elided parts
	for {
		cut, byAttribution := cutIndex(lines)
		if first && cut < len(lines) && blank(lines[:cut]) {
			// The history comes first (a bottom-posted reply, or an
			// attribution the client put on top): set it aside and read
			// what follows.
			_, end := historyBlock(lines[cut:])
			if rest := lines[cut+end:]; !blank(rest) {
				elided.add(lines[:cut+end])
				lines, first = rest, false
				continue
			}
		}
		first = false
		if byAttribution {
			// An inline reply: the author quoted a passage and wrote below
			// it. The quote stays as context; only its attribution goes.
			attrEnd, quoteEnd := historyBlock(lines[cut:])
			if rest := lines[cut+quoteEnd:]; !blank(lines[cut+attrEnd:cut+quoteEnd]) && hasOwnText(rest) {
				kept = append(kept, lines[:cut]...)
				elided.add(lines[cut : cut+attrEnd])
				kept = append(kept, lines[cut+attrEnd:cut+quoteEnd]...)
				lines = rest
				continue
			}
		}
		if kept == nil {
			kept = lines[:cut:cut]
		} else {
			kept = append(kept, lines[:cut]...)
		}
		elided.add(lines[cut:])
		break
	}
	if allQuoted(kept) {
		if quotesHistory(kept) {
			// Only quoted history: the sender wrote nothing of their own.
			elided.front(kept)
			return Result{Elided: tidy(elided.lines())}
		}
		// A bare quote with no attribution is what the sender chose to send.
		return Result{Reply: tidy(kept), Elided: tidy(elided.lines())}
	}
	var cut []string
	kept, cut = cutAtFooter(kept)
	elided.front(cut)
	// A signature may sit below the quote a client left at the bottom, or
	// above it.
	kept, cut = stripSignature(kept, opts)
	elided.front(cut)
	kept, cut = stripTrailingQuote(kept)
	elided.front(cut)
	kept, cut = stripSignature(kept, opts)
	elided.front(cut)
	return Result{Reply: tidy(kept), Elided: tidy(elided.lines())}
}

// QuotesHistory says body holds an earlier message: a quoted passage under
// an attribution, a quoted header block or a separator.
func QuotesHistory(body string) bool {
	lines := strings.Split(normalize(body), "\n")
	cut, _ := cutIndex(lines)
	return cut < len(lines)
}

// parts is text set aside, as runs of lines in order.
type parts [][]string

func (p *parts) add(lines []string) {
	if len(lines) > 0 {
		*p = append(*p, lines)
	}
}

func (p *parts) front(lines []string) {
	if len(lines) > 0 {
		*p = append(parts{lines}, *p...)
	}
}

// lines joins the runs into one new slice; tidy may change it in place.
func (p parts) lines() []string {
	n := 0
	for _, r := range p {
		n += len(r)
	}
	out := make([]string, 0, n)
	for _, r := range p {
		out = append(out, r...)
	}
	return out
}

// cutAtFooter cuts at a mobile app's footer line that opens or ends a
// paragraph with more text after it: the app put the answered message
// below without quoting it.
func cutAtFooter(kept []string) (rest, cut []string) {
	for i := 1; i < len(kept)-1; i++ {
		if (blank(kept[i-1:i]) || blank(kept[i+1:i+2])) && isFooter(kept[i]) {
			return kept[:i], kept[i:]
		}
	}
	return kept, nil
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

// quotesHistory says a quoted block opens with an attribution ("> On …
// wrote:"), the mark of a client quoting the message answered.
func quotesHistory(lines []string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		return endsWithColon(l) && attributionHint(l) && attribution.MatchString(l)
	}
	return false
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

// historyBlock measures the history that opens lines: an attribution (of
// up to three lines, perhaps followed by a header block) ends at attrEnd,
// the quoted block after it at quoteEnd.
func historyBlock(lines []string) (attrEnd, quoteEnd int) {
	i := 0
	for i < len(lines) && i < 3 && !isQuoted(lines[i]) {
		end := endsWithColon(lines[i])
		i++
		if end {
			break
		}
	}
	if i < len(lines) && headerBlockAt(lines, i) {
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			i++
		}
	}
	attrEnd = i
	for i < len(lines) && (isQuoted(lines[i]) || strings.TrimSpace(lines[i]) == "" || wrappedQuoteLine(lines, i)) {
		i++
	}
	return attrEnd, i
}

// wrappedQuoteLine says line i is the tail of a quoted line that a client
// wrapped without repeating the ">": it stands between two quoted lines.
func wrappedQuoteLine(lines []string, i int) bool {
	return i > 0 && i+1 < len(lines) && isQuoted(lines[i-1]) && isQuoted(lines[i+1]) &&
		strings.Trim(lines[i-1], "> \t") != ""
}

// hasOwnText says lines, which follow a quoted block, begin with text of
// the author's own rather than more history or only a signature.
func hasOwnText(lines []string) bool {
	cut, _ := cutIndex(lines)
	own, _ := stripSignature(lines[:cut], nil)
	return !blank(own) && !allQuoted(own)
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
		`.*[@\d].*\bwrote:?|` +
		`-{2,}\s*on\b.*\bwrote\s*-{2,}|` +
		`.*\b(kirjoitti|napisał\(a\)|napisał|napisala|napisal|a scris|yazdı|rašė|kirjutas)\s*:?|` +
		`.*\d.*<\s*[^<>\s]+@[^<>\s]+\s*>\s*:|` +
		`.*\d.*[^<>\s]+@[^<>\s]+:` +
		`)\s*$`)
	separator = regexp.MustCompile(`(?i)^[>\s*]*(-{2,}\s*(original message|ursprüngliche nachricht|mensaje original|message d'origine|messaggio originale|oorspronkelijk bericht)\s*-{2,}|-{2,}\s*forwarded message\s*-{2,}|begin forwarded message:|_{20,})[\s*]*$`)
)

// cutIndex is the first line where quoted history begins, or len(lines);
// byAttribution says an attribution line ("On … wrote:") begins it.
func cutIndex(lines []string) (cut int, byAttribution bool) {
	inFence := false
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence // text between fences is code the author quotes, never history
			continue
		}
		if inFence {
			continue
		}
		item := isListItem(line)
		switch {
		case strings.Contains(line, "##-") && markerLine.MatchString(line), maybeSeparator(line) && (separator.MatchString(line) || isSeparator(line)):
			return backUpOverAttribution(lines, i), false
		case !item && !isQuoted(line) && isAttribution(line):
			return i, true
		case !item && (wrappedAttribution(lines, i) || joinedAttribution(lines, i) || addressAttribution(lines, i)):
			return i, true
		case hasColon(line) && headerBlockAt(lines, i):
			return backUpOverSeparator(lines, i), false
		}
	}
	return len(lines), false
}

// isAttribution says line alone is an attribution ("On … wrote:").
func isAttribution(line string) bool {
	return len(line) < 400 && endsWithColon(line) && attributionHint(line) && (verbAttribution(line) || attribution.MatchString(line))
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
	if len(line) > 250 || strings.IndexByte(line, '@') < 0 || isQuoted(line) || i+1 == len(lines) || !isQuoted(lines[i+1]) {
		return false
	}
	if endsWithColon(line) {
		return true
	}
	k, ok := headerField(line)
	return ok && k&fieldFrom != 0
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
			if k == i+2 && attributionOpening.MatchString(lines[i+1]) {
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
	if strings.IndexFunc(head, func(r rune) bool { return r == '@' || unicode.IsDigit(r) }) >= 0 {
		return true
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

// backUpOverSeparator moves a cut at a header block's From line up over a
// separator or a header line some clients put first ("Date:", "Message du :").
func backUpOverSeparator(lines []string, i int) int {
	for i > 0 && (separator.MatchString(lines[i-1]) || isSeparator(lines[i-1]) || dashTitle(lines[i-1]) || isHeaderField(lines[i-1])) {
		i--
	}
	return i
}

// isQuoted says line is a quote: '>' (or a Supercite "AB>" prefix), or
// '|' when the line is no table row. Indented by four spaces or more it is
// a code block instead.
func isQuoted(line string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) >= 4 || t == "" {
		return false
	}
	switch {
	case t[0] == '>':
		return true
	case t[0] == '|':
		return !strings.HasSuffix(strings.TrimRight(t, " \t"), "|") || len(t) == 1
	}
	return supercite(t)
}

// supercite is a quote prefixed by the initials of the quoted ("JD> ").
func supercite(t string) bool {
	for i := 0; i < len(t) && i < 4; i++ {
		c := t[i]
		switch {
		case c == '>' && i > 0:
			return i+1 == len(t) || t[i+1] == ' '
		case c < 'A' || c > 'Z':
			return false
		}
	}
	return false
}

// isListItem says line is an item of a numbered or bulleted list ("1. ",
// "- ", "• "), which an attribution never is.
func isListItem(line string) bool {
	t := strings.TrimLeft(line, " \t")
	n := 0
	for n < len(t) && n < 4 && '0' <= t[n] && t[n] <= '9' {
		n++
	}
	switch {
	case n > 0 && n <= 3 && n < len(t) && (t[n] == '.' || t[n] == ')'):
		t = t[n+1:]
	case n == 0 && (strings.HasPrefix(t, "-") || strings.HasPrefix(t, "*")):
		t = t[1:]
	case n == 0 && strings.HasPrefix(t, "•"):
		t = t[len("•"):]
	default:
		return false
	}
	return t != "" && (t[0] == ' ' || t[0] == '\t')
}

// stripTrailingQuote removes a block of '>' lines (and blank lines) that
// ends the reply: the history a bottom-quoting client left below.
func stripTrailingQuote(lines []string) (kept, cut []string) {
	i := len(lines)
	sawQuote := false
	for i > 0 {
		quoted := isQuoted(lines[i-1])
		if strings.TrimSpace(lines[i-1]) != "" && !quoted {
			break
		}
		sawQuote = sawQuote || quoted
		i--
	}
	if !sawQuote {
		return lines, nil
	}
	return lines[:i], lines[i:]
}
