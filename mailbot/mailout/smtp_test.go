package mailout_test

import (
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
	}{
		{name: "STARTTLS with PLAIN", server: smtptest.Options{TLS: "starttls", Username: "relay", Password: "pw"},
			client: mailout.SMTPOptions{TLS: mailout.TLSStartTLS, Username: "relay", Password: "pw"}, trust: true},
		{name: "implicit TLS with LOGIN", server: smtptest.Options{TLS: "tls", Username: "relay", Password: "pw"},
			client: mailout.SMTPOptions{TLS: mailout.TLSImplicit, Username: "relay", Password: "pw", AuthMechanism: "LOGIN"}, trust: true},
		{name: "wrong password", server: smtptest.Options{TLS: "starttls", Username: "relay", Password: "pw"},
			client: mailout.SMTPOptions{TLS: mailout.TLSStartTLS, Username: "relay", Password: "nope"}, trust: true,
			wantErr: "535", permanent: true},
		{name: "untrusted certificate", server: smtptest.Options{TLS: "starttls"},
			client: mailout.SMTPOptions{TLS: mailout.TLSStartTLS}, wantErr: "certificate"},
		{name: "no STARTTLS offered", server: smtptest.Options{},
			client: mailout.SMTPOptions{TLS: mailout.TLSStartTLS}, trust: true, wantErr: "STARTTLS"},
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
		case c.wantErr != "" && (!errors.As(err, &se) || se.Permanent != c.permanent):
			t.Errorf("%s: err = %#v, want permanent=%v", c.name, err, c.permanent)
		}
	}
}

func TestSMTPSenderOptions(t *testing.T) {
	t.Parallel()
	for _, opts := range []mailout.SMTPOptions{{}, {Addr: "no-port"}, {Addr: "h:25", TLS: "ssl"}, {Addr: "h:25", AuthMechanism: "CRAM-MD5"}} {
		if _, err := mailout.NewSMTPSender(opts); err == nil {
			t.Errorf("NewSMTPSender(%+v) accepted", opts)
		}
	}
}
