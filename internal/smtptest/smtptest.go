// Package smtptest runs a real go-smtp server in process that records every
// message it accepts and can be told to refuse mail, for tests.
package smtptest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one accepted message with its envelope.
type Message struct {
	From string
	To   []string
	Data []byte
	// Hello is the name the client gave in its last HELO or EHLO.
	Hello string
}

// Server is a recording SMTP server on 127.0.0.1.
type Server struct {
	Addr     string
	CertPool *x509.CertPool // trusts the server's certificate (StartWith)
	CertPEM  []byte         // the server's certificate (StartWith)
	opts     Options

	// OAuthLogins counts logins with XOAUTH2 and Options.Token.
	OAuthLogins atomic.Int64

	mu       sync.Mutex
	msgs     []Message
	refuse   func(n int) *smtp.SMTPError
	attempts int
	srv      *smtp.Server
	arrived  chan struct{}
}

// Start runs a server on a free port; it stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{arrived: make(chan struct{}, 1)}
	if err := s.listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartAt runs a server on addr, for a test that brings a server up late.
func StartAt(t testing.TB, addr string) *Server {
	t.Helper()
	s := &Server{arrived: make(chan struct{}, 1)}
	if err := s.listen(addr); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// FreeAddr returns a loopback address nothing listens on yet, for a server
// a test starts later (often another process). The port is drawn below the
// kernel's ephemeral range (32768 and up on Linux): a port from that range
// can be taken meanwhile as the source port of any outgoing connection, and
// the server then fails to bind it.
func FreeAddr(t testing.TB) string {
	t.Helper()
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))
		if l, err := net.Listen("tcp", addr); err == nil {
			l.Close()
			return addr
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *Server) listen(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.serve(l, nil)
	return nil
}

func (s *Server) serve(l net.Listener, starttls *tls.Config) {
	s.Addr = l.Addr().String()
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.MaxRecipients = 50
	s.srv.TLSConfig = starttls
	go s.srv.Serve(l)
}

// Stop closes the server and every open connection.
func (s *Server) Stop() { s.srv.Close() }

// Refuse sets how the server answers the end of DATA: fn gets the number of
// delivery attempts so far (from 1) and returns the error to answer with, or
// nil to accept. A nil fn accepts everything.
func (s *Server) Refuse(fn func(attempt int) *smtp.SMTPError) {
	s.mu.Lock()
	s.refuse, s.attempts = fn, 0
	s.mu.Unlock()
}

// Messages returns a copy of what the server accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitFor waits until n messages were accepted or the timeout passed, and
// returns what arrived.
func (s *Server) WaitFor(n int, timeout time.Duration) []Message {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if msgs := s.Messages(); len(msgs) >= n {
			return msgs
		}
		select {
		case <-s.arrived:
		case <-deadline.C:
			return s.Messages()
		}
	}
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, conn: c}, nil }

// errAuthRequired is what Gmail and Microsoft 365 answer to mail from a
// client that has not logged in.
var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

type session struct {
	s      *Server
	conn   *smtp.Conn
	from   string
	to     []string
	authed bool
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.opts.Username != "" && !se.authed {
		return errAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := se.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if s.refuse != nil {
		if e := s.refuse(s.attempts); e != nil {
			return e
		}
	}
	if len(se.to) == 0 {
		return errors.New("smtptest: no envelope")
	}
	s.msgs = append(s.msgs, Message{From: se.from, To: append([]string(nil), se.to...), Data: data, Hello: se.conn.Hostname()})
	select {
	case s.arrived <- struct{}{}:
	default:
	}
	return nil
}
