package mailin_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"mailbot/mailbot/mailin"
	"mailbot/mailbot/senderauth"
	"mailbot/threads"
)

func (f *fixture) withAuth(t *testing.T, mode senderauth.Mode, opts senderauth.Options) {
	t.Helper()
	var err error
	f.pipe, err = mailin.NewPipeline(f.store, mailin.Options{Addressing: addressing,
		SenderAuth: senderauth.NewChecker(opts), AuthMode: mode})
	if err != nil {
		t.Fatal(err)
	}
}

// senderAuth reads what the inbound log and the message recorded.
func (f *fixture) senderAuth(t *testing.T, res mailin.Result) (inboundAuth, messageAuth string) {
	t.Helper()
	f.db.Get(&inboundAuth, `SELECT sender_auth FROM inbound WHERE id = $1`, res.InboundID)
	f.db.Get(&messageAuth, `SELECT sender_auth FROM messages WHERE id = $1`, res.MessageID)
	return inboundAuth, messageAuth
}

var noDNS = func(context.Context, string) ([]string, error) { return nil, errors.New("no DNS in this test") }

func TestTrustedAuthenticationResultsDecide(t *testing.T) {
	t.Parallel()
	trusted := senderauth.Options{AuthservIDs: []string{"mx.reply.example.test"}, LookupTXT: noDNS}
	cases := []struct {
		name   string
		mode   senderauth.Mode
		fields string
		want   threads.Verdict
		auth   string
	}{
		{"forged From refused by DMARC", senderauth.Enforce,
			"Authentication-Results: mx.reply.example.test; dmarc=fail header.from=client.test\r\n", threads.VerdictRejectedForged, "fail"},
		{"another server's results are ignored", senderauth.Enforce,
			"Authentication-Results: mx.evil.test; dmarc=pass header.from=client.test; dkim=pass header.d=client.test\r\n", threads.VerdictPosted, "none"},
		{"a forged pass below the receiver's fail", senderauth.Enforce,
			"Authentication-Results: mx.reply.example.test; dmarc=fail header.from=client.test\r\n" +
				"Authentication-Results: mx.reply.example.test; dmarc=pass header.from=client.test\r\n", threads.VerdictRejectedForged, "fail"},
		{"verified by DMARC", senderauth.Require,
			"Authentication-Results: mx.reply.example.test; dkim=pass header.d=client.test; dmarc=pass header.from=client.test\r\n", threads.VerdictPosted, "dmarc"},
		{"nothing vouches, require mode", senderauth.Require,
			"Authentication-Results: mx.evil.test; dmarc=pass header.from=client.test\r\n", threads.VerdictRejectedForged, "none"},
		{"report mode records a failure and posts", senderauth.Report,
			"Authentication-Results: mx.reply.example.test; dmarc=fail header.from=client.test\r\n", threads.VerdictPosted, "fail"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.withAuth(t, c.mode, trusted)
			res := f.ingest(t, f.raw(reply{extra: c.fields}))
			if res.Verdict != c.want {
				t.Fatalf("verdict %s, want %s", res.Verdict, c.want)
			}
			inboundAuth, messageAuth := f.senderAuth(t, res)
			if inboundAuth != c.auth || (res.MessageID != 0 && messageAuth != c.auth) {
				t.Errorf("recorded sender_auth %q on the mail, %q on the message; want %q", inboundAuth, messageAuth, c.auth)
			}
			if c.want == threads.VerdictRejectedForged && f.notices(t) != 1 {
				t.Errorf("%d rejection notices, want 1 to the address's owner", f.notices(t))
			}
		})
	}
}

func TestDKIMSignedReplyVerifies(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	record := "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	f.withAuth(t, senderauth.Enforce, senderauth.Options{LookupTXT: func(_ context.Context, name string) ([]string, error) {
		if name == "mail._domainkey.client.test" {
			return []string{record}, nil
		}
		return nil, errors.New("no such record")
	}})
	sign := func(raw []byte) []byte {
		var out bytes.Buffer
		if err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{Domain: "client.test", Selector: "mail", Signer: priv}); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	res := f.ingest(t, sign(f.raw(reply{})))
	if inboundAuth, messageAuth := f.senderAuth(t, res); res.Verdict != threads.VerdictPosted || inboundAuth != "dkim" || messageAuth != "dkim" {
		t.Fatalf("signed reply: verdict %s, sender_auth %q / %q", res.Verdict, inboundAuth, messageAuth)
	}
	// The same words under a signature that no longer matches: someone
	// changed the mail, or forged the signature.
	forged := bytes.Replace(sign(f.raw(reply{body: "Pay the invoice to account 1234.\r\n"})), []byte("1234"), []byte("9999"), 1)
	res = f.ingest(t, forged)
	if res.Verdict != threads.VerdictRejectedForged {
		t.Errorf("tampered signed reply: verdict %s, want %s", res.Verdict, threads.VerdictRejectedForged)
	}
	// Unsigned mail from a domain the service cannot vouch for is posted,
	// marked not verified.
	res = f.ingest(t, f.raw(reply{body: "Unsigned answer.\r\n"}))
	if _, messageAuth := f.senderAuth(t, res); res.Verdict != threads.VerdictPosted || messageAuth != "none" {
		t.Errorf("unsigned reply: verdict %s, sender_auth %q", res.Verdict, messageAuth)
	}
}
