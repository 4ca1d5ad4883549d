package web

import (
	"html/template"
	"strconv"
	"strings"
)

// htmlBuf writes the long repeated parts of a page (table rows, a
// thread's messages) by hand. html/template escapes each value through
// reflection, which cost most of a page of a few hundred rows; these parts
// are written here with the same escaping and handed to the page's
// template as HTML.
//
// Every value goes through text, which escapes it for element text and for
// double-quoted attribute values alike; raw is only for markup written in
// this package and for HTML made safe elsewhere (msgtext).
type htmlBuf struct{ b []byte }

func newHTMLBuf(size int) *htmlBuf { return &htmlBuf{b: make([]byte, 0, size)} }

// raw appends markup as it is.
func (h *htmlBuf) raw(s string) { h.b = append(h.b, s...) }

// text appends s escaped as html/template escapes text and quoted
// attribute values: the same bytes a template would have written.
func (h *htmlBuf) text(s string) { h.b = appendEscaped(h.b, s) }

// path appends a link to a page of this site, escaped as text: only a path
// from the root ("/companies/1/…") is written, anything else (another
// site, a "javascript:" URL) becomes "#".
func (h *htmlBuf) path(p string) {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		p = "#"
	}
	h.text(p)
}

// txnLink appends a link to a transaction's page, named by its kind and
// number; fragment ("#activities") may be empty.
func (h *htmlBuf) txnLink(companyID, txnID int64, fragment, kind, number string) {
	h.raw(`<a href="/companies/`)
	h.int(companyID)
	h.raw("/transactions/")
	h.int(txnID)
	h.raw(fragment)
	h.raw(`">`)
	h.text(kind)
	h.raw(" ")
	h.text(number)
	h.raw("</a>")
}

// int appends a number.
func (h *htmlBuf) int(n int64) { h.b = strconv.AppendInt(h.b, n, 10) }

// html is what was written, for a template.
func (h *htmlBuf) html() template.HTML { return template.HTML(h.b) }

// escapes is html/template's table for text and quoted attributes (its
// htmlReplacementTable): other bytes, UTF-8 or not, pass as they are.
var escapes = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if int(c) >= len(escapes) || escapes[c] == "" {
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, escapes[c]...)
		last = i + 1
	}
	return append(b, s[last:]...)
}
