package mailin_test

import (
	"testing"

	"mailbot/mailbot/senderauth"
	"mailbot/threads"
)

// A trusted receiver's DMARC result speaks of the From domain it read. A
// pass for another domain (the receiver read another From than the service
// did, or the result is about another message part) says nothing about the
// client's domain and must not verify a mail that claims to be from it.
func TestAttackTrustedDMARCPassOfAnotherDomain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.withAuth(t, senderauth.Require, senderauth.Options{AuthservIDs: []string{"mx.reply.example.test"}, LookupTXT: noDNS})
	res := f.ingest(t, f.raw(reply{extra: "Authentication-Results: mx.reply.example.test; dmarc=pass header.from=evil.test\r\n"}))
	if res.Verdict == threads.VerdictPosted {
		inboundAuth, _ := f.senderAuth(t, res)
		t.Fatalf("posted as dana@client.test, sender_auth %q, on a DMARC pass for evil.test", inboundAuth)
	}
}
