package mailout_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"mailbot/internal/smtptest"
	"mailbot/mailbot/mailout"
)

func TestSMTPSenderTLSAndAuth(t *testing.T) {
	t.Parallel()
	msg := []byte("From: a@example.test\r\nTo: b@example.test\r\nSubject: hi\r\n\r\nhello\r\n")
	cases := []struct {
		name      string
		server    smtptest.Options
		client    mailout.SMTPOptions
		trust     bool
		wantErr   string
		permanent bool
		relay     error // a problem of the relay's, which holds every message back
	}{
		{name: "STARTTLS with PLAIN", server: smtptest.Options{TLS: "starttls", Username: "relay", Password: "pw"},
			client: mailout.SMTPOptions{TLS: mailout.TLSStartTLS, Username: "relay", Password: "pw"}, trust: true},
		{name: "implicit TLS with LOGIN", server: smtptest.Options{TLS: "tls", Username: "relay", Password: "pw"},
			client: mailout.SMTPOptions{TLS: mailout.TLSImplicit, Username: "relay", Password: "pw", AuthMechanism: "LOGIN"}, trust: true},
		{name: "wrong password", server: smtptest.Options{TLS: "starttls", Username: "relay", Password: "pw"},
			client: mailout.SMTPOptions{TLS: mailout.TLSStartTLS, Username: "relay", Password: "nope"}, trust: true,
			wantErr: "535", relay: mailout.ErrRelayAuth},
		{name: "untrusted certificate", server: smtptest.Options{TLS: "starttls"},
			client: mailout.SMTPOptions{TLS: mailout.TLSStartTLS}, wantErr: "x509", relay: mailout.ErrRelayUntrusted},
		{name: "untrusted certificate, implicit TLS", server: smtptest.Options{TLS: "tls"},
			client: mailout.SMTPOptions{TLS: mailout.TLSImplicit}, wantErr: "x509", relay: mailout.ErrRelayUntrusted},
		{name: "no STARTTLS offered", server: smtptest.Options{},
			client: mailout.SMTPOptions{TLS: mailout.TLSStartTLS}, trust: true, wantErr: "STARTTLS", relay: mailout.ErrRelayTLS},
		{name: "AUTH needed, none configured", server: smtptest.Options{TLS: "starttls", Username: "relay", Password: "pw"},
			client: mailout.SMTPOptions{TLS: mailout.TLSStartTLS}, trust: true, wantErr: "530", relay: mailout.ErrRelayAuth},
	}
	for _, c := range cases {
		srv := smtptest.StartWith(t, c.server)
		c.client.Addr = srv.Addr
		if c.trust {
			c.client.RootCAs = srv.CertPool
		}
		sender, err := mailout.NewSMTPSender(c.client)
		if err != nil {
			t.Fatal(err)
		}
		// Two messages over one connection.
		for i := range 2 {
			err = sender.Send(t.Context(), "a@example.test", []string{"b@example.test"}, msg)
			if err != nil || i == 1 {
				break
			}
		}
		sender.Close()
		var se *mailout.SendError
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr == "" && len(srv.Messages()) != 2:
			t.Errorf("%s: server got %d messages, want 2", c.name, len(srv.Messages()))
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: err = %v, want one mentioning %q", c.name, err, c.wantErr)
		case c.wantErr != "" && (!errors.As(err, &se) || se.Permanent != c.permanent || se.Relay != (c.relay != nil)):
			t.Errorf("%s: err = %#v, want permanent=%v, relay=%v", c.name, err, c.permanent, c.relay)
		case c.relay != nil && !errors.Is(err, c.relay):
			t.Errorf("%s: err = %v, want %v", c.name, err, c.relay)
		}
	}
}

func TestSMTPSenderOptions(t *testing.T) {
	t.Parallel()
	for _, opts := range []mailout.SMTPOptions{{}, {Addr: "no-port"}, {Addr: "h:25", TLS: "ssl"}, {Addr: "h:25", AuthMechanism: "CRAM-MD5"},
		{Addr: "h:25", AuthMechanism: "XOAUTH2"}, {Addr: "h:25", HELO: "two words"}} {
		if _, err := mailout.NewSMTPSender(opts); err == nil {
			t.Errorf("NewSMTPSender(%+v) accepted", opts)
		}
	}
}

