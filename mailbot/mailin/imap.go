package mailin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbot/internal/backoff"
	"mailbot/threads"
)

// IMAPOptions say which mailbox the poller reads and how.
type IMAPOptions struct {
	Addr     string // host:port
	TLS      string // "tls" (default, port 993), "starttls" or "none" (loopback only)
	Username string
	Password string
	// Token, when set, logs in with XOAUTH2 and the token it returns
	// instead of the password (Gmail, Microsoft 365).
	Token   TokenFunc
	Mailbox string // default INBOX
	// MoveTo is a folder handled mail is moved to; empty marks it \Seen.
	MoveTo string
	// PollInterval is how often the mailbox is searched even without news,
	// since some servers drop IDLE silently. Default 1 minute.
	PollInterval time.Duration
	// StandbyInterval is how often a poller that does not hold the mailbox
	// tries to take it over. Default 5 seconds.
	StandbyInterval time.Duration
	// Batch is how many messages are fetched at once. Default 200.
	Batch int
	// Workers is how many messages are processed at once; one sender's
	// mail always goes through one worker, in order. Default 4.
	Workers            int
	RootCAs            *x509.CertPool
	InsecureSkipVerify bool
	Logger             *slog.Logger
}

// StateStore keeps the mailbox's progress and the lock that makes one poller
// active per mailbox.
type StateStore interface {
	MailboxState(ctx context.Context, mailbox string) (threads.MailboxState, error)
	SetMailboxState(ctx context.Context, mailbox string, uidValidity, lastUID uint32) error
	TryLock(ctx context.Context, key string) (*threads.Lock, bool, error)
}

// PollerStatus is what the health page shows of a poller.
type PollerStatus struct {
	Active    bool // holds the mailbox's lock
	Connected bool
	Idling    bool // waiting in IDLE for news
	LastSync  time.Time
	LastError string
}

// Poller reads replies from an IMAP mailbox into the pipeline.
type Poller struct {
	pipe  *Pipeline
	store StateStore
	opts  IMAPOptions
	key   string
	log   *slog.Logger

	mu       sync.Mutex
	status   PollerStatus
	failures map[imap.UID]int
}

