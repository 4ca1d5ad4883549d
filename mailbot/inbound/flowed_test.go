package inbound

import "testing"

func TestUnflow(t *testing.T) {
	cases := []struct {
		name, in string
		delSp    bool
		want     string
	}{
		{"a wrapped paragraph is one line again", "Ja, vi har betalat den. Fakturan \nkom i tisdags och \ngick direkt till attest.\n\nHälsningar\n", false,
			"Ja, vi har betalat den. Fakturan kom i tisdags och gick direkt till attest.\n\nHälsningar\n"},
		{"delsp drops the space of the soft break", "Zahlung geht heute \nraus.\n", true, "Zahlung geht heuteraus.\n"},
		{"quoted lines join within their depth", "Paid.\n\n> Was the invoice \n> paid?\n>> Earlier \n>> text\n", false,
			"Paid.\n\n> Was the invoice paid?\n>> Earlier text\n"},
		{"no soft break across depths", "Answer \n> quote\n", false, "Answer \n> quote\n"},
		{"the signature separator stays", "Thanks\n-- \nDana Harbor\n", false, "Thanks\n-- \nDana Harbor\n"},
		{"space-stuffed lines lose the stuffing", " From the bank: paid.\n", false, "From the bank: paid.\n"},
		{"CRLF", "One \r\ntwo\r\n", false, "One two\n"},
		{"a signature separator after a flowed line starts a line", "Paid on Friday. \n-- \nDana Harbor\n", false, "Paid on Friday. \n-- \nDana Harbor\n"},
	}
	for _, c := range cases {
		if got := Unflow(c.in, c.delSp); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
