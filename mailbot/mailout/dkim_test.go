package mailout_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"mailbot/mailbot/mailout"
	"mailbot/templates"
)

func TestDKIMSignedNotification(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	keyPath := filepath.Join(t.TempDir(), "dkim.pem")
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	signer, err := mailout.LoadDKIMKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions
	opts.DKIM = &mailout.DKIMOptions{Domain: "mail.example.test", Selector: "s1", Signer: signer}
	f.composer, err = mailout.NewComposer(opts, templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	f.post(t, f.accountant, f.clientEN, "signed, I hope")
	drain(t, f.worker(t, f.smtp.Addr, nil), 3)
	got := f.smtp.Messages()
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	lookup := func(domain string) ([]string, error) {
		if domain != "s1._domainkey.mail.example.test" {
			t.Errorf("looked up %s", domain)
		}
		return []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(got[0].Data), &dkim.VerifyOptions{LookupTXT: lookup})
	if err != nil || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "mail.example.test" {
		t.Fatalf("verification = %+v, %v", vs, err)
	}
	// A changed Message-ID breaks the signature.
	tampered := bytes.Replace(got[0].Data, []byte("Message-Id: <"), []byte("Message-Id: <x"), 1)
	if vs, _ := dkim.VerifyWithOptions(bytes.NewReader(tampered), &dkim.VerifyOptions{LookupTXT: lookup}); len(vs) != 1 || vs[0].Err == nil {
		t.Error("a tampered message still verifies")
	}
}
