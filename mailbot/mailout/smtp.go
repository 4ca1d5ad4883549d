package mailout

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mailbot/internal/xoauth2"
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
	// AuthMechanism is "PLAIN" (default), "LOGIN" or "XOAUTH2" (with Token).
	AuthMechanism string
	// Token gives the OAuth 2.0 access tokens XOAUTH2 logs in with.
	Token xoauth2.TokenFunc
	// HELO is the name this service gives itself in EHLO; default
	// "localhost". With STARTTLS, the EHLO before it (which the relay must
	// forget) says "localhost" whatever this is.
	HELO string
	// RootCAs verifies the relay's certificate; nil means the system's roots.
	RootCAs *x509.CertPool
	// InsecureSkipVerify accepts any server certificate. Never in production.
	InsecureSkipVerify bool
	DialTimeout        time.Duration // default 10s
	CommandTimeout     time.Duration // default 30s, for each command and the final dot
}

// Problems with the relay itself, which no single message causes: every
// message would meet them, so they hold the whole outbox back rather than
// fail its notifications one by one.
var (
	ErrRelayUntrusted = errors.New("the relay's certificate is not trusted")
	ErrRelayTLS       = errors.New("TLS with the relay failed")
	ErrRelayAuth      = errors.New("the relay refused the log-in")
)

