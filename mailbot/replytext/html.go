package replytext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/inbucket/html2text"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ExtractHTML splits an HTML-only reply: quoted parts are removed by the
// structure mail clients give them (Gmail, Outlook, Apple Mail, Thunderbird,
// Yahoo, plain blockquotes) before the rest becomes text and goes through
// Extract.
func ExtractHTML(body string) Result {
	return ExtractHTMLWith(body, nil)
}

// ExtractHTMLWith is ExtractHTML using what opts knows of the sender.
func ExtractHTMLWith(body string, opts *Options) Result {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		text, _ := html2text.FromString(body, html2text.Options{OmitLinks: true})
		return ExtractWith(text, opts)
	}
	unwrapEmphasis(doc)
	renderedLines(doc)
	numberLists(doc)
	tableRows(doc)
	literal := literalQuoteMarks(doc)
	r := extractDoc(doc, opts)
	if literal {
		r.Reply = strings.ReplaceAll(r.Reply, literalGT, ">")
		r.Elided = strings.ReplaceAll(r.Elided, literalGT, ">")
	}
	return r
}

// literalGT stands, while the text is read, for a '>' the author typed at
// the start of a line of HTML before a figure (">1,000 EUR"): a
// comparison, not a quote. Two private-use code points, which mail does
// not hold.
const literalGT = "\ue000\ue001"

// literalQuoteMarks replaces the '>' that opens a line of text before a
// figure with literalGT and says whether it found one.
func literalQuoteMarks(n *html.Node) bool {
	found := false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode && opensLine(c) {
			if t := strings.TrimLeft(c.Data, " \t\r\n\u00a0"); strings.HasPrefix(t, ">") && comparesFigure(t[1:]) {
				i := strings.IndexByte(c.Data, '>')
				c.Data = c.Data[:i] + literalGT + c.Data[i+1:]
				found = true
			}
		}
		found = literalQuoteMarks(c) || found
	}
	return found
}

// comparesFigure says s, after a '>', is a figure (">1,000 EUR", "> 5%",
// "> €500"): a comparison, where a quote's line holds words.
func comparesFigure(s string) bool {
	r, _ := utf8.DecodeRuneInString(strings.TrimLeft(s, " =\u00a0"))
	return unicode.IsDigit(r) || unicode.Is(unicode.Sc, r)
}

// opensLine says text node n starts a line: it comes first in its block or
// after a line break.
func opensLine(n *html.Node) bool {
	p := n.PrevSibling
	for p != nil && p.Type == html.TextNode && strings.TrimSpace(p.Data) == "" {
		p = p.PrevSibling
	}
	if p == nil {
		return true
	}
	switch p.DataAtom {
	case atom.Br, atom.Div, atom.P, atom.Table, atom.Tr, atom.Ul, atom.Ol, atom.Li, atom.Pre, atom.Blockquote, atom.Hr,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// extractDoc reads a parsed HTML reply.
func extractDoc(doc *html.Node, opts *Options) Result {
	if answersBetweenQuotes(doc) {
		// An inline reply: the author wrote between quoted passages. The
		// text form keeps the quotes as "> " lines, and Extract keeps the
		// author's words between them.
		text, _ := html2text.FromHTMLNode(doc, html2text.Options{OmitLinks: true})
		return ExtractWith(dropEmptyQuoteOpenings(text), opts)
	}
	var cut []*html.Node
	collectQuotes(doc, &cut)
	// The history moves, in order, into a box of its own, so both parts
	// become text without rendering and parsing HTML again.
	box := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range cut {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
			box.AppendChild(n)
		}
	}
	text, _ := html2text.FromHTMLNode(doc, html2text.Options{OmitLinks: true})
	r := ExtractWith(text, opts)
	if box.FirstChild != nil {
		// The quote went; a line worded as its attribution that ends the
		// text stood right above it ("On Monday, Avery wrote:").
		if i := strings.LastIndexByte(r.Reply, '\n'); undatedAttribution(r.Reply[i+1:]) {
			r.Elided = strings.Trim(r.Reply[i+1:]+"\n"+r.Elided, "\n ")
			r.Reply = strings.TrimRight(r.Reply[:max(i, 0)], "\n ")
		}
		quoted, _ := html2text.FromHTMLNode(box, html2text.Options{OmitLinks: true})
		r.Elided = strings.Trim(r.Elided+"\n"+normalize(quoted), "\n ")
	}
	return r
}

// unwrapEmphasis replaces bold elements by their children, and italic ones
// that hold no text (a styled line break): the text conversion would mark
// them with '*', which the reader of the mail never saw. An emoji drawn as
// a picture (Gmail's, Outlook's) becomes the emoji its alt text is.
func unwrapEmphasis(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		unwrapEmphasis(c)
		if c.Type == html.ElementNode && c.DataAtom == atom.Img && emoji(attr(c, "alt")) {
			n.InsertBefore(&html.Node{Type: html.TextNode, Data: attr(c, "alt")}, c)
			n.RemoveChild(c)
		} else if c.Type == html.ElementNode && (c.DataAtom == atom.B || c.DataAtom == atom.Strong || (c.DataAtom == atom.I || c.DataAtom == atom.Em) && !hasText(c)) {
			for g := c.FirstChild; g != nil; g = c.FirstChild {
				c.RemoveChild(g)
				n.InsertBefore(g, c)
			}
			n.RemoveChild(c)
		}
		c = next
	}
	// The text the bold held and the text around it are one run again:
	// apart, the conversion would set a space between them ("1,200.00 ,").
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.TextNode || c.NextSibling == nil || c.NextSibling.Type != html.TextNode {
			continue
		}
		var b strings.Builder
		b.WriteString(c.Data)
		for c.NextSibling != nil && c.NextSibling.Type == html.TextNode {
			b.WriteString(c.NextSibling.Data)
			n.RemoveChild(c.NextSibling)
		}
		c.Data = b.String()
	}
}

