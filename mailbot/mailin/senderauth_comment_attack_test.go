package mailin_test

import (
	"testing"

	"mailbot/mailbot/senderauth"
	"mailbot/threads"
)

// RFC 8601 allows a comment after the authserv-id, and receivers write one
// ("mx.example.com (amavisd-new); dkim=..."). The trusted server's DMARC
// fail must still refuse the forged reply; today the field does not parse,
// is skipped as if untrusted, and the unsigned forgery posts "not verified".
func TestAttackTrustedFieldWithCommentAfterAuthservID(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.withAuth(t, senderauth.Enforce, senderauth.Options{AuthservIDs: []string{"mx.reply.example.test"}, LookupTXT: noDNS})
	res := f.ingest(t, f.raw(reply{extra: "Authentication-Results: mx.reply.example.test (amavisd-new);\r\n" +
		"\tdmarc=fail (p=reject dis=none) header.from=client.test\r\n"}))
	if res.Verdict != threads.VerdictRejectedForged {
		inboundAuth, _ := f.senderAuth(t, res)
		t.Fatalf("verdict %s, sender_auth %q; want %s from the trusted DMARC fail", res.Verdict, inboundAuth, threads.VerdictRejectedForged)
	}
}
