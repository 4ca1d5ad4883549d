package replytext

import (
	"strings"
	"testing"
)

// Attribution lines in the forms mail clients write them in other
// languages (Gmail, Apple Mail, Thunderbird, Outlook on the web), with a
// made-up name, address and date.
func TestAttributionsInManyLanguages(t *testing.T) {
	attributions := []string{
		"On Tue, Mar 3, 2026 at 9:14 AM Avery Quill <avery@example.test> wrote:",
		"Op di 3 mrt. 2026 om 09:14 schreef Avery Quill <avery@example.test>:",
		"Den tis 3 mars 2026 kl 09:14 skrev Avery Quill <avery@example.test>:",
		"Den tir. 3. mar. 2026 kl. 09.14 skrev Avery Quill <avery@example.test>:",
		"ti 3. maalisk. 2026 klo 9.14 Avery Quill (avery@example.test) kirjoitti:",
		"wt., 3 mar 2026 o 09:14 Avery Quill <avery@example.test> napisał(a):",
		"út 3. 3. 2026 v 9:14 odesílatel Avery Quill <avery@example.test> napsal:",
		"ut 3. 3. 2026 o 9:14 Avery Quill <avery@example.test> napísal(a):",
		"вт, 3 мар. 2026 г. в 09:14, Avery Quill <avery@example.test>:",
		"вт, 3 бер. 2026 р. о 09:14 Avery Quill <avery@example.test> пише:",
		"вт, 3.03.2026 г. в 9:14 ч. Avery Quill <avery@example.test> написа:",
		"Avery Quill <avery@example.test>, 3 Mar 2026 Sal, 09:14 tarihinde şunu yazdı:",
		"Avery Quill <avery@example.test> ezt írta (időpont: 2026. márc. 3., K, 9:14):",
		"Στις Τρί 3 Μαρ 2026 στις 9:14 π.μ., ο/η Avery Quill <avery@example.test> έγραψε:",
		"2026年3月3日(火) 9:14 Avery Quill <avery@example.test>:",
		"Avery Quill <avery@example.test> 于2026年3月3日周二 09:14写道：",
		"2026년 3월 3일 (화) 오전 9:14, Avery Quill <avery@example.test>님이 작성:",
		"בתאריך יום ג׳, 3 במרץ 2026 ב-9:14 מאת Avery Quill <avery@example.test>:",
		"في الثلاثاء، 3 مارس 2026 في 9:14 ص، كتب Avery Quill <avery@example.test>:",
		"Vào Th 3, 3 thg 3, 2026 vào lúc 09:14 Avery Quill <avery@example.test> đã viết:",
		"Pada tanggal Sel, 3 Mar 2026 pukul 09.14 Avery Quill <avery@example.test> menulis:",
		"เมื่อ อ. 3 มี.ค. 2026 เวลา 09:14 Avery Quill <avery@example.test> เขียนว่า:",
		"Avery Quill <avery@example.test> a scris în mar., 3 mar. 2026 la 09:14:",
		"El dt., 3 de març 2026 a les 9:14, Avery Quill (<avery@example.test>) va escriure:",
		"uto, 3. ožu 2026. u 09:14 Avery Quill <avery@example.test> napisao je:",
		"2026-03-03, an, 09:14, Avery Quill <avery@example.test> rašė:",
		"otrd., 2026. g. 3. marts, plkst. 09:14 — lietotājs Avery Quill (<avery@example.test>) rakstīja:",
		"T, 3. märts 2026 kell 09:14 Avery Quill <avery@example.test> kirjutas:",
		"मंगल, 3 मार्च 2026 को 9:14 am बजे Avery Quill <avery@example.test> ने लिखा:",
		"Il giorno mar 3 mar 2026 alle ore 09:14 Avery Quill <avery@example.test> ha scritto:",
		"Em ter., 3 de mar. de 2026 às 09:14, Avery Quill <avery@example.test> escreveu:",
		"El mar, 3 mar 2026 a las 9:14, Avery Quill (<avery@example.test>) escribió:",
		"Le mar. 3 mars 2026 à 09:14, Avery Quill <avery@example.test> a écrit :",
		"Am Di., 3. März 2026 um 09:14 Uhr schrieb Avery Quill <avery@example.test>:",
		"Þann þri., 3. mar. 2026 kl. 09:14 skrifaði Avery Quill <avery@example.test>:",
		"در تاریخ سه\u200cشنبه ۳ مارس ۲۰۲۶ ساعت ۹:۱۴ Avery Quill <avery@example.test> نوشت:",
		"2026/3/3 Avery Quill <avery@example.test>",
		"Avery Quill schrieb am 03.03.2026 um 09:14:",
		"Avery Quill <avery@example.test> schrieb am Di., 3. März 2026 um 09:14:",
		"Avery Quill schreef op 3 mrt. 2026 om 09:14:",
		"W dniu 3 marca 2026 09:14 użytkownik Avery Quill <avery@example.test> napisał:",
		"Dnia 3 marca 2026 o 09:14 Avery Quill <avery@example.test> napisał(a):",
		"Em 3 de mar de 2026, às 09:14, Avery Quill <avery@example.test> escreveu:",
	}
	for _, a := range attributions {
		body := "Paid on Friday.\n\n" + a + "\n\n> Was it paid?\n"
		if got := Extract(body); got.Reply != "Paid on Friday." {
			t.Errorf("%s\n  reply = %q", a, got.Reply)
		}
		// Clients wrap long lines at the last space before about 72
		// columns.
		for _, width := range []int{60, 72} {
			if len(a) <= width {
				continue
			}
			at := strings.LastIndex(a[:width], " ")
			wrapped := a[:at] + "\n" + a[at+1:]
			if got := Extract("Paid on Friday.\n\n" + wrapped + "\n> Was it paid?\n"); got.Reply != "Paid on Friday." {
				t.Errorf("wrapped: %q\n  reply = %q", wrapped, got.Reply)
			}
		}
	}
}