// tableRows makes each row of a table a line and its cells words of it,
// apart by cellGap, as a browser lays them out; the text conversion would
// run a whole table into one line. A cell holding a single paragraph
// (Word writes one in each) keeps to its row's line; a cell of several
// lines (a signature set in a table) keeps them.
func tableRows(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		tableRows(c)
	}
	if n.Type != html.ElementNode || n.DataAtom != atom.Tr {
		return
	}
	n.DataAtom, n.Data = atom.Div, "div"
	first := true
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.DataAtom != atom.Td && c.DataAtom != atom.Th {
			continue
		}
		c.DataAtom, c.Data = atom.Span, "span"
		if b := onlyBlock(c); b != nil {
			b.DataAtom, b.Data = atom.Span, "span"
		}
		if !first {
			n.InsertBefore(&html.Node{Type: html.TextNode, Data: cellGap}, c)
		}
		first = false
	}
}

// cellGap stands between the cells of a table's row in the text.
const cellGap = "  "

// onlyBlock is n's one child element when it is a paragraph or a division
// with no line break nor block inside, and n holds no other text.
func onlyBlock(n *html.Node) *html.Node {
	var b *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "":
		case c.Type == html.ElementNode && (c.DataAtom == atom.P || c.DataAtom == atom.Div) && b == nil && !hasLines(c):
			b = c
		default:
			return nil
		}
	}
	return b
}

// hasLines says n holds a line break or a block.
func hasLines(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			switch c.DataAtom {
			case atom.Br, atom.Div, atom.P, atom.Table, atom.Ul, atom.Ol, atom.Li, atom.Blockquote:
				return true
			}
		}
		if hasLines(c) {
			return true
		}
	}
	return false
}

// numberLists writes the numbers of an ordered list's items, as a browser
// shows them ("2. open"), where the text conversion would mark each item
// as of a bulleted list; a reply may say "see point 2".
func numberLists(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		numberLists(c)
	}
	if n.Type != html.ElementNode || n.DataAtom != atom.Ol {
		return
	}
	num := 1
	if start, err := strconv.Atoi(strings.TrimSpace(attr(n, "start"))); err == nil {
		num = start
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.DataAtom != atom.Li {
			continue
		}
		c.DataAtom, c.Data, c.Attr = atom.Div, "div", nil
		c.InsertBefore(&html.Node{Type: html.TextNode, Data: strconv.Itoa(num) + ". "}, c.FirstChild)
		num++
	}
	n.DataAtom, n.Data = atom.Div, "div"
}

// emoji says s is a few pictographs (symbols of Unicode's "other symbol"
// class, with their joiners and modifiers).
func emoji(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 8 {
		return false
	}
	symbol := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.So, r):
			symbol = true
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Sk, r), r == '\u200d', r == '\ufe0f':
			// skin tones, joiners and presentation selectors
		default:
			return false
		}
	}
	return symbol
}

