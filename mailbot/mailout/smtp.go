package mailout

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLS modes of the SMTP connection.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS (required)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // plaintext, for a relay on loopback only
)

// SMTPOptions configure the relay notifications are sent through. A nil
// *SMTPOptions is not valid: Addr is needed.
type SMTPOptions struct {
	Addr     string // host:port
	TLS      string // TLSStartTLS (default), TLSImplicit or TLSNone
	Username string // AUTH when set
	Password string
	// AuthMechanism is "PLAIN" (default) or "LOGIN".
	AuthMechanism string
	// RootCAs verifies the relay's certificate; nil means the system's roots.
	RootCAs *x509.CertPool
	// InsecureSkipVerify accepts any server certificate. Never in production.
	InsecureSkipVerify bool
	DialTimeout        time.Duration // default 10s
	CommandTimeout     time.Duration // default 30s, for each command and the final dot
}

// SendError is a failed delivery, with whether trying again can help.
type SendError struct {
	Permanent bool
	Err       error
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// SMTPSender sends through one relay, keeping its connection open between
// messages. It is not safe for concurrent use: give each worker its own.
type SMTPSender struct {
	opts SMTPOptions
	c    *smtp.Client
}

// NewSMTPSender checks the options and returns a sender; it connects lazily.
func NewSMTPSender(opts SMTPOptions) (*SMTPSender, error) {
	if opts.Addr == "" {
		return nil, errors.New("smtp: no relay address")
	}
	if _, _, err := net.SplitHostPort(opts.Addr); err != nil {
		return nil, fmt.Errorf("smtp: relay address %q: want host:port", opts.Addr)
	}
	switch opts.TLS {
	case "":
		opts.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("smtp: TLS mode %q: want starttls, tls or none", opts.TLS)
	}
	switch strings.ToUpper(opts.AuthMechanism) {
	case "", "PLAIN", "LOGIN":
	default:
		return nil, fmt.Errorf("smtp: auth mechanism %q: want PLAIN or LOGIN", opts.AuthMechanism)
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 10 * time.Second
	}
	if opts.CommandTimeout == 0 {
		opts.CommandTimeout = 30 * time.Second
	}
	return &SMTPSender{opts: opts}, nil
}

// Send delivers one message to the recipients, reusing the open connection
// when it still works. Errors are *SendError.
func (s *SMTPSender) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if s.c != nil && s.c.Reset() != nil {
		s.Close() // the relay closed an idle connection: start a new one
	}
	if s.c == nil {
		c, err := s.dial(ctx)
		if err != nil {
			return classify(err)
		}
		s.c = c
	}
	if err := s.c.SendMail(from, to, bytes.NewReader(msg)); err != nil {
		var smtpErr *smtp.SMTPError
		if !errors.As(err, &smtpErr) || smtpErr.Code == 421 {
			s.Close() // the connection is unusable after a network error
		}
		return classify(err)
	}
	return nil
}

// Close ends the connection, politely when it still works.
func (s *SMTPSender) Close() error {
	if s.c == nil {
		return nil
	}
	c := s.c
	s.c = nil
	if err := c.Quit(); err != nil {
		return c.Close()
	}
	return nil
}

func (s *SMTPSender) dial(ctx context.Context) (*smtp.Client, error) {
	host, _, _ := net.SplitHostPort(s.opts.Addr)
	tlsConfig := &tls.Config{ServerName: host, RootCAs: s.opts.RootCAs, InsecureSkipVerify: s.opts.InsecureSkipVerify}
	dialer := &net.Dialer{Timeout: s.opts.DialTimeout}
	var conn net.Conn
	var err error
	if s.opts.TLS == TLSImplicit {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConfig}).DialContext(ctx, "tcp", s.opts.Addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", s.opts.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("smtp: connect to %s: %w", s.opts.Addr, err)
	}
	// The greeting and EHLO get the command timeout too.
	conn.SetDeadline(time.Now().Add(s.opts.CommandTimeout))
	var c *smtp.Client
	if s.opts.TLS == TLSStartTLS {
		if c, err = smtp.NewClientStartTLS(conn, tlsConfig); err != nil {
			conn.Close()
			return nil, fmt.Errorf("smtp: STARTTLS with %s (set the TLS mode to tls or none if it has none): %w", s.opts.Addr, err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout, c.SubmissionTimeout = s.opts.CommandTimeout, s.opts.CommandTimeout
	if err := s.auth(c); err != nil {
		c.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return c, nil
}

func (s *SMTPSender) auth(c *smtp.Client) error {
	if s.opts.Username == "" {
		return nil
	}
	var auth sasl.Client = sasl.NewPlainClient("", s.opts.Username, s.opts.Password)
	if strings.EqualFold(s.opts.AuthMechanism, "LOGIN") {
		auth = sasl.NewLoginClient(s.opts.Username, s.opts.Password)
	}
	if err := c.Auth(auth); err != nil {
		return fmt.Errorf("smtp: AUTH: %w", err)
	}
	return nil
}

// classify sorts an error into permanent (5xx replies) and transient
// (4xx replies, network and TLS trouble).
func classify(err error) error {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) {
		return &SendError{Permanent: smtpErr.Code >= 500, Err: err}
	}
	return &SendError{Permanent: false, Err: err}
}