// NewPoller checks the options and returns a poller.
func NewPoller(pipe *Pipeline, store StateStore, opts IMAPOptions) (*Poller, error) {
	if _, _, err := net.SplitHostPort(opts.Addr); err != nil {
		return nil, fmt.Errorf("imap: server address %q: want host:port", opts.Addr)
	}
	switch opts.TLS {
	case "":
		opts.TLS = "tls"
	case "tls", "starttls", "none":
	default:
		return nil, fmt.Errorf("imap: TLS mode %q: want tls, starttls or none", opts.TLS)
	}
	if opts.Username == "" {
		return nil, errors.New("imap: no user name")
	}
	if opts.Mailbox == "" {
		opts.Mailbox = "INBOX"
	}
	setDefault(&opts.PollInterval, time.Minute)
	setDefault(&opts.StandbyInterval, 5*time.Second)
	if opts.Batch <= 0 {
		opts.Batch = 200
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	p := &Poller{pipe: pipe, store: store, opts: opts, log: opts.Logger,
		key: "imap:" + opts.Username + "@" + opts.Addr + "/" + opts.Mailbox}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.log = p.log.With(slog.String("mailbox", opts.Mailbox), slog.String("imap_server", opts.Addr))
	return p, nil
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// Status returns the poller's current state.
func (p *Poller) Status() PollerStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

func (p *Poller) setStatus(f func(*PollerStatus)) {
	p.mu.Lock()
	f(&p.status)
	p.mu.Unlock()
}

// Run polls until ctx ends. It waits on standby while another process holds
// the mailbox, and reconnects after errors with capped backoff and jitter.
func (p *Poller) Run(ctx context.Context) error {
	failures := 0
	for ctx.Err() == nil {
		lock, ok, err := p.store.TryLock(ctx, p.key)
		if err != nil || !ok {
			p.setStatus(func(s *PollerStatus) { s.Active, s.Connected = false, false })
			backoff.Sleep(ctx, backoff.Jitter(p.opts.StandbyInterval))
			continue
		}
		p.setStatus(func(s *PollerStatus) { s.Active = true })
		p.log.Info("holding the mailbox")
		started := time.Now()
		err = p.session(ctx, lock)
		lock.Release()
		p.setStatus(func(s *PollerStatus) { s.Active, s.Connected = false, false })
		if ctx.Err() != nil {
			return nil
		}
		if p.Status().LastSync.After(started) {
			failures = 0 // the session worked for a while: start backing off afresh
		}
		failures++
		p.setStatus(func(s *PollerStatus) { s.LastError = err.Error() })
		wait := reconnect.Delay(failures)
		p.log.Warn("imap session ended", slog.String("error", err.Error()), slog.Duration("retry_in", wait))
		backoff.Sleep(ctx, backoff.Jitter(wait))
	}
	return nil
}

// reconnect is how long the poller waits after a session ends in an error:
// 2 s, doubling with each failure in a row, at most a minute.
var reconnect = backoff.Policy{Base: 2 * time.Second, Most: time.Minute}

// session connects, reads everything new, then waits for news with IDLE (or
// polling) until an error or ctx ends.
func (p *Poller) session(ctx context.Context, lock *threads.Lock) error {
	news := make(chan struct{}, 1)
	c, err := p.dial(news)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := p.logIn(ctx, c); err != nil {
		return err
	}
	sel, err := c.Select(p.opts.Mailbox, nil).Wait()
	if err != nil {
		return fmt.Errorf("imap: select %s: %w", p.opts.Mailbox, err)
	}
	p.setStatus(func(s *PollerStatus) { s.Connected = true })
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := p.checkUIDNext(ctx, sel); err != nil {
		return err
	}
	for {
		if err := lock.Alive(ctx); err != nil {
			return err
		}
		if err := p.sync(ctx, c, sel.UIDValidity); err != nil {
			return err
		}
		p.setStatus(func(s *PollerStatus) { s.LastSync, s.LastError = time.Now(), "" })
		if err := p.wait(ctx, c, news); err != nil {
			return err
		}
	}
}

func (p *Poller) dial(news chan struct{}) (*imapclient.Client, error) {
	host, _, _ := net.SplitHostPort(p.opts.Addr)
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{ServerName: host, RootCAs: p.opts.RootCAs, InsecureSkipVerify: p.opts.InsecureSkipVerify},
		Dialer:    &net.Dialer{Timeout: 30 * time.Second},
		// Runs on the reader goroutine: hand off, never issue commands here.
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					select {
					case news <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var c *imapclient.Client
	var err error
	switch p.opts.TLS {
	case "tls":
		c, err = imapclient.DialTLS(p.opts.Addr, opts)
	case "starttls":
		c, err = imapclient.DialStartTLS(p.opts.Addr, opts)
	default:
		c, err = imapclient.DialInsecure(p.opts.Addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("imap: connect to %s: %w", p.opts.Addr, err)
	}
	return c, nil
}

// wait returns when the server announces new mail, the poll interval passes
// or ctx ends. It uses IDLE when the server has it.
func (p *Poller) wait(ctx context.Context, c *imapclient.Client, news chan struct{}) error {
	timer := time.NewTimer(p.opts.PollInterval)
	defer timer.Stop()
	if !c.Caps().Has(imap.CapIdle) && !c.Caps().Has(imap.CapIMAP4rev2) {
		select {
		case <-ctx.Done():
		case <-timer.C:
		case <-c.Closed():
			return errors.New("imap: connection closed")
		}
		return ctx.Err()
	}
	// Some servers only report mail that arrived since the last command when
	// something else happens later: ask before idling.
	if err := c.Noop().Wait(); err != nil {
		return fmt.Errorf("imap: noop: %w", err)
	}
	select {
	case <-news:
		return nil
	default:
	}
	idle, err := c.Idle()
	if err != nil {
		return fmt.Errorf("imap: idle: %w", err)
	}
	p.setStatus(func(s *PollerStatus) { s.Idling = true })
	defer p.setStatus(func(s *PollerStatus) { s.Idling = false })
	select {
	case <-ctx.Done():
	case <-news:
	case <-timer.C:
	case <-c.Closed():
	}
	if err := idle.Close(); err != nil {
		return fmt.Errorf("imap: end idle: %w", err)
	}
	if err := idle.Wait(); err != nil {
		return fmt.Errorf("imap: idle: %w", err)
	}
	return ctx.Err()
}

// Check logs in and selects the mailbox once, so a wrong address or
// password is reported at start instead of in a retry loop.
func (p *Poller) Check(ctx context.Context) error {
	c, err := p.dial(make(chan struct{}, 1))
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := p.logIn(ctx, c); err != nil {
		return err
	}
	if _, err := c.Select(p.opts.Mailbox, nil).Wait(); err != nil {
		return fmt.Errorf("imap: select %s: %w", p.opts.Mailbox, err)
	}
	return c.Logout().Wait()
}
