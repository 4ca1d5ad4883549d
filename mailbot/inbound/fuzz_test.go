package inbound

import (
	"errors"
	"testing"
	"unicode/utf8"

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
	limits := Limits{MaxParts: 50, MaxTextSize: 64 << 10, MaxFileSize: 64 << 10}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, limits)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse error %v is not ErrMalformed", err)
			}
			return
		}
		for name, s := range map[string]string{"text": m.Text, "html": m.HTML, "subject": m.Subject, "from": m.From} {
			if !utf8.ValidString(s) {
				t.Errorf("%s is not valid UTF-8: %q", name, s)
			}
		}
		if len(m.HTML) > int(limits.MaxTextSize) || m.Parts > limits.MaxParts || len(m.Files) > limits.MaxParts {
			t.Errorf("limits passed: html %d bytes, %d parts, %d files", len(m.HTML), m.Parts, len(m.Files))
		}
		for _, p := range m.Files {
			if int64(len(p.Data)) > limits.MaxFileSize || (p.Data != nil && int64(len(p.Data)) != p.Size) {
				t.Errorf("file %q keeps %d bytes of %d", p.Name, len(p.Data), p.Size)
			}
		}
		switch class, why := Classify(m); {
		case class != ClassReply && class != ClassAutoReply && class != ClassBounce && class != ClassOther:
			t.Errorf("unknown class %q", class)
		case class != ClassReply && why == "":
			t.Errorf("class %s without a reason", class)
		}
		for _, c := range matcher.Candidates(m, []string{"x@y"}) {
			if (c.Token == "") == (c.MailID == "") {
				t.Errorf("candidate %+v names neither or both", c)
			}
		}
		matcher.OwnMailID(m)
		r := replytext.Extract(m.Text)
		if !utf8.ValidString(r.Reply) || !utf8.ValidString(r.Elided) {
			t.Error("extracted text is not valid UTF-8")
		}
		if red := matcher.Redacted(m.Text); !utf8.ValidString(red) {
			t.Error("redacted text is not valid UTF-8")
		}
	})
}