// SendError is a failed delivery, with whether trying again can help.
type SendError struct {
	Permanent bool
	// Relay is a problem of the relay's (ErrRelayUntrusted, ErrRelayTLS,
	// ErrRelayAuth), not of the message: it waits until the relay is fixed.
	Relay bool
	// Interrupted: the sender stopped (its context ended) before the
	// message was handed to the relay; nothing was sent.
	Interrupted bool
	Err         error
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
	case xoauth2.Mechanism:
		if opts.Token == nil {
			return nil, errors.New("smtp: XOAUTH2 needs a token source")
		}
	default:
		return nil, fmt.Errorf("smtp: auth mechanism %q: want PLAIN, LOGIN or XOAUTH2", opts.AuthMechanism)
	}
	if opts.HELO == "" {
		opts.HELO = "localhost"
	}
	if strings.ContainsAny(opts.HELO, " \t\r\n") {
		return nil, fmt.Errorf("smtp: HELO name %q: want a host name", opts.HELO)
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
			if ctx.Err() != nil {
				return &SendError{Interrupted: true, Err: fmt.Errorf("smtp: stopped while connecting: %w", err)}
			}
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

// Check connects, says EHLO, sets up TLS and logs in, as sending would,
// and says goodbye: it finds what would hold every message back.
func (s *SMTPSender) Check(ctx context.Context) error {
	c, err := s.dial(ctx)
	if err != nil {
		return classify(err)
	}
	if c.Quit() != nil {
		c.Close()
	}
	return nil
}

func (s *SMTPSender) dial(ctx context.Context) (*smtp.Client, error) {
	conn, err := (&net.Dialer{Timeout: s.opts.DialTimeout}).DialContext(ctx, "tcp", s.opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("smtp: connect to %s: %w", s.opts.Addr, err)
	}
	// The greeting, EHLO and AUTH get the command timeout too, and end
	// when ctx does: a relay that does not greet must not hold a
	// shutdown. Once connected, a message being sent is let finish.
	conn.SetDeadline(time.Now().Add(s.opts.CommandTimeout))
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	c, err := s.hello(ctx, conn)
	if err != nil {
		stop()
		conn.Close()
		return nil, err
	}
	c.CommandTimeout, c.SubmissionTimeout = s.opts.CommandTimeout, s.opts.CommandTimeout
	if err := s.auth(ctx, c); err != nil {
		stop()
		c.Close()
		return nil, err
	}
	if !stop() {
		c.Close() // ctx ended as the log-in finished: the deadline is spent
		return nil, ctx.Err()
	}
	conn.SetDeadline(time.Time{})
	return c, nil
}

// hello sets up TLS as configured and says EHLO with the configured name.
func (s *SMTPSender) hello(ctx context.Context, conn net.Conn) (*smtp.Client, error) {
	host, _, _ := net.SplitHostPort(s.opts.Addr)
	tlsConfig := &tls.Config{ServerName: host, RootCAs: s.opts.RootCAs, InsecureSkipVerify: s.opts.InsecureSkipVerify}
	var c *smtp.Client
	switch s.opts.TLS {
	case TLSImplicit:
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, tlsTrouble(s.opts.Addr, err)
		}
		c = smtp.NewClient(tc)
	case TLSStartTLS:
		var err error
		if c, err = smtp.NewClientStartTLS(conn, tlsConfig); err != nil {
			if !netOrReply(err) { // the relay offers no STARTTLS
				return nil, fmt.Errorf("smtp: %w: %s offers no STARTTLS (set the TLS mode to tls, or none for a loopback relay): %w",
					ErrRelayTLS, s.opts.Addr, err)
			}
			return nil, fmt.Errorf("smtp: STARTTLS with %s: %w", s.opts.Addr, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	// After STARTTLS the handshake happens here, on the first command.
	if err := c.Hello(s.opts.HELO); err != nil {
		return nil, tlsTrouble(s.opts.Addr, err)
	}
	return c, nil
}

// tlsTrouble marks a failed TLS handshake as the relay's problem; other
// errors (a dropped connection, a refused EHLO) pass as they are.
func tlsTrouble(addr string, err error) error {
	var verify *tls.CertificateVerificationError
	var alert tls.AlertError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &verify):
		return fmt.Errorf("smtp: %s: %w (%w)", addr, ErrRelayUntrusted, err)
	case errors.As(err, &alert), errors.As(err, &record):
		return fmt.Errorf("smtp: %s: %w (%w)", addr, ErrRelayTLS, err)
	}
	return fmt.Errorf("smtp: hello to %s: %w", addr, err)
}

// netOrReply says err is a network failure or an SMTP reply, not
// something the client found wrong with the relay's offer.
func netOrReply(err error) bool {
	var netErr net.Error
	var smtpErr *smtp.SMTPError
	return errors.As(err, &netErr) || errors.As(err, &smtpErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func (s *SMTPSender) auth(ctx context.Context, c *smtp.Client) error {
	if s.opts.Username == "" {
		return nil
	}
	var auth sasl.Client
	switch strings.ToUpper(s.opts.AuthMechanism) {
	case "LOGIN":
		auth = sasl.NewLoginClient(s.opts.Username, s.opts.Password)
	case xoauth2.Mechanism:
		token, err := s.opts.Token(ctx)
		if err == nil && token == "" {
			err = errors.New("the token endpoint returned an empty access token")
		}
		if err != nil {
			return fmt.Errorf("smtp: %w: OAuth token for %s: %w", ErrRelayAuth, s.opts.Username, err)
		}
		auth = xoauth2.NewClient(s.opts.Username, token)
	default:
		auth = sasl.NewPlainClient("", s.opts.Username, s.opts.Password)
	}
	err := c.Auth(auth)
	var netErr net.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &netErr) || errors.Is(err, io.EOF):
		return fmt.Errorf("smtp: AUTH: %w", err)
	}
	return fmt.Errorf("smtp: %w as %s: %w", ErrRelayAuth, s.opts.Username, err)
}

// classify sorts an error into the relay's problems (TLS, AUTH), permanent
// (other 5xx replies) and transient (4xx replies, network trouble).
func classify(err error) error {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	if errors.Is(err, ErrRelayUntrusted) || errors.Is(err, ErrRelayTLS) || errors.Is(err, ErrRelayAuth) {
		return &SendError{Relay: true, Err: err}
	}
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) && smtpErr.Code == 530 { // authentication (or TLS) required
		return &SendError{Relay: true, Err: fmt.Errorf("%w: %w", ErrRelayAuth, err)}
	}
	if errors.As(err, &smtpErr) {
		return &SendError{Permanent: smtpErr.Code >= 500, Err: err}
	}
	return &SendError{Permanent: false, Err: err}
}