// renderedLines makes the text conversion break lines where a browser
// does: a <br> that ends a block after its text draws no empty line, and
// Word's paragraphs (class MsoNormal, as Outlook writes) have no margins,
// so they are lines, not paragraphs. A blockquote that only indents (below)
// becomes a plain block.
func renderedLines(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		renderedLines(c)
	}
	if n.Type != html.ElementNode {
		return
	}
	if n.DataAtom == atom.P && hasClass(n, "MsoNormal") || indentation(n) {
		n.DataAtom, n.Data = atom.Div, "div"
	}
	switch n.DataAtom {
	case atom.Div, atom.P, atom.Li, atom.Td, atom.Blockquote:
	default:
		return
	}
	last := n.LastChild
	for last != nil && last.Type == html.TextNode && strings.TrimSpace(last.Data) == "" {
		last = last.PrevSibling
	}
	if last != nil && last.DataAtom == atom.Br && last.PrevSibling != nil && hasText(n) {
		n.RemoveChild(last)
	}
}

// indentation is a blockquote that Gmail's and Apple Mail's "indent"
// button writes around the author's own text: no cite type, no class, and
// a style without a border ("margin:0 0 0 40px;border:none;padding:0px"),
// where a quote draws a bar.
func indentation(n *html.Node) bool {
	if n.DataAtom != atom.Blockquote || attr(n, "type") != "" || attr(n, "class") != "" {
		return false
	}
	style := strings.ReplaceAll(strings.ToLower(attr(n, "style")), " ", "")
	if !strings.Contains(style, "border:none") && !strings.Contains(style, "border:0;") && !strings.HasSuffix(style, "border:0") {
		return false
	}
	// "border:none;border-left:solid …" (Outlook re-saving a quote) draws a bar.
	for _, decl := range strings.Split(style, ";") {
		if k, v, ok := strings.Cut(decl, ":"); ok && strings.HasPrefix(k, "border-") && v != "none" && v != "0" && !strings.HasPrefix(v, "0px") {
			return false
		}
	}
	return true
}

func hasText(n *html.Node) bool {
	if n.Type == html.TextNode {
		return strings.TrimSpace(n.Data) != ""
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if hasText(c) {
			return true
		}
	}
	return false
}

// collectQuotes finds the nodes that hold quoted history. After Outlook's
// reply header everything that follows in the document is history too, at
// its own level and above (the header often sits in a wrapper of its own);
// it reports finding one so that the callers above collect what follows.
func collectQuotes(n *html.Node, out *[]*html.Node) (historyStarted bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case isQuoteNode(c):
			*out = append(*out, c)
		case isHistoryStart(c) || isRuleAboveHeader(c):
			for s := c; s != nil; s = s.NextSibling {
				*out = append(*out, s)
			}
			return true
		default:
			if collectQuotes(c, out) {
				for s := c.NextSibling; s != nil; s = s.NextSibling {
					*out = append(*out, s)
				}
				return n.Type != html.ElementNode || n.DataAtom != atom.Body
			}
		}
	}
	return false
}

