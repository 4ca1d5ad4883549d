package senderauth

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/dkim"
)

const body = "From: Dana Harbor <dana@client.test>\r\nTo: reply+x@reply.example.test\r\n" +
	"Subject: Re: Invoice A-1001\r\nMessage-ID: <1@client.test>\r\n\r\nIt was the spring stock order.\r\n"

func header(t *testing.T, raw []byte) textproto.Header {
	t.Helper()
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestTrustedAuthenticationResults(t *testing.T) {
	// Trusted results decide without DNS; a mail without them is checked
	// by the service, here against a DNS that knows no records.
	c := NewChecker(Options{AuthservIDs: []string{"mx.example.test"},
		LookupTXT: func(context.Context, string) ([]string, error) { return nil, errors.New("no such record") }})
	cases := []struct {
		name, fields string
		want         Status
		method       Method
	}{
		{"dmarc fail", "Authentication-Results: mx.example.test; dmarc=fail header.from=client.test\r\n", Failed, MethodDMARC},
		{"dmarc pass", "Authentication-Results: mx.example.test; dmarc=pass header.from=client.test\r\n", Verified, MethodDMARC},
		{"an untrusted server's pass is ignored", "Authentication-Results: mx.evil.test; dmarc=pass header.from=client.test\r\n", None, ""},
		{"an untrusted field below the trusted fail", "Authentication-Results: mx.example.test; dmarc=fail header.from=client.test\r\n" +
			"Authentication-Results: mx.evil.test; dmarc=pass header.from=client.test\r\n", Failed, MethodDMARC},
		{"the receiver's field wins over a forged one below", "Authentication-Results: mx.example.test; dmarc=fail header.from=client.test\r\n" +
			"Authentication-Results: mx.example.test; dmarc=pass header.from=client.test\r\n", Failed, MethodDMARC},
		{"aligned dkim pass", "Authentication-Results: mx.example.test; dkim=pass header.d=mail.client.test; spf=none\r\n", Verified, MethodDKIM},
		{"dkim pass of another domain", "Authentication-Results: mx.example.test; dkim=pass header.d=bulk.test; spf=pass smtp.mailfrom=bounce@bulk.test\r\n", None, ""},
		{"aligned spf pass", "Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=dana@client.test\r\n", Verified, MethodSPF},
		{"aligned dkim fail and nothing passes", "Authentication-Results: mx.example.test; dkim=fail header.d=client.test; spf=none\r\n", Failed, MethodDKIM},
		{"aligned spf fail and nothing passes", "Authentication-Results: mx.example.test; spf=fail smtp.mailfrom=client.test\r\n", Failed, MethodSPF},
		{"dkim fails, spf aligned passes", "Authentication-Results: mx.example.test; dkim=fail header.d=client.test; spf=pass smtp.mailfrom=client.test\r\n", Verified, MethodSPF},
		{"case of the authserv-id", "Authentication-Results: MX.Example.Test; dmarc=fail header.from=client.test\r\n", Failed, MethodDMARC},
		{"unreadable field", "Authentication-Results: ;;;\r\n", None, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte(tc.fields + body)
			r := c.Check(t.Context(), raw, header(t, raw), "dana@client.test")
			if r.Status != tc.want || r.Method != tc.method || r.Detail == "" {
				t.Errorf("result %+v, want %s %s", r, tc.want, tc.method)
			}
		})
	}
}

// signed returns body signed for domain with a fresh key, and a resolver
// that knows the key.
func signed(t *testing.T, domain string) ([]byte, func(context.Context, string) ([]string, error)) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	var out bytes.Buffer
	err := dkim.Sign(&out, strings.NewReader(body), &dkim.SignOptions{Domain: domain, Selector: "s1", Signer: priv})
	if err != nil {
		t.Fatal(err)
	}
	record := "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	return out.Bytes(), func(_ context.Context, name string) ([]string, error) {
		if name == "s1._domainkey."+domain {
			return []string{record}, nil
		}
		return nil, &netError{}
	}
}

type netError struct{}

func (*netError) Error() string   { return "no such host" }
func (*netError) Timeout() bool   { return false }
func (*netError) Temporary() bool { return false }

