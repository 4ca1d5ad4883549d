package inbound

import (
	"testing"

	"mailbot/mailbot/replytext"
)

// FuzzParseClassify runs the whole read-and-classify path on arbitrary
// bytes: it must never panic, and what it returns must be storable text.
func FuzzParseClassify(f *testing.F) {
	seeds := []string{
		"From: a@example.test\r\nTo: reply+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@reply.example.test\r\nSubject: hi\r\n\r\nbody\r\n",
		"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>hi<blockquote>q</blockquote>\r\n--x--\r\n",
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--b--",
		"Subject: =?x-unknown?q?caf=E9?=\r\nContent-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!",
		"From: \xff\xfe <\x00@\x01>\r\n\r\n",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	matcher, err := NewMatcher(Addressing{ReplyPattern: "reply+{token}@reply.example.test", IDDomain: "mail.example.test"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, Limits{})
		if err != nil {
			return
		}
		Classify(m)
		matcher.Candidates(m, []string{"x@y"})
		matcher.OwnMailID(m)
		r := replytext.Extract(m.Text)
		_ = r
	})
}
