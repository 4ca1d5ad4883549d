// Package imaptest runs go-imap's in-memory IMAP server on loopback for
// tests, with a client to append mail and read flags the way a person's
// mail client would.
package imaptest

import (
	"bytes"
	"io"
	"log"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

// Server is an IMAP server with one user.
type Server struct {
	Addr     string
	Username string
	Password string
	User     *imapmemserver.User
	// OAuthLogins counts logins with the token set by SetToken.
	OAuthLogins atomic.Int64
	token       atomic.Pointer[string]
	srv         *imapserver.Server
	ln          net.Listener
}

// Start runs a server with user "bot" / "secret" owning INBOX; it stops when
// the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{Username: "bot", Password: "secret"}
	s.newUser(t)
	if err := s.listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// newUser gives the server a new user with an empty INBOX. Every new INBOX
// has UIDVALIDITY 1 and its UIDs start at 1.
func (s *Server) newUser(t testing.TB) {
	t.Helper()
	s.User = imapmemserver.NewUser(s.Username, s.Password)
	if err := s.User.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
}

// SetToken makes the server accept token with XOAUTH2 for the user (as
// Gmail and Microsoft 365 do), besides the password with LOGIN.
func (s *Server) SetToken(token string) { s.token.Store(&token) }

func (s *Server) oauthToken() string {
	if t := s.token.Load(); t != nil {
		return *t
	}
	return ""
}

func (s *Server) listen(addr string) error {
	// The connections of this listener see this user even when a restart
	// gives the server a new one.
	user, mem := s.User, imapmemserver.New()
	mem.AddUser(user)
	s.srv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			if s.oauthToken() != "" {
				return &oauthSession{UserSession: imapmemserver.NewUserSession(user), s: s}, nil, nil
			}
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}, imap.CapSASLIR: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// A restart listens on the address it had: Addr is written once, before
	// anyone reads it, so clients may read it while the server restarts.
	if s.Addr == "" {
		s.Addr = ln.Addr().String()
	}
	s.ln = ln
	go s.srv.Serve(ln)
	return nil
}

// Stop closes the server and its connections; the mail stays in memory.
func (s *Server) Stop() { s.srv.Close() }

// Restart stops the server and starts it again on the same address with the
// same mail, as a server restart would.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	s.relisten(t)
}

// RestartEmpty stops the server and starts it again on the same address
// with an empty INBOX under the same UIDVALIDITY, as a server that keeps
// mail in memory does: its UIDs start again at 1, breaking their promise.
func (s *Server) RestartEmpty(t testing.TB) {
	t.Helper()
	s.Stop()
	s.newUser(t)
	s.relisten(t)
}

func (s *Server) relisten(t testing.TB) {
	t.Helper()
	var err error
	for range 50 { // the port can take a moment to be free again
		if err = s.listen(s.Addr); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal(err)
}

// Client logs in as the user.
func (s *Server) Client(t testing.TB) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Append puts a raw message into INBOX and returns its UID.
func Append(t testing.TB, c *imapclient.Client, raw []byte) imap.UID {
	t.Helper()
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := io.Copy(cmd, bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return data.UID
}

// Seen lists the UIDs in INBOX that carry \Seen, and how many messages it has.
func Seen(t testing.TB, c *imapclient.Client) (seen []imap.UID, total int) {
	t.Helper()
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil, 0
	}
	all, err := c.Fetch(seqAll(), &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		for _, f := range m.Flags {
			if f == imap.FlagSeen {
				seen = append(seen, m.UID)
			}
		}
	}
	return seen, len(all)
}

// oauthSession is the user's session, reached by LOGIN with the password
// or by XOAUTH2 with the server's token.
type oauthSession struct {
	*imapmemserver.UserSession
	s *Server
}

func (o *oauthSession) Login(username, password string) error {
	if username != o.s.Username || password != o.s.Password {
		return imapserver.ErrAuthFailed
	}
	return nil
}

func (o *oauthSession) AuthenticateMechanisms() []string { return []string{"XOAUTH2"} }

func (o *oauthSession) Authenticate(mech string) (sasl.Server, error) {
	if mech != "XOAUTH2" {
		return nil, imapserver.ErrAuthFailed
	}
	return &xoauth2Server{s: o.s}, nil
}

// xoauth2Server checks "user=U\x01auth=Bearer T\x01\x01"; on a wrong
// token it sends a JSON status and fails on the client's empty answer.
type xoauth2Server struct {
	s      *Server
	failed bool
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, imapserver.ErrAuthFailed
	}
	if response == nil {
		return []byte{}, false, nil // ask for the initial response
	}
	want := "user=" + x.s.Username + "\x01auth=Bearer " + x.s.oauthToken() + "\x01\x01"
	if string(response) != want {
		x.failed = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.example.test/"}`), false, nil
	}
	x.s.OAuthLogins.Add(1)
	return nil, true, nil
}

func seqAll() imap.SeqSet {
	var s imap.SeqSet
	s.AddRange(1, 0)
	return s
}
