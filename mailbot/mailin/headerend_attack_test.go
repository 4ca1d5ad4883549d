package mailin_test

import (
	"strings"
	"testing"

	"mailbot/mailbot/senderauth"
	"mailbot/threads"
)

// A header whose last line ends in a bare LF, followed by CRLF, ends there
// for MTAs that take LF as a line end (the empty line is "\r\n"), so what
// follows is body: their filters neither strip nor judge it. The service
// reads on to the next CRLF CRLF and takes those body lines as header
// fields, here a forged Authentication-Results with the trusted id that the
// receiver's own stripping never saw.
func TestAttackHeaderFieldsSmuggledPastABareLFHeaderEnd(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.withAuth(t, senderauth.Require, senderauth.Options{AuthservIDs: []string{"mx.reply.example.test"}, LookupTXT: noDNS})
	receiver := "Authentication-Results: mx.reply.example.test; spf=none smtp.mailfrom=client.test; dmarc=none header.from=client.test\r\n"
	raw := receiver + string(f.raw(reply{
		extra: "X-Mailer: forge\n", // the header ends here for an LF reader: "\n" then "\r\n"
		body: "Authentication-Results: mx.reply.example.test; dkim=pass header.d=client.test\r\n\r\n" +
			"It was the spring stock order.\r\n",
	}))
	if !strings.Contains(raw, "forge\n\r\nAuthentication-Results") {
		t.Fatal("mail not built as meant")
	}
	res := f.ingest(t, []byte(raw))
	if res.Verdict == threads.VerdictPosted {
		inboundAuth, _ := f.senderAuth(t, res)
		t.Fatalf("posted under require with sender_auth %q, from a field in the mail's body", inboundAuth)
	}
}
