package mailin_test

import (
	"context"
	"errors"
	"testing"

	"mailbot/mailbot/senderauth"
	"mailbot/threads"
)

// With no MAILBOT_AUTHSERV_ID (the default), the service checks senders
// itself. The security model says enforce "stops forged From lines from
// domains that publish DMARC": client.test publishes p=reject, so an
// unsigned mail claiming its From is a DMARC failure and must be refused.
// The service reads that policy when no valid signature of the domain vouches.
func TestAttackOwnCheckIgnoresPublishedDMARC(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.withAuth(t, senderauth.Enforce, senderauth.Options{LookupTXT: func(_ context.Context, name string) ([]string, error) {
		if name == "_dmarc.client.test" {
			return []string{"v=DMARC1; p=reject; adkim=r; aspf=r"}, nil
		}
		return nil, errors.New("no such host")
	}})
	res := f.ingest(t, f.raw(reply{}))
	if res.Verdict == threads.VerdictPosted {
		inboundAuth, _ := f.senderAuth(t, res)
		t.Fatalf("an unsigned mail from a p=reject domain posted, sender_auth %q", inboundAuth)
	}
}
