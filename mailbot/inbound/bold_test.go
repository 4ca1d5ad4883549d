package inbound

import "testing"

// Gmail's plain alternative marks bold text with stars the author never
// typed; the stars go for spans bold in the HTML only.
func TestBoldStarsOfThePlainAlternative(t *testing.T) {
	raw := rawMail(person+"Subject: Re: Invoice A-1001\nContent-Type: multipart/alternative; boundary=b\n",
		"--b\nContent-Type: text/plain; charset=utf-8\n\nThe invoice needs *PO 4500018823* in the reference.\nI typed *this* myself.\n"+
			"--b\nContent-Type: text/html; charset=utf-8\n\n<div>The invoice needs <b>PO 4500018823</b> in the reference.</div><div>I typed *this* myself.</div>\n--b--\n")
	m, err := Parse(raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "The invoice needs PO 4500018823 in the reference.\nI typed *this* myself."; m.Text != want {
		t.Errorf("text %q, want %q", m.Text, want)
	}
}
