package inbound

import (
	"strings"
	"testing"
)

// The text a mail is read as: the text parts of a mail are shown one
// after the other, as Apple Mail sends words, a picture and more words (its
// HTML parts likewise), while an alternative's parts say one text twice;
// Gmail's plain alternative marks bold text with stars the author never
// typed, which go for spans bold in the HTML only.
func TestTextOfAMail(t *testing.T) {
	const image = "--m\nContent-Type: image/png\nContent-Disposition: inline\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
	cases := []struct{ name, contentType, body, want string }{
		{"text parts of mixed", "multipart/mixed; boundary=m",
			"--m\nContent-Type: text/plain; charset=utf-8\n\nThe receipt:\n" + image +
				"--m\nContent-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\nA-1002 is paid too.\n--a\nContent-Type: text/plain\n\nSaid twice.\n--a--\n" +
				"--m\nContent-Type: text/plain; charset=utf-8\n\nA-1003 follows on Monday.\n--m--\n",
			"The receipt:\nA-1002 is paid too.\nA-1003 follows on Monday."},
		{"HTML parts of mixed", "multipart/mixed; boundary=m",
			"--m\nContent-Type: text/html; charset=utf-8\n\n<div>The receipt:</div>\n" + image +
				"--m\nContent-Type: text/html; charset=utf-8\n\n<div>A-1003 follows on Monday.</div>\n--m--\n",
			"The receipt:\nA-1003 follows on Monday."},
		{"bold stars of the plain alternative", "multipart/alternative; boundary=b",
			"--b\nContent-Type: text/plain; charset=utf-8\n\nThe invoice needs *PO 4500018823* in the reference.\nI typed *this* myself.\n" +
				"--b\nContent-Type: text/html; charset=utf-8\n\n<div>The invoice needs <b>PO 4500018823</b> in the reference.</div><div>I typed *this* myself.</div>\n--b--\n",
			"The invoice needs PO 4500018823 in the reference.\nI typed *this* myself."},
	}
	for _, c := range cases {
		m, err := Parse(rawMail(person+"Subject: Re: Invoice A-1001\nContent-Type: "+c.contentType+"\n", c.body), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Text != c.want {
			t.Errorf("%s: text %q, want %q", c.name, m.Text, c.want)
		}
	}
}

// The limit on the text holds for all its parts together.
func TestTextLimitHoldsOverParts(t *testing.T) {
	part := strings.Repeat("<div>A payment line.</div>\n", 2000)
	raw := rawMail(person+"Subject: Re: Invoice A-1001\nContent-Type: multipart/mixed; boundary=m\n",
		"--m\nContent-Type: text/html\n\n"+part+"--m\nContent-Type: text/html\n\n"+part+"--m\nContent-Type: text/plain\n\n"+part+"--m\nContent-Type: text/plain\n\n"+part+"--m--\n")
	limits := Limits{MaxTextSize: 64 << 10}
	m, err := Parse(raw, limits)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.HTML) > int(limits.MaxTextSize) || len(m.Text) > int(limits.MaxTextSize) {
		t.Errorf("text %d bytes, html %d bytes, over the limit of %d", len(m.Text), len(m.HTML), limits.MaxTextSize)
	}
}
