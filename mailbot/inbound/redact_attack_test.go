package inbound

import (
	"strings"
	"testing"
)

// Percent-encoding keeps a reply address or an unsubscribe link working:
// a mail client opens mailto:reply%2B…@ as reply+…@, and the web server
// decodes /unsubscribe/12%2E34%2E… to the mute token 12.34.…. Both must be
// redacted like their plain spellings.
func TestAttackRedactionOfPercentEncodedSecrets(t *testing.T) {
	mt, err := NewMatcher(Addressing{ReplyPattern: "reply+{token}@reply.example.test", IDDomain: "mail.example.test"})
	if err != nil {
		t.Fatal(err)
	}
	tok := "abcdefghijklmnopqrstuvwxyz234567"
	for _, secret := range []string{
		"mailto:reply%2B" + tok + "@reply.example.test",
		"mailto:reply%2b" + tok + "@reply.example.test",
		"https://mailbot.example.test/unsubscribe/12%2E34%2E0123456789abcdef0123456789abcdef",
	} {
		out := mt.Redacted("> Reply here: " + secret + "\n")
		if strings.Contains(out, tok) || strings.Contains(out, "0123456789abcdef0123456789abcdef") {
			t.Errorf("kept: %q", out)
		}
	}
}
