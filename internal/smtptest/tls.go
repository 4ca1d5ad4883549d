package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options make a server that speaks TLS or wants authentication.
type Options struct {
	TLS      string // "" (plain), "starttls" or "tls" (implicit)
	Username string // AUTH PLAIN and LOGIN required when set
	Password string
	// Token, when set, is also taken for Username with XOAUTH2.
	Token string
}

// StartWith runs a server with opts; its certificate is in CertPool and,
// PEM-encoded, in CertPEM.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{arrived: make(chan struct{}, 1), opts: opts}
	cert, pool, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	s.CertPool = pool
	s.CertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
	var starttls *tls.Config
	switch opts.TLS {
	case "tls":
		l = tls.NewListener(l, tlsConfig)
	case "starttls":
		starttls = tlsConfig
	}
	s.serve(l, starttls)
	t.Cleanup(s.Stop)
	return s
}

// selfSigned makes a certificate for 127.0.0.1 and localhost and a pool
// that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

// AuthMechanisms implements smtp.AuthSession.
func (se *session) AuthMechanisms() []string {
	if se.s.opts.Username == "" {
		return nil
	}
	if se.s.opts.Token != "" {
		return []string{sasl.Plain, sasl.Login, "XOAUTH2"}
	}
	return []string{sasl.Plain, sasl.Login}
}

// Auth implements smtp.AuthSession.
func (se *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != se.s.opts.Username || pass != se.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		se.authed = true
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	case "XOAUTH2":
		if se.s.opts.Token != "" {
			return &xoauth2Server{se: se}, nil
		}
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// loginServer is the server side of the obsolete LOGIN mechanism, which
// some relays still want.
type loginServer struct {
	check func(user, pass string) error
	user  string
	step  int
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if len(response) > 0 { // initial response carries the user name
			l.user = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	case 3:
		return nil, true, l.check(l.user, string(response))
	}
	return nil, true, errors.New("smtptest: unexpected LOGIN step")
}

// xoauth2Server checks "user=U\x01auth=Bearer T\x01\x01"; on a wrong
// token it sends a JSON status and fails on the client's empty answer.
type xoauth2Server struct {
	se     *session
	failed bool
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, smtp.ErrAuthFailed
	}
	if response == nil {
		return []byte{}, false, nil // ask for the initial response
	}
	opts := x.se.s.opts
	if string(response) != "user="+opts.Username+"\x01auth=Bearer "+opts.Token+"\x01\x01" {
		x.failed = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.example.test/"}`), false, nil
	}
	x.se.authed = true
	x.se.s.OAuthLogins.Add(1)
	return nil, true, nil
}

// CertFiles writes a new self-signed certificate for 127.0.0.1 and
// localhost, and its key, as PEM files in dir; pool trusts it. Any test
// server can serve it.
func CertFiles(t testing.TB, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	cert, pool, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pool
}
