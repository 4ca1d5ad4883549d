// Package replytext finds the text a person wrote in an emailed reply,
// setting aside the quoted history and the signature. Pure functions; they
// run in time linear in the input. What it knows of languages is data, in
// lang.go; the rules read the shapes of lines (shapes.go, signature.go).
package replytext

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
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
			// what follows. When the author answers passage by passage,
			// the first passage is a question answered like the others:
			// only its attribution goes.
			attrEnd, end := historyBlock(lines[cut:])
			if rest := lines[cut+end:]; !blank(rest) {
				if byAttribution && !blank(lines[cut+attrEnd:cut+end]) && answersPassages(rest) {
					elided.add(lines[:cut+attrEnd])
					kept = append(kept, lines[cut+attrEnd:cut+end]...)
				} else {
					elided.add(lines[:cut+end])
				}
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
	if len(cut) > 0 {
		kept, cut = stripSignature(kept, opts)
		elided.front(cut)
	}
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
			if ps := postscriptAt(kept); ps > i && blank(kept[i+1:ps]) {
				return kept, nil // the author's postscript follows: stripSignature keeps it
			}
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
// wrapped without repeating the ">": it stands between two quoted lines,
// and it goes on in lower case, or the long quoted line above it breaks
// off mid-sentence. An answer between two quoted questions is no tail.
func wrappedQuoteLine(lines []string, i int) bool {
	if i == 0 || i+1 >= len(lines) || !isQuoted(lines[i-1]) || !isQuoted(lines[i+1]) {
		return false
	}
	above := strings.Trim(lines[i-1], "> \t")
	if above == "" {
		return false
	}
	if first, _ := utf8.DecodeRuneInString(strings.TrimSpace(lines[i])); unicode.IsLower(first) {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(above)
	return len(above) >= 60 && !strings.ContainsRune(".?!:。？！", last)
}

// answersPassages says lines, which follow a quoted passage, hold the
// author's words, then another quoted passage, then words again: answers
// written between the passages of the message answered.
func answersPassages(lines []string) bool {
	state := 0 // 0: before own words, 1: after them, 2: after a quote that follows them
	for _, l := range lines {
		switch {
		case strings.TrimSpace(l) == "":
		case isQuoted(l):
			if state == 1 {
				state = 2
			}
		case state == 2:
			return true
		default:
			state = max(state, 1)
		}
	}
	return false
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
	separator  = regexp.MustCompile(`(?i)^[>\s*]*(-{2,}\s*(original message|ursprüngliche nachricht|mensaje original|message d'origine|messaggio originale|oorspronkelijk bericht)\s*-{2,}|-{2,}\s*forwarded message\s*-{2,}|begin forwarded message:|_{20,})[\s*]*$`)
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
		case strings.Contains(line, "##-") && markerLine.MatchString(line),
			maybeSeparator(line) && (separator.MatchString(line) || isSeparator(line)) && !(underscoreRule(line) && figuresBelow(lines, i)):
			return backUpOverAttribution(lines, i), false
		case !item && !isQuoted(line) && isAttribution(line):
			return i, true
		case !item && (wrappedAttribution(lines, i) || joinedAttribution(lines, i) || nameWroteAttribution(lines, i)):
			return i, true
		case addressAttribution(lines, i): // also as a list item: mutt's "* Name <addr> [date]:"
			return i, true
		case hasColon(line) && (headerBlockAt(lines, i) || runOnHeader(line)):
			return backUpOverSeparator(lines, i), false
		case strings.HasPrefix(line, ">>>") && groupWiseHeader(line):
			return i, false
		}
	}
	return len(lines), false
}

// underscoreRule is a line of underscores only, as Outlook draws above
// the header of the message answered, and people draw above a total.
func underscoreRule(line string) bool {
	return strings.Contains(line, "__") && strings.Trim(line, "_>* \t") == ""
}

// figuresBelow says the first line after line i that is not blank is a
// short line of figures, a total under the rule drawn above it ("Total
// 920"), and no header block or attribution follows the rule.
func figuresBelow(lines []string, i int) bool {
	for j := i + 1; j < len(lines) && j <= i+3; j++ {
		if blank(lines[j : j+1]) {
			continue
		}
		l := lines[j]
		return len(l) < 60 && strings.ContainsFunc(l, unicode.IsDigit) && !isQuoted(l) && !isHeaderField(l) && !isAttribution(l) && !runOnHeader(l)
	}
	return false
}

// maybeSeparator is a cheap test every separator line passes.
func maybeSeparator(line string) bool {
	return strings.Contains(line, "--") || strings.Contains(line, "__") || strings.HasSuffix(strings.TrimSpace(line), ":") ||
		strings.Contains(line, "\u2010\u2010")
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
