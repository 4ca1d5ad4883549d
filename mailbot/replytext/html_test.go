package replytext

import (
	"strings"
	"testing"
)

func TestExtractHTML(t *testing.T) {
	cases := []struct{ name, body, reply, elidedHas string }{
		{"gmail", `<div dir="ltr">Paid on Friday.</div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, Avery wrote:</div><blockquote class="gmail_quote">Was this paid?</blockquote></div>`,
			"Paid on Friday.", "Was this paid?"},
		{"apple mail", `<html><body>Yes, the spring order.<br><div><blockquote type="cite"><div>What was it?</div></blockquote></div></body></html>`,
			"Yes, the spring order.", "What was it?"},
		{"outlook", `<div>See attached.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Avery</div><div>Old text</div>`,
			"See attached.", "Old text"},
		{"thunderbird", `<p>Done.</p><div class="moz-cite-prefix">On 3/3/26 Avery wrote:</div><blockquote type="cite">Earlier</blockquote>`,
			"Done.", "Earlier"},
		{"no quote", `<p>Just <b>this</b>.</p>`, "Just *this*.", ""},
	}
	for _, c := range cases {
		got := ExtractHTML(c.body)
		if got.Reply != c.reply {
			t.Errorf("%s: reply = %q, want %q", c.name, got.Reply, c.reply)
		}
		if c.elidedHas != "" && !strings.Contains(got.Elided, c.elidedHas) {
			t.Errorf("%s: elided = %q, want it to hold %q", c.name, got.Elided, c.elidedHas)
		}
	}
}
