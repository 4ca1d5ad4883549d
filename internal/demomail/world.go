// Package demomail is the demo's own little mail world, in process: an SMTP
// server that delivers to in-memory IMAP mailboxes, one per demo person and
// one for the service's replies. The service talks to it exactly as it
// talks to real servers in production, and a person can point a mail
// client at it.
package demomail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
)

// Options say who lives in the world and where it listens.
type Options struct {
	SMTPAddr string // e.g. 127.0.0.1:2525
	IMAPAddr string // e.g. 127.0.0.1:1143
	Users    []string
	Password string // every user's IMAP password
	// BotUser owns the mailbox replies are delivered to.
	BotUser string
	// IsReplyAddress tells the reply addresses, delivered to BotUser.
	IsReplyAddress func(addr string) bool
	MaxBytes       int64
}

// World is the running mail servers.
type World struct {
	opts  Options
	mem   *imapmemserver.Server
	users map[string]*imapmemserver.User
	imap  *imapserver.Server
	smtp  *smtp.Server
}

// Start listens on both addresses. The listeners are taken before anything
// else runs, so a port in use is reported at once. Every mailbox's
// UIDVALIDITY is the start time in seconds, so a restarted world, whose
// mail is gone, never reuses the UIDs a client remembers.
func Start(opts Options) (*World, error) { return start(opts, time.Now()) }

func start(opts Options, now time.Time) (*World, error) {
	w := &World{opts: opts, mem: imapmemserver.New(), users: map[string]*imapmemserver.User{}}
	epoch := uint32(now.Unix())
	for _, u := range append([]string{opts.BotUser}, opts.Users...) {
		user := imapmemserver.NewUser(strings.ToLower(u), opts.Password)
		if err := user.Create("INBOX", nil); err != nil {
			return nil, err
		}
		w.mem.AddUser(user)
		w.users[strings.ToLower(u)] = user
	}
	imapLn, err := net.Listen("tcp", opts.IMAPAddr)
	if err != nil {
		return nil, &ListenError{Server: "imap", Err: err}
	}
	smtpLn, err := net.Listen("tcp", opts.SMTPAddr)
	if err != nil {
		imapLn.Close()
		return nil, &ListenError{Server: "smtp", Err: err}
	}
	w.imap = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return newEpochSession(w.mem.NewSession(), epoch), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}},
		InsecureAuth: true, // loopback only, demo passwords
		Logger:       log.New(io.Discard, "", 0),
	})
	w.smtp = smtp.NewServer(w)
	w.smtp.Domain = "mailbot.test"
	w.smtp.MaxMessageBytes = opts.MaxBytes
	w.smtp.AllowInsecureAuth = true
	w.smtp.ReadTimeout, w.smtp.WriteTimeout = time.Minute, time.Minute
	go w.imap.Serve(imapLn)
	go w.smtp.Serve(smtpLn)
	return w, nil
}

// Close stops both servers.
func (w *World) Close() {
	w.smtp.Close()
	w.imap.Close()
}

// Deliver puts a message into a user's INBOX.
func (w *World) Deliver(user string, raw []byte) error {
	u, ok := w.users[strings.ToLower(user)]
	if !ok {
		return fmt.Errorf("no mailbox for %s", user)
	}
	_, err := u.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: time.Now()})
	return err
}

type literal struct {
	*bytes.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

// NewSession implements smtp.Backend.
func (w *World) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{w: w}, nil }

type session struct {
	w    *World
	to   []string // mailboxes
	rcpt []string // the addresses they were sent to
	from string
}

var errNoMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox in the demo"}

func (s *session) Reset()        { s.to, s.rcpt, s.from = nil, nil, "" }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	to = strings.ToLower(to)
	switch {
	case s.w.opts.IsReplyAddress != nil && s.w.opts.IsReplyAddress(to):
		s.to = append(s.to, s.w.opts.BotUser)
	case s.w.users[to] != nil:
		s.to = append(s.to, to)
	default:
		return errNoMailbox
	}
	s.rcpt = append(s.rcpt, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	var errs []error
	for i, to := range s.to {
		// Delivery headers, as a real MTA adds them.
		msg := append([]byte("Delivered-To: "+s.rcpt[i]+"\r\nReturn-Path: <"+s.from+">\r\n"), raw...)
		errs = append(errs, s.w.Deliver(to, msg))
	}
	return errors.Join(errs...)
}

// ListenError is a mail server of the world that could not listen on its
// address.
type ListenError struct {
	Server string // "smtp" or "imap"
	Err    error
}

func (e *ListenError) Error() string { return e.Server + ": " + e.Err.Error() }
func (e *ListenError) Unwrap() error { return e.Err }