// dropEmptyQuoteOpenings removes the empty "> " line the text conversion
// puts at the top of each quoted block.
func dropEmptyQuoteOpenings(text string) string {
	lines := strings.Split(normalize(text), "\n")
	out := make([]string, 0, len(lines))
	for i, l := range lines {
		if strings.TrimSpace(l) == ">" && (i == 0 || !isQuoted(lines[i-1])) {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// answersBetweenQuotes says some blockquote is followed, at its own level,
// by text of the author's: an answer written below a quoted passage. One
// pass over the tree.
func answersBetweenQuotes(doc *html.Node) bool {
	_, found := scanAnswers(doc)
	return found
}

// scanAnswers reports whether n holds any text, and whether an answer
// below a quote was found within it.
func scanAnswers(n *html.Node) (hasText, found bool) {
	if n.Type == html.TextNode {
		return strings.TrimSpace(n.Data) != "", false
	}
	afterQuote := false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		text, f := scanAnswers(c)
		if f {
			return true, true
		}
		hasText = hasText || text
		switch {
		case c.Type == html.ElementNode && c.Data == "blockquote":
			afterQuote = true
		case afterQuote && text && !isQuoteNode(c) && !isHistoryStart(c):
			return true, true
		}
	}
	return hasText, false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hasClass says n has class; Outlook on the web prefixes the classes of
// the mail it quotes with "x_", which names the same thing.
func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class || strings.TrimPrefix(c, "x_") == class {
			return true
		}
	}
	return false
}

func isQuoteNode(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch {
	case n.Data == "blockquote":
		return true
	case hasClass(n, "gmail_quote"), hasClass(n, "gmail_quote_container"), hasClass(n, "gmail_extra"), hasClass(n, "yahoo_quoted"),
		hasClass(n, "moz-cite-prefix"), hasClass(n, "protonmail_quote"), hasClass(n, "zmail_extra"):
		return true
	}
	return false
}

// isRuleAboveHeader is an <hr> followed by a quoted header block (From,
// Sent, To, Subject in any language): some clients separate the history so,
// with no id or class to name it.
func isRuleAboveHeader(n *html.Node) bool {
	if n.Type != html.ElementNode || n.Data != "hr" {
		return false
	}
	return n.NextSibling != nil && startsWithHeaderBlock(n.NextSibling)
}

// lineReader writes the text of nodes with a line break for <br> and
// block elements, enough to read a header block's shape. It reads a
// bounded number of nodes and bytes, so that asking at every <hr> of a
// long mail stays linear.
type lineReader struct {
	b     strings.Builder
	nodes int
}

func (r *lineReader) full() bool { return r.b.Len() >= 1000 || r.nodes >= 100 }

func (r *lineReader) read(n *html.Node) {
	r.nodes++
	switch {
	case n.Type == html.TextNode:
		r.b.WriteString(strings.Join(strings.Fields(n.Data), " "))
	case n.Type == html.ElementNode && n.Data == "br":
		r.b.WriteString("\n")
	}
	for c := n.FirstChild; c != nil && !r.full(); c = c.NextSibling {
		r.read(c)
	}
	if n.Type == html.ElementNode {
		switch n.Data {
		case "div", "p", "tr", "li", "table", "h1", "h2", "h3", "h4", "h5", "h6":
			r.b.WriteString("\n")
		}
	}
}

// isHistoryStart marks Outlook's reply header and separators after which
// everything is the earlier message.
func isHistoryStart(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	id := attr(n, "id")
	if id == "divRplyFwdMsg" || id == "appendonsend" || id == "x_divRplyFwdMsg" || hasClass(n, "OutlookMessageHeader") ||
		strings.EqualFold(attr(n, "data-marker"), "__QUOTED_TEXT__") {
		return true
	}
	// Outlook for Windows sets its reply header apart by a top border
	// only, with no id or class.
	return n.DataAtom == atom.Div && strings.Contains(strings.ToLower(attr(n, "style")), "border-top") && startsWithHeaderBlock(n)
}

// startsWithHeaderBlock says the text of n, and of what follows it, begins
// with a quoted header block (From, Sent, To, Subject in any language).
func startsWithHeaderBlock(n *html.Node) bool {
	var r lineReader
	for s := n; s != nil && !r.full(); s = s.NextSibling {
		r.read(s)
	}
	var lines []string
	for _, l := range strings.Split(r.b.String(), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
		if len(lines) == 6 {
			break
		}
	}
	return len(lines) > 0 && headerBlockAt(lines, 0)
}

// QuotedImages returns the content IDs (lower-cased, without "cid:") of the
// images an HTML body places in its quoted history, found by the same
// structure ExtractHTML cuts.
func QuotedImages(body string) map[string]bool {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return nil
	}
	var cut []*html.Node
	collectQuotes(doc, &cut)
	ids := map[string]bool{}
	for _, n := range cut {
		contentIDs(n, ids)
	}
	afterSeparator(doc, false, ids)
	return ids
}

// afterSeparator adds the images that follow, in the document, a
// separator line written as text ("-----Original Message-----", Outlook's
// rule of underscores), which the text reader cuts at. It reports whether
// the history has begun.
func afterSeparator(n *html.Node, history bool, ids map[string]bool) bool {
	switch {
	case n.Type == html.TextNode && !history && maybeSeparator(n.Data):
		for _, l := range strings.Split(n.Data, "\n") {
			if separator.MatchString(l) || isSeparator(l) {
				return true
			}
		}
	case history && n.Type == html.ElementNode && n.DataAtom == atom.Img:
		contentIDs(n, ids)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		history = afterSeparator(c, history, ids)
	}
	return history
}

func contentIDs(n *html.Node, ids map[string]bool) {
	if n.Type == html.ElementNode && n.DataAtom == atom.Img {
		if src := strings.ToLower(strings.TrimSpace(attr(n, "src"))); strings.HasPrefix(src, "cid:") {
			ids[strings.TrimPrefix(src, "cid:")] = true
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		contentIDs(c, ids)
	}
}