func TestOwnDKIMVerification(t *testing.T) {
	raw, lookup := signed(t, "client.test")
	c := NewChecker(Options{LookupTXT: lookup})
	check := func(raw []byte) Result { return c.Check(t.Context(), raw, header(t, raw), "dana@client.test") }

	if r := check(raw); r.Status != Verified || r.Method != MethodDKIM {
		t.Errorf("signed mail: %+v", r)
	}
	if r := check(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))); r.Status != Verified {
		t.Errorf("signed mail that lost its carriage returns: %+v", r)
	}
	tampered := bytes.Replace(raw, []byte("spring"), []byte("autumn"), 1)
	if r := check(tampered); r.Status != Failed || r.Method != MethodDKIM {
		t.Errorf("changed body: %+v", r)
	}
	if r := check([]byte(body)); r.Status != None {
		t.Errorf("unsigned mail: %+v", r)
	}
	other, otherLookup := signed(t, "bulk.test")
	c2 := NewChecker(Options{LookupTXT: otherLookup})
	if r := c2.Check(t.Context(), other, header(t, other), "dana@client.test"); r.Status != None {
		t.Errorf("a valid signature of another domain: %+v", r)
	}
	// A trusted server's results, when configured, come first; a mail
	// without them is still checked.
	c3 := NewChecker(Options{AuthservIDs: []string{"mx.example.test"}, LookupTXT: lookup})
	if r := c3.Check(t.Context(), raw, header(t, raw), "dana@client.test"); r.Status != Verified {
		t.Errorf("signed mail without trusted results: %+v", r)
	}
}

func TestDNSTimeoutIsNotAFailure(t *testing.T) {
	raw, _ := signed(t, "client.test")
	c := NewChecker(Options{LookupTXT: func(ctx context.Context, _ string) ([]string, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}, Timeout: 1})
	if r := c.Check(t.Context(), raw, header(t, raw), "dana@client.test"); r.Status != None {
		t.Errorf("unanswered lookup: %+v", r)
	}
}

// Without trusted results, a domain whose DMARC policy asks for rejection
// fails for mail without a valid signature of its own; one that publishes
// p=none, or no record, leaves it not verified.
func TestOwnCheckReadsDMARCPolicy(t *testing.T) {
	records := map[string]string{
		"_dmarc.strict.test":  "v=DMARC1; p=reject",
		"_dmarc.relaxed.test": "v=DMARC1; p=none",
		"_dmarc.parent.test":  "v=DMARC1; p=none; sp=quarantine",
	}
	asked := 0
	c := NewChecker(Options{LookupTXT: func(_ context.Context, name string) ([]string, error) {
		asked++
		if r, ok := records[name]; ok {
			return []string{r}, nil
		}
		return nil, &netError{}
	}})
	for from, want := range map[string]Status{
		"a@strict.test": Failed, "a@relaxed.test": None, "a@nothing.test": None, "a@mail.parent.test": Failed, "a@parent.test": None,
	} {
		raw := []byte(strings.Replace(body, "dana@client.test", from, 1))
		if r := c.Check(t.Context(), raw, header(t, raw), from); r.Status != want {
			t.Errorf("%s: %+v, want %s", from, r, want)
		}
	}
	before := asked
	raw := []byte(body)
	c.Check(t.Context(), raw, header(t, raw), "a@strict.test")
	if asked != before {
		t.Error("the policy was looked up again instead of remembered")
	}
	signed, lookup := signed(t, "strict.test")
	c2 := NewChecker(Options{LookupTXT: func(ctx context.Context, name string) ([]string, error) {
		if name == "_dmarc.strict.test" {
			return []string{"v=DMARC1; p=reject"}, nil
		}
		return lookup(ctx, name)
	}})
	signed = bytes.Replace(signed, []byte("dana@client.test"), []byte("dana@strict.test"), 1)
	if r := c2.Check(t.Context(), signed, header(t, signed), "dana@strict.test"); r.Status != Failed {
		t.Errorf("a changed From under a signature of a p=reject domain: %+v", r)
	}
	if r := systemLookupNotAsked(t); r != nil {
		t.Error(r)
	}
}

// The system resolver is never asked about special-use names.
func systemLookupNotAsked(t *testing.T) error {
	_, err := systemLookup(t.Context(), "_dmarc.client.test")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound || !strings.Contains(dnsErr.Err, "special-use") {
		return fmt.Errorf("special-use name: %v", err)
	}
	return nil
}

func TestModes(t *testing.T) {
	for _, s := range []string{"report", "Enforce", " require "} {
		if _, err := ParseMode(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	if _, err := ParseMode("strict"); err == nil {
		t.Error("strict accepted")
	}
	failed, none, ok := Result{Status: Failed}, Result{Status: None}, Result{Status: Verified}
	if Report.Refuses(failed) || !Enforce.Refuses(failed) || Enforce.Refuses(none) || !Require.Refuses(none) || Require.Refuses(ok) {
		t.Error("modes refuse the wrong results")
	}
}
