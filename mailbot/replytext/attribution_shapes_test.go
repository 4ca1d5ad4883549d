package replytext

import "testing"

// More attribution and separator shapes, each above quoted text.
func TestAttributionShapes(t *testing.T) {
	for _, a := range []string{
		"On Thu, 26 Jun 2014 14:00:51 +0400, Avery Quill <avery@example.test> wrote:",
		"On 25/06/14 15:10, \"Avery Quill\" <avery@example.test> wrote:",
		"Op 19 mrt. 2014 om 10:37 heeft Avery Quill <avery@example.test> het volgende geschreven:",
		"23-04-2013 20:32 schreef Avery Quill:",
		"Den 14. mars 2016 kl. 10:07 skrev Avery Quill <avery@example.test>:",
		"Le 4 janv. 2019 à 23:54, Avery Quill <avery@example.test> a écrit :",
		"17.01.2019 13:26, Avery Quill пишет:",
		"在 2016年11月8日，下午2:23，Avery Quill <avery@example.test> 写道：",
		"25.06.2015 10:55 \"Avery Quill\" <avery@example.test>:",
		"On 25.06.2015 10:55, Avery Quill wrote:",
		"Il 25/06/2015 10:55, Avery Quill ha scritto:",
		"25.06.2015 10:55 пользователь Avery Quill написал:",
		"-----Original Message-----",
		"Sent from my iPhone",
		"From: Avery Quill [mailto:avery@example.test]",
		"avery@example.test wrote:",
		"Avery Quill <avery@example.test> wrote:",
		"On Tue, Mar 3, 2026 at 9:14 AM, Avery Quill wrote:",
		"Quoting Avery Quill <avery@example.test>:",
		"Zitat von Avery Quill <avery@example.test>:",
		"Citando Avery Quill <avery@example.test>:",
		"Avery Quill <avery@example.test> a écrit :",
		"Le mardi 3 mars 2026, Avery Quill <avery@example.test> a écrit :",
		"---- On Tue, 03 Mar 2026 09:14:00 +0100 Avery Quill <avery@example.test> wrote ----",
		"-------- Original message --------",
		"From: \"Avery Quill\" <avery@example.test>",
	} {
		body := "Paid on Friday.\n\n" + a + "\n> Was it paid?\n> Thanks\n"
		if got := Extract(body); got.Reply != "Paid on Friday." {
			t.Errorf("%s\n  reply = %q", a, got.Reply)
		}
	}
}
