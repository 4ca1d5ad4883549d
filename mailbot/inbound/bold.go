package inbound

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// unstarBold undoes what Gmail does to bold text when it writes the plain
// alternative of an HTML mail: "*PO 4500018823*" for <b>PO 4500018823</b>.
// Only spans the HTML sets in bold lose their stars, so stars a person
// typed stay.
func unstarBold(text, htmlBody string) string {
	if !strings.Contains(text, "*") || htmlBody == "" {
		return text
	}
	doc, err := html.Parse(strings.NewReader(htmlBody))
	if err != nil {
		return text
	}
	var bold []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil && len(bold) < maxBoldSpans; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.DataAtom == atom.B || c.DataAtom == atom.Strong) {
				if t := strings.Join(strings.Fields(textOf(c)), " "); t != "" && len(t) <= 200 {
					bold = append(bold, t)
				}
				continue
			}
			walk(c)
		}
	}
	walk(doc)
	for _, b := range bold {
		text = strings.ReplaceAll(text, "*"+b+"*", b)
	}
	return text
}

// maxBoldSpans bounds the work a mail of many bold spans can cause: each
// is looked for in the whole text.
const maxBoldSpans = 200

// textOf is the text n holds.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}
