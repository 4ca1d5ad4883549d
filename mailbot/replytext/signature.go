package replytext

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// stripSignature cuts a signature at the end: a "-- " block, a block
// under a rule with contact details, a mobile footer, or a block without a
// delimiter (a name with a title or contact lines, the sender's own name
// or address), and a confidentiality notice below it.
func stripSignature(lines []string, opts *Options) (kept, cut []string) {
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-15; i-- {
		if t := strings.TrimRight(lines[i], " "); t == "--" || t == "-- " {
			return lines[:i], lines[i:]
		}
	}
	if i := signatureUnderRule(lines); i >= 0 {
		return lines[:i], lines[i:]
	}
	end := len(lines)
	for end > 0 && blank(lines[end-1:end]) {
		end--
	}
	if end > 0 && isFooter(lines[end-1]) {
		return lines[:end-1], lines[end-1:]
	}
	if i := signatureBlock(lines[:end], opts); i >= 0 {
		return lines[:i], lines[i:]
	}
	return lines, nil
}

var (
	// sigRule is a line of dashes, underscores, equals signs, stars or
	// box-drawing rules (common around Japanese and Chinese signatures)
	// that some people and mailing lists put above a signature or footer.
	sigRule = regexp.MustCompile(`^\s*(-{4,}|_{2,}|={4,}|\*{4,}|~{4,}|[━─═＝～]{4,})\s*$`)
	// contactHint is what a signature block holds and prose rarely does.
	contactHint = regexp.MustCompile(`(?i)https?://|www\.|\S@\S+\.\w|\+?\d[\d ().-]{7,}\d|\b(tel|phone|mobile|mob|fax|skype|cell|telefon|téléphone|teléfono|telefono|tél)\b`)
)

// signatureUnderRule finds a rule line below which only a short block of
// short lines with contact details follows, and returns its index, or -1.
func signatureUnderRule(lines []string) int {
	for i := max(0, len(lines)-30); i < len(lines); i++ {
		if !sigRule.MatchString(lines[i]) || i == 0 || blank(lines[:i]) {
			continue
		}
		n, hint := 0, false
		for _, l := range lines[i+1:] {
			if strings.TrimSpace(l) == "" {
				continue
			}
			n++
			if len(l) > 80 || isQuoted(l) {
				n = 99
				break
			}
			hint = hint || contactHint.MatchString(l)
		}
		if n > 0 && n <= 15 && hint {
			return i
		}
	}
	return -1
}

// paragraph is a run of non-blank lines, [start, end).
type paragraph struct{ start, end int }

// lastParagraphs lists up to n paragraphs that end lines, last first.
func lastParagraphs(lines []string, n int) []paragraph {
	var out []paragraph
	end := len(lines)
	for len(out) < n {
		for end > 0 && blank(lines[end-1:end]) {
			end--
		}
		if end == 0 {
			break
		}
		start := end
		for start > 0 && !blank(lines[start-1:start]) {
			start--
		}
		out = append(out, paragraph{start, end})
		end = start
	}
	return out
}

// signatureBlock finds a signature without a delimiter in the last
// paragraphs of lines (which end with a non-blank line) and returns where
// it starts, or -1.
func signatureBlock(lines []string, opts *Options) int {
	paras := lastParagraphs(lines, 3)
	if len(paras) == 0 {
		return -1
	}
	cut := -1
	if len(paras) > 1 && disclaimer(lines[paras[0].start:paras[0].end]) {
		cut, paras = paras[0].start, paras[1:]
	}
	p := paras[0]
	para := lines[p.start:p.end]
	if len(paras) > 1 && endsWithColon(lines[paras[1].end-1]) {
		return cut // "Call her on:" introduces the block; it is the answer
	}
	if signatureParagraph(para, opts) {
		cut = p.start
		if len(paras) > 1 && paras[1].end-paras[1].start == 1 && isSignoff(lines[paras[1].start]) {
			cut = paras[1].start // "Regards," standing alone above the block
		}
	}
	return cut
}

