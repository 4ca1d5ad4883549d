package replytext

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// stripSignature cuts a signature at the end: a "-- " block, a block
// under a rule with contact details, a mobile footer, or a block without a
// delimiter (a name with a title or contact lines, the sender's own name
// or address), and a confidentiality notice below it.
func stripSignature(lines []string, opts *Options) (kept, cut []string) {
	// A postscript below the signature is the author's: the signature is
	// looked for above it, and the postscript stays.
	kept, cut = stripSignatureAbove(lines, opts)
	if ps := postscriptAt(lines); ps > 0 && (len(cut) == 0 || len(kept) <= ps) {
		// No cut below the postscript, or one that would take it: look
		// above it instead.
		kept, cut = stripSignatureAbove(lines[:ps], opts)
		if len(cut) == 0 {
			return lines, nil
		}
		return append(kept[:len(kept):len(kept)], lines[ps:]...), cut
	}
	return kept, cut
}

// postscriptAt is where a paragraph opening with a postscript ("PS:")
// starts among the last lines, or -1.
func postscriptAt(lines []string) int {
	for i := len(lines) - 1; i > 0 && i >= len(lines)-15; i-- {
		if blank(lines[i-1:i]) && postscript(lines[i]) {
			return i
		}
	}
	return -1
}

// stripSignatureAbove is stripSignature for lines that end with no
// postscript.
func stripSignatureAbove(lines []string, opts *Options) (kept, cut []string) {
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-15; i-- {
		if sigDelimiter(lines[i]) && (!blank(lines[:i]) || lines[i] == "-- " || signatureParagraph(nonBlank(lines[i+1:]), opts) || signatureLines(nonBlank(lines[i+1:]))) {
			// With nothing above, "--" may open the answer: only RFC
			// 3676's "-- " or a signature below it is one.
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

// sigDelimiter is the line above a signature: "-- " (RFC 3676), or "--"
// and "__" as clients and people also write it.
func sigDelimiter(line string) bool {
	t := strings.TrimRight(line, " ")
	return t == "--" || t == "__"
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
		if below := withoutRules(nonBlank(lines[i+1:])); n > 0 && n <= 15 && hint && len(below) > 0 &&
			(signatureParagraph(below, nil) || signatureLines(below) || slices.ContainsFunc(below[:min(2, len(below))], func(l string) bool {
				return !isSignoff(l) && personName(stripNamePrefix(strings.TrimSpace(l))) // a company's name may come first
			})) {
			return i
		}
	}
	return -1
}

// withoutRules drops the rule lines of lines.
func withoutRules(lines []string) []string {
	out := lines[:0:0]
	for _, l := range lines {
		if !sigRule.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
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

// signatureBlock finds a signature without a delimiter at the end of
// lines (which end with a non-blank line) and returns where it starts, or
// -1. The block may run over several paragraphs (HTML mail often sets each
// line apart), below notices such as a confidentiality disclaimer or the
// company's registration, which go with it.
func signatureBlock(lines []string, opts *Options) int {
	paras := lastParagraphs(lines, 8)
	if len(paras) == 0 {
		return -1
	}
	notice := -1
	for len(paras) > 1 && notices(lines[paras[0].start:paras[0].end]) {
		notice, paras = paras[0].start, paras[1:]
	}
	cut, end := -1, paras[0].end
	for k, p := range paras {
		if k == 5 || !shortLines(lines[p.start:p.end]) {
			break
		}
		if k+1 < len(paras) && endsWithColon(lines[paras[k+1].end-1]) {
			break // "Call her on:" introduces the block; it is the answer
		}
		if k > 0 && (blank(lines[:p.start]) || slices.ContainsFunc(lines[p.start:p.end], asks)) {
			// A signature spanning paragraphs never is the whole reply,
			// nor holds a question: "Hallo Adam\n\nGut, und dir?\n\nEva"
			// above a block is the answer.
			break
		}
		if k > 0 && closing(lines[p.start:p.end]) {
			// "Thanks,\nDana" is her own words; below it, a block of
			// her name, company and numbers is the signature.
			if below := nonBlank(lines[paras[k-1].start:end]); signatureParagraph(below, opts) ||
				signatureLines(below) && !someoneElse(opts, stripNamePrefix(strings.TrimSpace(below[0]))) {
				cut = paras[k-1].start
			}
			break
		}
		block := nonBlank(lines[p.start:end])
		if len(block) == 0 || len(block) > 14 {
			break
		}
		// A block that spans paragraphs, or would leave nothing above it,
		// must open as a signature does: "Yes" above a name is an answer.
		// Leaving nothing, it must be more than a name and a number, which
		// may be what was asked for.
		if (k > 0 || blank(lines[:p.start])) && !blockOpening(block[0], opts) || !signatureParagraph(block, opts) ||
			blank(lines[:p.start]) && len(block) < 3 && notice < 0 {
			continue
		}
		if k == 0 && len(paras) > 1 && contactEntry(block, opts) && contactEntry(nonBlank(lines[paras[1].start:paras[1].end]), opts) {
			break // two blocks of the same shape: a list of contacts, not a signature
		}
		cut = p.start
		if above := k + 1; above < len(paras) && paras[above].end-paras[above].start == 1 && isSignoff(lines[paras[above].start]) &&
			!blank(lines[:paras[above].start]) {
			cut = paras[above].start // "Regards," standing alone above the block
		}
	}
	if above := strings.TrimSpace(lines[max(0, paras[0].start-2)]); cut < 0 && len(paras) > 1 && paras[0].end-paras[0].start <= 2 &&
		!endsWithColon(above) && (isSignoff(above) || nameShaped(stripNamePrefix(above))) {
		// A number or an address alone below a close or a name:
		// "Regards,\nQuinn\n\ntel. 601 234 567".
		only := true
		for _, l := range lines[paras[0].start:paras[0].end] {
			only = only && contactOnly(l)
		}
		if only {
			cut = paras[0].start
		}
	}
	if cut < 0 || blank(lines[:cut]) && notice < 0 {
		// A block with nothing above it is what the author sent (a
		// contact asked for, a company's details), unless a notice
		// below shows the mail client put it there.
		return notice
	}
	return cut
}

// companyForms are the legal forms that end a company's name.
var companyForms = []string{"gmbh", "mbh", "ag", "kg", "ltd", "ltd.", "llc", "inc", "inc.", "plc", "s.a.", "s.l.", "s.a.s.", "sarl", "s.r.l.", "s.p.a.",
	"b.v.", "n.v.", "a/s", "as", "ab", "oy", "sp. z o.o.", "s.r.o.", "kft.", "zrt.", "a.ş.", "ltda", "ltda.", "s.a", "pty", "co.", "corp", "corp."}

// signatureLines says lines are a signature of company details: short,
// and at least half of them a contact, a title, a legal notice or a
// company's name.
func signatureLines(lines []string) bool {
	if len(lines) == 0 || len(lines) > 12 {
		return false
	}
	hints := 0
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if len(t) > 100 || isQuoted(l) || postscript(t) {
			return false
		}
		if contactHint.MatchString(t) || jobTitle(t) || legalNotice([]string{t}) || companyName(t) {
			hints++
		}
	}
	return 2*hints >= len(lines)
}

// postscript says line opens a postscript ("PS:", "P.S.", "PPS:", "PS the
// other invoice…"), which the author writes below their name and never is
// a signature's ("PS Logistics GmbH" is a company).
func postscript(line string) bool {
	t := strings.TrimSpace(line)
	u := strings.ToUpper(t)
	for _, p := range []string{"P.S", "P. S.", "PS:", "PS.", "PS -", "PS –", "PPS:", "PPS.", "P.P.S"} {
		if strings.HasPrefix(u, p) {
			return true
		}
	}
	if rest, ok := strings.CutPrefix(t, "PS "); ok {
		r, _ := utf8.DecodeRuneInString(rest)
		return unicode.IsLower(r) || strings.HasPrefix(rest, "I ")
	}
	return false
}

// companyName says line ends with a company's legal form ("Example Ltd").
func companyName(line string) bool {
	words := strings.Fields(strings.ToLower(line))
	if len(words) < 2 || len(words) > 8 {
		return false
	}
	last := strings.TrimRight(words[len(words)-1], ",")
	for _, f := range companyForms {
		if last == f || strings.HasSuffix(strings.Join(words, " "), " "+f) {
			return true
		}
	}
	return false
}

// contactEntry says para is a person's name with their contact details,
// as an entry of a list of contacts is.
func contactEntry(para []string, opts *Options) bool {
	return len(para) > 1 && !isSignoff(para[0]) && !companyName(para[0]) && signatureParagraph(para, opts) &&
		slices.ContainsFunc(para[1:], contactHint.MatchString)
}

// companyMarks name a company in the scripts without capitals, where a
// legal form stands before or inside the name.
var companyMarks = []string{"(주)", "㈜", "株式会社", "有限会社", "有限公司", "股份有限公司", "公司", "شركة", "חברת", "בע\"מ", "บริษัท", "कंपनी", "công ty"}

func companyMark(line string) bool {
	if companyName(line) {
		return true
	}
	for _, m := range companyMarks {
		if strings.Contains(line, m) {
			return true
		}
	}
	return false
}

// closing says para is a close and a bare name ("Thanks,\nDana").
func closing(para []string) bool {
	return len(para) == 2 && isSignoff(para[0]) && personName(stripNamePrefix(strings.TrimSpace(para[1])))
}

// blockOpening says line may open a signature that runs over paragraphs: a
// closing formula, a name of two words or more, or the sender's name. A
// one-word line ("Yes") could be the answer itself.
func blockOpening(line string, opts *Options) bool {
	if isSignoff(line) || sender(opts, []string{line}) {
		return true
	}
	name := stripNamePrefix(strings.TrimSpace(line))
	return len(strings.Fields(name)) >= 2 && nameShaped(name) // a short line of a caseless script could be a sentence
}

// asks says line ends as a question does, in any script.
func asks(line string) bool {
	t := strings.TrimRight(line, " \t")
	return strings.HasSuffix(t, "?") || strings.HasSuffix(t, "？") || strings.HasSuffix(t, "؟")
}

// shortLines says para holds only lines a signature's could be.
func shortLines(para []string) bool {
	if len(para) > 10 {
		return false
	}
	for _, l := range para {
		if len(l) > 100 || isQuoted(l) {
			return false
		}
	}
	return true
}

// nonBlank is lines without the blank ones, blank as lastParagraphs sees it.
func nonBlank(lines []string) []string {
	out := make([]string, 0, len(lines))
	for i := range lines {
		if !blank(lines[i : i+1]) {
			out = append(out, lines[i])
		}
	}
	return out
}

// signatureParagraph says para, perhaps opened by a close such as
// "Regards,", is a signature block: the sender's name or address with more
// lines, or a name with a title or contact lines. A close with a bare name
// ("Thanks,\nDana", "-Dana") is the author's own words and stays.
func signatureParagraph(para []string, opts *Options) bool {
	if len(para) == 0 || len(para) > 14 {
		return false
	}
	for _, l := range para {
		if len(l) > 100 || isQuoted(l) || postscript(l) {
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
	// Japanese, Chinese and Korean signatures often name the company
	// first, then the department and the person ("さくら食品株式会社 /
	// 経理部 山本 美咲").
	company := len(body) > 2 && companyMark(body[0]) && !nameShaped(body[0])
	if company {
		body = body[1:]
	}
	name := stripNamePrefix(strings.TrimSpace(body[0]))
	if someoneElse(opts, name) {
		return false // "Call Jane Roe / +44 …": a contact the sender gives
	}
	switch {
	case nameShaped(name):
	case caselessName(name):
		// Without capitals, a short line may be a label ("转账编号") above
		// a number: only a close above, a company or a title makes it a
		// name.
		if !signoff && !company && !slices.ContainsFunc(body[1:], jobTitle) && !slices.ContainsFunc(body[1:], companyMark) {
			return false
		}
	default:
		return false
	}
	return len(body) > 1 && titleOrContact(body[1:])
}

// namePrefixes stand before a name in a signature: German "i. A." (on
// behalf of), "i. V." (standing in), "ppa." (by procuration).
var namePrefixes = []string{"i. a. ", "i.a. ", "i. v. ", "i.v. ", "ppa. ", "pp. ", "p.p. "}

func stripNamePrefix(s string) string {
	l := strings.ToLower(s)
	for _, p := range namePrefixes {
		if strings.HasPrefix(l, p) {
			return strings.TrimSpace(s[len(p):])
		}
	}
	return s
}

// personName says s is a name: capitalised words (nameShaped), or one to
// four words of a script without capitals (Arabic, Hebrew, Thai, Chinese,
// Japanese, Korean, Devanagari).
func personName(s string) bool {
	return nameShaped(s) || caselessName(s)
}

// caselessName is a name in a script without capitals: two to four
// words (Arabic, Hebrew, Thai, Devanagari), or two to four characters a
// word (Chinese, Japanese, Korean: "林志明", "山本 美咲").
func caselessName(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 4 || utf8.RuneCountInString(s) > 30 || isSignoff(s) {
		return false
	}
	han := 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '-' || r == '·' || r == '\u200f' || r == '\u200e':
		case isCJK(r):
			han++
		case unicode.IsLetter(r) && !unicode.IsUpper(r) && !unicode.IsLower(r):
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r): // vowel signs of Thai, Devanagari
		default:
			return false
		}
	}
	if han > 0 {
		for _, w := range words {
			if n := utf8.RuneCountInString(w); n > 4 || len(words) == 1 && n < 2 {
				return false
			}
		}
		return true
	}
	return len(words) >= 2
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

// someoneElse says name is a person's full name that shares no word with
// the sender's, when the sender is known as a person (a name whose word
// is in their address, "Dana Harbor <dana@…>", not a shared mailbox such
// as "Accounts Payable <ap@…>"): a block opened by it is no signature of
// theirs.
func someoneElse(opts *Options, name string) bool {
	if opts == nil || !nameShaped(name) || len(strings.Fields(name)) < 2 || companyName(name) {
		return false
	}
	local, _, _ := strings.Cut(strings.ToLower(opts.SenderAddress), "@")
	own := nameParts(opts.SenderName)
	if len(own) < 2 || !nameShaped(opts.SenderName) || !slices.ContainsFunc(own, func(w string) bool { return len(w) > 2 && strings.Contains(local, w) }) {
		return false
	}
	for _, w := range nameParts(name) {
		if w = strings.Trim(w, ".,"); len(w) > 1 && (slices.Contains(own, w) || len(w) > 2 && strings.Contains(local, w)) {
			return false
		}
	}
	return true
}

// nameParts are the lower-cased words of a name, a double-barrelled one's
// parts apart ("Jones-Smith").
func nameParts(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return unicode.IsSpace(r) || r == '-' })
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
// tables; from ISCO-08 occupation titles and their usual short forms.
var jobTitles = []string{"bookkeeper", "controller", "treasurer", "clerk", "buchhalter", "buchhalterin", "buchhaltung", "kreditorenbuchhaltung",
	"comptable", "contable", "contador", "contadora", "contabile", "boekhouder", "contabilista", "księgowa", "księgowy", "bogholder",
	"redovisningsekonom", "kirjanpitäjä", "účetní", "könyvelő", "contabil", "бухгалтер", "бухгалтерія", "muhasebe", "λογιστής",
	"محاسب", "محاسبة", "مدير", "مديرة", "רואה חשבון", "מנהל", "מנהלת", "会计", "會計", "经理", "經理", "财务", "財務", "経理", "部長", "課長",
	"회계", "팀장", "부장", "ฝ่ายบัญชี", "ผู้จัดการ", "लेखाकार", "प्रबंधक", "kế toán", "giám đốc", "akuntan", "manajer",
	"ceo", "cto", "cfo", "coo", "founder", "co-founder", "owner", "president", "director", "manager", "head of",
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

// disclaimerWords mark a confidentiality notice: the word "confidential"
// and "intended recipient" in the languages of the tables, as mail
// gateways append them.
var disclaimerWords = []string{"confidential", "intended recipient", "intended solely", "vertraulich", "confidentiel", "confidencial",
	"riservat", "vertrouwelijk", "poufn", "konfidenci", "конфиденциальн", "destinatário", "destinatario", "fortrolig", "konfidentiell",
	"sekretess", "konfidensiell", "luottamuksellinen", "důvěrn", "dôvern", "bizalmas", "confidențial", "gizli bilgi", "εμπιστευτικ",
	"конфіденційн", "поверителн", "機密情報", "保密", "기밀", "معلومات سرية", "חסוי", "rahasia", "bảo mật", "ข้อมูลลับ"}

// disclaimer says para is a confidentiality notice: a long paragraph that
// names itself confidential.
func disclaimer(para []string) bool {
	n := 0
	for _, l := range para {
		n += utf8.RuneCountInString(l)
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

// legalTerms are what a company's registration line holds, as commercial
// law asks it to be printed on business mail: register, court, number,
// managing directors, tax ids.
var legalTerms = []string{"geschäftsführer", "geschäftsführung", "amtsgericht", "registergericht", "handelsregister", "hrb ", "ust-id",
	"sitz der gesellschaft", "registered in", "registered office", "company no", "company number", "company reg", "vat no", "vat reg",
	"siret", "rcs ", "capital social", "registro mercantil", "cif:", "nif:", "partita iva", "p.iva", "registro imprese", "kvk", "btw-nummer",
	"cvr", "org.nr", "org. nr", "organisationsnummer", "organisasjonsnummer", "krs", "nip:", "regon", "ičo", "dič", "y-tunnus"}

// legalNotice says para is a company's registration notice: short, each
// line opening with a register, a number or the directors, or naming two
// of them; a sentence that names a tax id is not one.
func legalNotice(para []string) bool {
	if len(para) > 4 {
		return false
	}
	for _, l := range para {
		if len(l) > 300 {
			return false
		}
		low := strings.ToLower(strings.TrimSpace(l)) + " "
		found, opens := 0, false
		for _, t := range legalTerms {
			if i := strings.Index(low, t); i >= 0 {
				found++
				opens = opens || i == 0
			}
		}
		if !opens && found < 2 {
			return false
		}
	}
	return true
}

// contactLabels name a contact line's kind in the tables' languages.
var contactLabels = regexp.MustCompile(`(?i)^(telefone|telefono|telefon|teléfono|téléphone|телефон|טלפון|tél\.?|tel\.?|tlf\.?|phone|mobile|mob\.?|cell|fax|e-mail|email|mail|web|skype|puh\.?|тел\.?|電話|电话|手机|전화|هاتف|טל|โทร)\s*[:.]?\s*`)

// contactOnly says line is only a contact: a number, an address or a link,
// perhaps after a label ("tel. 601 234 567").
func contactOnly(line string) bool {
	t := strings.TrimSpace(contactLabels.ReplaceAllString(strings.TrimSpace(line), ""))
	if t == "" || len(t) > 80 {
		return false
	}
	rest := strings.Trim(contactHint.ReplaceAllString(t, ""), " ,;|/·-")
	return rest == "" && t != strings.TrimSpace(line) || rest == "" && strings.ContainsAny(t, "@/")
}

// notices says para is a notice mail systems or companies append below a
// signature: a confidentiality disclaimer or a registration notice.
func notices(para []string) bool {
	return disclaimer(para) || legalNotice(para)
}
