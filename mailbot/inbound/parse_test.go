package inbound

import (
	"strings"
	"testing"
)

// The text parts of one multipart/mixed are shown one after the other, as
// Apple Mail sends words, a picture and more words; the text parts of an
// alternative are one text said twice.
func TestTextPartsOfMixedAreOneText(t *testing.T) {
	raw := rawMail(person+"Subject: Re: Invoice A-1001\nContent-Type: multipart/mixed; boundary=m\n",
		"--m\nContent-Type: text/plain; charset=utf-8\n\nThe receipt:\n"+
			"--m\nContent-Type: image/png\nContent-Disposition: inline\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"+
			"--m\nContent-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\nA-1002 is paid too.\n--a\nContent-Type: text/plain\n\nSaid twice.\n--a--\n"+
			"--m\nContent-Type: text/plain; charset=utf-8\n\nA-1003 follows on Monday.\n--m--\n")
	m, err := Parse(raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "The receipt:\nA-1002 is paid too.\nA-1003 follows on Monday."; m.Text != want {
		t.Errorf("text %q, want %q", m.Text, want)
	}
}

func TestHTMLPartsOfMixedAreOneDocument(t *testing.T) {
	raw := rawMail(person+"Subject: Re: Invoice A-1001\nContent-Type: multipart/mixed; boundary=m\n",
		"--m\nContent-Type: text/html; charset=utf-8\n\n<div>The receipt:</div>\n"+
			"--m\nContent-Type: image/png\nContent-Disposition: inline\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"+
			"--m\nContent-Type: text/html; charset=utf-8\n\n<div>A-1003 follows on Monday.</div>\n--m--\n")
	m, err := Parse(raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "The receipt:\nA-1003 follows on Monday."; m.Text != want {
		t.Errorf("text %q, want %q", m.Text, want)
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