// Check finds at start what sending would meet: an untrusted certificate
// until the relay's CA is trusted, a refused log-in.
func TestSMTPSenderCheck(t *testing.T) {
	t.Parallel()
	srv := smtptest.StartWith(t, smtptest.Options{TLS: "starttls", Username: "relay", Password: "pw"})
	opts := mailout.SMTPOptions{Addr: srv.Addr, Username: "relay", Password: "pw"}
	check := func(opts mailout.SMTPOptions) error {
		sender, err := mailout.NewSMTPSender(opts)
		if err != nil {
			t.Fatal(err)
		}
		return sender.Check(t.Context())
	}
	if err := check(opts); !errors.Is(err, mailout.ErrRelayUntrusted) {
		t.Errorf("untrusted relay: %v, want ErrRelayUntrusted", err)
	}
	opts.RootCAs = srv.CertPool
	if err := check(opts); err != nil {
		t.Errorf("trusted relay: %v", err)
	}
	opts.Password = "wrong"
	if err := check(opts); !errors.Is(err, mailout.ErrRelayAuth) || !strings.Contains(err.Error(), "535") {
		t.Errorf("wrong password: %v, want ErrRelayAuth with the relay's reply", err)
	}
	opts.Addr = smtptest.FreeAddr(t)
	if err := check(opts); err == nil || errors.Is(err, mailout.ErrRelayAuth) || !strings.Contains(err.Error(), "connect") {
		t.Errorf("no relay: %v, want a connection error", err)
	}
}

// The relay sees the configured name in EHLO, over TLS and without.
func TestSMTPSenderHELO(t *testing.T) {
	t.Parallel()
	msg := []byte("From: a@example.test\r\nTo: b@example.test\r\nSubject: hi\r\n\r\nhello\r\n")
	for _, mode := range []string{mailout.TLSStartTLS, mailout.TLSImplicit, mailout.TLSNone} {
		server := smtptest.Options{TLS: mode}
		if mode == mailout.TLSNone {
			server.TLS = ""
		}
		srv := smtptest.StartWith(t, server)
		sender, err := mailout.NewSMTPSender(mailout.SMTPOptions{Addr: srv.Addr, TLS: mode, RootCAs: srv.CertPool, HELO: "mail.example.test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := sender.Send(t.Context(), "a@example.test", []string{"b@example.test"}, msg); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		sender.Close()
		if got := srv.Messages(); len(got) != 1 || got[0].Hello != "mail.example.test" {
			t.Errorf("%s: the relay saw %+v, want EHLO mail.example.test", mode, got)
		}
	}
}

// XOAUTH2 logs in with a token from the token source; a bad token is a
// refused log-in like a bad password.
func TestSMTPSenderXOAuth2(t *testing.T) {
	t.Parallel()
	srv := smtptest.StartWith(t, smtptest.Options{TLS: "tls", Username: "bot@example.test", Password: "unused", Token: "ya29.good"})
	token := "ya29.good"
	opts := mailout.SMTPOptions{Addr: srv.Addr, TLS: mailout.TLSImplicit, RootCAs: srv.CertPool, Username: "bot@example.test",
		AuthMechanism: "XOAUTH2", Token: func(context.Context) (string, error) { return token, nil }}
	sender, err := mailout.NewSMTPSender(opts)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("From: a@example.test\r\nTo: b@example.test\r\nSubject: hi\r\n\r\nhello\r\n")
	if err := sender.Send(t.Context(), "bot@example.test", []string{"b@example.test"}, msg); err != nil {
		t.Fatal(err)
	}
	sender.Close()
	if len(srv.Messages()) != 1 || srv.OAuthLogins.Load() != 1 {
		t.Errorf("%d messages, %d XOAUTH2 logins; want 1 and 1", len(srv.Messages()), srv.OAuthLogins.Load())
	}
	token = "ya29.expired"
	if err := sender.Check(t.Context()); !errors.Is(err, mailout.ErrRelayAuth) {
		t.Errorf("bad token: %v, want ErrRelayAuth", err)
	}
}
