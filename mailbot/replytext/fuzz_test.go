package replytext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzExtract reads arbitrary text and HTML as replies: it must never
// panic, and what it keeps must come from the input, as valid text when
// the input is.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"Paid.\n\nOn Tue, Mar 3, 2026 at 9:14 AM Avery <a@example.test> wrote:\n> Was it?",
		"Yes\n\nQuinn Marlow\nController\n+44 20 7946 0000\n\nGeschäftsführer: X · Amtsgericht Köln HRB 1",
		"From: A Sent: B To: C Subject: D\n>>> \"A\" <a@b> 3/3/2026 >>>\n| q\n━━━━\nTEL: 03-0000-0000\n━━━━",
		"谢谢！\n李娜\n电话：021-5555 0000\n\nمع التحية،\nليلى حداد\n",
		"<div>a<br></div><p class=MsoNormal>b</p><div style='border-top:solid'><b>From:</b> x<br><b>Sent:</b> y<br><b>To:</b> z</div>",
		"<table><tr><td><p>a</p></td><td>b<br>c</td></tr></table><ol start=x><li>d</li></ol><img alt=\"👍\"><div>&gt;1,000</div><b>1</b>,<b>2</b>",
		"Paid.\n\nPS: x\n\n-- \nJane Roe\n\nPS Logistics GmbH\n________________\nTotal 9",
		"", "\n\n\n", ">", "--", "-- \n", "*", "• x:", "\u202b\u200f", "\ue000\ue001",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, r := range []Result{Extract(body), ExtractHTML(body)} {
			if utf8.ValidString(body) && (!utf8.ValidString(r.Reply) || !utf8.ValidString(r.Elided)) {
				t.Fatalf("invalid UTF-8 out of valid input: %+v", r)
			}
		}
		r := Extract(body)
		for _, l := range strings.Split(r.Reply, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.Contains(normalize(body), l) {
				t.Fatalf("reply line %q is not in the input", l)
			}
		}
	})
}