// signatureParagraph says para, perhaps opened by a close such as
// "Regards,", is a signature block: the sender's name or address with more
// lines, or a name with a title or contact lines. A close with a bare name
// ("Thanks,\nDana", "-Dana") is the author's own words and stays.
func signatureParagraph(para []string, opts *Options) bool {
	if len(para) > 10 {
		return false
	}
	for _, l := range para {
		if len(l) > 100 || isQuoted(l) {
			return false
		}
	}
	signoff := isSignoff(para[0])
	body := para
	if signoff {
		body = para[1:]
	}
	if len(body) == 0 {
		return false
	}
	if len(body) > 1 && sender(opts, body) {
		return true
	}
	name := strings.TrimSpace(body[0])
	if !nameShaped(name) {
		return false
	}
	return len(body) > 1 && titleOrContact(body[1:])
}

// sender says the block opens with the sender's name or holds their
// address.
func sender(opts *Options, body []string) bool {
	if opts == nil {
		return false
	}
	first := strings.ToLower(strings.TrimSpace(body[0]))
	if n := strings.ToLower(strings.TrimSpace(opts.SenderName)); n != "" && len(strings.Fields(n)) >= 2 && strings.HasPrefix(first, n) {
		return true
	}
	if a := strings.ToLower(opts.SenderAddress); a != "" && strings.Contains(a, "@") {
		for _, l := range body {
			if strings.Contains(strings.ToLower(l), a) {
				return true
			}
		}
	}
	return false
}

// nameShaped says s looks like a person's name: one to four words, each
// capitalised (particles such as "van" or "de" aside), no digits.
func nameShaped(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 4 || len(s) > 50 {
		return false
	}
	caps := 0
	for _, w := range words {
		for i, r := range w {
			if !unicode.IsLetter(r) && !(i > 0 && strings.ContainsRune("'’.-", r)) {
				return false
			}
		}
		if unicode.IsUpper([]rune(w)[0]) {
			caps++
		} else if !particles[w] {
			return false
		}
	}
	return caps > 0
}

var particles = map[string]bool{"van": true, "de": true, "der": true, "den": true, "von": true, "la": true, "le": true, "da": true, "di": true, "del": true, "dos": true, "du": true, "bin": true, "al": true}

// titleOrContact says the lines under a name are a signature's: a job
// title, a phone number, an address, a link.
func titleOrContact(lines []string) bool {
	for _, l := range lines {
		if contactHint.MatchString(l) || jobTitle(l) {
			return true
		}
	}
	return false
}

// jobTitles are common job titles of signatures, in the languages of the
// tables' largest users; from ISCO-08 occupation titles and their usual
// short forms.
var jobTitles = []string{"ceo", "cto", "cfo", "coo", "founder", "co-founder", "owner", "president", "director", "manager", "head of",
	"engineer", "developer", "designer", "consultant", "accountant", "assistant", "officer", "partner", "analyst", "specialist",
	"coordinator", "administrator", "geschäftsführer", "geschäftsführerin", "leiter", "leiterin", "inhaber", "inhaberin",
	"directeur", "directrice", "gérant", "gérante", "responsable", "gerente", "jefe", "directora", "direttore", "direttrice",
	"eigenaar", "diretor", "diretora", "kierownik", "prezes", "dyrektor", "директор", "менеджер", "руководитель"}

func jobTitle(line string) bool {
	if len(line) > 60 {
		return false
	}
	l := " " + strings.ToLower(line) + " "
	for _, t := range jobTitles {
		if i := strings.Index(l, t); i > 0 && wordEdge(l[:i], l[i+len(t):]) {
			return true
		}
	}
	return false
}

// wordEdge says a match between before and after is a whole word.
func wordEdge(before, after string) bool {
	r1, _ := utf8.DecodeLastRuneInString(before)
	r2, _ := utf8.DecodeRuneInString(after)
	return !unicode.IsLetter(r1) && !unicode.IsLetter(r2)
}

// disclaimerWords mark a confidentiality notice; from the notices mail
// gateways append, in the tables' most common languages.
var disclaimerWords = []string{"confidential", "intended recipient", "intended solely", "vertraulich", "confidentiel", "confidencial",
	"riservat", "vertrouwelijk", "poufn", "konfidenci", "конфиденциальн", "destinatário", "destinatario"}

// disclaimer says para is a confidentiality notice: a long paragraph that
// names itself confidential.
func disclaimer(para []string) bool {
	n := 0
	for _, l := range para {
		n += len(l)
	}
	if n < 100 {
		return false
	}
	l := strings.ToLower(strings.Join(para, " "))
	for _, w := range disclaimerWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}
