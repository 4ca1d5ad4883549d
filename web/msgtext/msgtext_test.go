package msgtext_test

import (
	"testing"

	"mailbot/web/msgtext"
)

func TestHTML(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"paragraphs and blank-line runs", "Hello,\n\n\n\n\nThe receipt is attached.\nThanks\n\n",
			"<p>Hello,</p><p>The receipt is attached.\nThanks</p>"},
		{"escaped", `<b>bold</b> & "quotes"`, "<p>&lt;b&gt;bold&lt;/b&gt; &amp; &#34;quotes&#34;</p>"},
		{"link", "See https://example.com/a?b=1&c=2.",
			`<p>See <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener ugc">https://example.com/a?b=1&amp;c=2</a>.</p>`},
		{"link in brackets", "(see http://example.com/x_(y)) and (http://example.com/z)",
			`<p>(see <a href="http://example.com/x_(y)" rel="nofollow noopener ugc">http://example.com/x_(y)</a>) and (<a href="http://example.com/z" rel="nofollow noopener ugc">http://example.com/z</a>)</p>`},
		{"only http and https", "javascript:alert(1) ftp://example.com data:text/html,x",
			"<p>javascript:alert(1) ftp://example.com data:text/html,x</p>"},
		{"no host", "https:// and https://?x", "<p>https:// and https://?x</p>"},
		{"quote set apart", "Yes.\n> What was it?\n>> Before that\nOK",
			"<p>Yes.</p><blockquote><p>What was it?</p><blockquote><p>Before that</p></blockquote></blockquote><p>OK</p>"},
		{"attribute breakout", `https://example.com/"onmouseover="x`,
			`<p><a href="https://example.com/" rel="nofollow noopener ugc">https://example.com/</a>&#34;onmouseover=&#34;x</p>`},
		{"not inside a word", "xhttps://example.com", "<p>xhttps://example.com</p>"},
		{"empty", "\n\n", ""},
	} {
		if got := string(msgtext.HTML(tc.in)); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func BenchmarkHTML(b *testing.B) {
	text := "Hello Avery,\n\nThe receipt is at https://files.example.com/r/12345.pdf, and the order was placed on March 3.\n\n> What was this charge for?\n\nThanks,\nDana"
	for b.Loop() {
		msgtext.HTML(text)
	}
}
