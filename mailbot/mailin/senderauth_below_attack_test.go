package mailin_test

import (
	"testing"

	"mailbot/mailbot/senderauth"
	"mailbot/threads"
)

// The checker's own rule: each method is taken from the topmost trusted
// field that reports it, since a receiving server adds its field above the
// ones that came with the mail. A forged field with the trusted id further
// down must not turn the receiver's DKIM fail, or its unaligned SPF result,
// into a verified sender.
func TestAttackForgedResultBelowTheReceiversField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, fields string
		mode         senderauth.Mode
	}{
		{"dkim pass below the receiver's dkim fail", "Authentication-Results: mx.reply.example.test; dkim=fail header.d=client.test; spf=none\r\n" +
			"Authentication-Results: mx.reply.example.test; dkim=pass header.d=client.test\r\n", senderauth.Enforce},
		{"spf pass below the receiver's spf of another domain", "Authentication-Results: mx.reply.example.test; spf=pass smtp.mailfrom=bounce@bulk.test\r\n" +
			"Authentication-Results: mx.reply.example.test; spf=pass smtp.mailfrom=dana@client.test\r\n", senderauth.Require},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.withAuth(t, c.mode, senderauth.Options{AuthservIDs: []string{"mx.reply.example.test"}, LookupTXT: noDNS})
			res := f.ingest(t, f.raw(reply{extra: c.fields}))
			if res.Verdict == threads.VerdictPosted {
				inboundAuth, _ := f.senderAuth(t, res)
				t.Fatalf("posted with sender_auth %q taken from the forged field below", inboundAuth)
			}
		})
	}
}
