package mailin_test

import (
	"github.com/emersion/go-imap/v2/imapclient"

	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mailbot/internal/dovecottest"
	"mailbot/internal/imaptest"
	"mailbot/mailbot/mailin"
)

func (f *fixture) poller(t *testing.T, srv *imaptest.Server) *mailin.Poller {
	t.Helper()
	return f.newPoller(t, srv, testLogger(t))
}

func (f *fixture) benchPoller(b *testing.B, srv *imaptest.Server) *mailin.Poller {
	return f.newPoller(b, srv, nil)
}

func (f *fixture) newPoller(t testing.TB, srv *imaptest.Server, log *slog.Logger) *mailin.Poller {
	t.Helper()
	p, err := mailin.NewPoller(f.pipe, f.store, mailin.IMAPOptions{Addr: srv.Addr, TLS: "none",
		Username: srv.Username, Password: srv.Password,
		// Short polls heal the in-memory server's habit of missing mail that
		// lands just as IDLE starts.
		PollInterval: 2 * time.Second, StandbyInterval: 50 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runBench starts p and returns a function that stops it.
func runBench(p *mailin.Poller) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// testLogger keeps the poller's log and shows it when the test fails.
func testLogger(t *testing.T) *slog.Logger {
	var mu sync.Mutex
	var buf bytes.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			mu.Lock()
			t.Logf("poller log:\n%s", buf.String())
			mu.Unlock()
		}
	})
	return slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// run starts p and returns a function that stops it and waits.
func run(t *testing.T, p *mailin.Poller) func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { p.Run(ctx) })
	stop := func() { cancel(); wg.Wait() }
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds or 15 seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (f *fixture) inboundCount(_ testing.TB, verdict string) int {
	var n int
	f.db.Get(&n, `SELECT count(*) FROM inbound WHERE verdict = $1`, verdict)
	return n
}

func TestIMAPRepliesArePostedWhileIdle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := imaptest.Start(t)
	p := f.poller(t, srv)
	run(t, p)
	waitFor(t, "the poller to connect", func() bool { return p.Status().Connected })
	c := srv.Client(t)
	const n = 30
	var latencies []time.Duration
	for i := range n {
		waitFor(t, "the poller to idle", func() bool { return p.Status().Idling })
		start := time.Now()
		imaptest.Append(t, c, f.raw(reply{body: fmt.Sprintf("Answer number %d.\r\n", i)}))
		waitFor(t, "the reply to be posted", func() bool { return f.inboundCount(t, "posted") == i+1 })
		latencies = append(latencies, time.Since(start))
	}
	slices.Sort(latencies)
	t.Logf("APPEND to committed post while IDLE, %d replies: p50 %v, p99 %v, max %v",
		n, latencies[n/2], latencies[n*99/100], latencies[n-1])
	thread, _ := f.store.Thread(t.Context(), f.client.ID, f.invoice.ID)
	if len(thread) != n+1 || thread[1].Body != "Answer number 0." {
		t.Fatalf("thread has %d messages; first reply %q", len(thread), thread[1].Body)
	}
	var notified int
	f.db.Get(&notified, `SELECT count(*) FROM outbox WHERE recipient_id = $1`, f.accountant.ID)
	if notified != n {
		t.Errorf("%d notifications to the accountant, want %d", notified, n)
	}
	waitFor(t, "every message to be marked seen", func() bool {
		seen, total := imaptest.Seen(t, c)
		return len(seen) == n && total == n
	})
}

func TestIMAPSameMessageTwiceAndCrashBeforeSeen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := imaptest.Start(t)
	c := srv.Client(t)
	twice := f.raw(reply{body: "Delivered twice.\r\n"})
	imaptest.Append(t, c, twice)
	imaptest.Append(t, c, twice)
	// A message committed by a process that died before setting \Seen.
	crashed := f.raw(reply{body: "Committed, then the process died.\r\n"})
	f.ingest(t, crashed)
	imaptest.Append(t, c, crashed)

	run(t, f.poller(t, srv))
	waitFor(t, "all three to be marked seen", func() bool {
		seen, _ := imaptest.Seen(t, c)
		return len(seen) == 3
	})
	if n := f.inboundCount(t, "posted"); n != 2 {
		t.Errorf("%d mails posted, want 2 (one each)", n)
	}
	if n := f.messages(t); n != 3 {
		t.Errorf("%d messages in the thread, want the notification's and two replies", n)
	}
}

func TestIMAPOnePollerPerMailboxWithTakeover(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := imaptest.Start(t)
	a, b := f.poller(t, srv), f.poller(t, srv)
	stopA := run(t, a)
	waitFor(t, "a to take the mailbox", func() bool { return a.Status().Active })
	run(t, b)
	time.Sleep(200 * time.Millisecond) // b tries several times meanwhile
	if b.Status().Active {
		t.Fatal("two pollers hold one mailbox")
	}
	c := srv.Client(t)
	imaptest.Append(t, c, f.raw(reply{body: "While a holds it.\r\n"}))
	waitFor(t, "the first reply", func() bool { return f.inboundCount(t, "posted") == 1 })
	stopA() // a dies; its lock goes with its connection
	waitFor(t, "b to take over", func() bool { return b.Status().Active && b.Status().Idling })
	imaptest.Append(t, c, f.raw(reply{body: "After the takeover.\r\n"}))
	waitFor(t, "the second reply", func() bool { return f.inboundCount(t, "posted") == 2 })
}

func TestIMAPServerRestartAndUIDValidityChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := imaptest.Start(t)
	stop := run(t, f.poller(t, srv))
	c := srv.Client(t)
	imaptest.Append(t, c, f.raw(reply{body: "Before the restart.\r\n"}))
	waitFor(t, "the first reply", func() bool { return f.inboundCount(t, "posted") == 1 })
	srv.Restart(t)
	c = srv.Client(t)
	imaptest.Append(t, c, f.raw(reply{body: "After the restart.\r\n"}))
	waitFor(t, "the reply after the restart", func() bool { return f.inboundCount(t, "posted") == 2 })

	// The server says every UID changed meaning: the poller reads it all
	// again and dedupe keeps the posts single. The state is changed while
	// no poller runs, so none writes its own over it.
	stop()
	key := "imap:" + srv.Username + "@" + srv.Addr + "/INBOX"
	if err := f.store.SetMailboxState(t.Context(), key, 4242, 999); err != nil {
		t.Fatal(err)
	}
	srv.Restart(t)
	run(t, f.poller(t, srv))
	c = srv.Client(t)
	imaptest.Append(t, c, f.raw(reply{body: "After the rescan.\r\n"}))
	waitFor(t, "the reply after the rescan", func() bool { return f.inboundCount(t, "posted") == 3 })
	var deliveries int
	f.db.Get(&deliveries, `SELECT sum(deliveries) FROM inbound`)
	// A restart can also land between a commit and its \Seen: then that
	// message is read once more too. Either way each posts once.
	if n := f.messages(t); n != 4 || deliveries < 5 {
		t.Errorf("%d messages (want 4) and %d deliveries (want at least 5: two read again)", n, deliveries)
	}
}

// A server that keeps mail in memory forgets it on a restart and numbers new
// mail from UID 1 again under the same UIDVALIDITY. The poller sees UIDNEXT
// at or below the last UID it handled and reads the mailbox from the start,
// so the first replies after the restart are not skipped.
func TestIMAPServerThatForgetsItsUIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := imaptest.Start(t)
	run(t, f.poller(t, srv))
	c := srv.Client(t)
	for i := range 3 {
		imaptest.Append(t, c, f.raw(reply{body: fmt.Sprintf("Before the restart, %d.\r\n", i)}))
	}
	key := "imap:" + srv.Username + "@" + srv.Addr + "/INBOX"
	waitFor(t, "the poller to record UID 3", func() bool {
		state, err := f.store.MailboxState(t.Context(), key)
		return err == nil && state.LastUID == 3
	})
	srv.RestartEmpty(t)
	c = srv.Client(t)
	imaptest.Append(t, c, f.raw(reply{body: "First after the restart.\r\n"}))
	waitFor(t, "the first reply after the restart", func() bool { return f.inboundCount(t, "posted") == 4 })
	imaptest.Append(t, c, f.raw(reply{body: "Second after the restart.\r\n"}))
	waitFor(t, "the second reply after the restart", func() bool { return f.inboundCount(t, "posted") == 5 })
	waitFor(t, "both to be marked seen", func() bool {
		seen, total := imaptest.Seen(t, c)
		return len(seen) == 2 && total == 2
	})
}

// The intake against a real Dovecot: a reply lands, is posted and marked
// \Seen; a second copy of it in the mailbox posts nothing more.
func TestIMAPIntakeAgainstDovecot(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := dovecottest.Start(t)
	p, err := mailin.NewPoller(f.pipe, f.store, mailin.IMAPOptions{Addr: srv.Addr, TLS: "none",
		Username: srv.Username, Password: srv.Password, PollInterval: 2 * time.Second,
		StandbyInterval: 50 * time.Millisecond, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := imapclient.DialInsecure(srv.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(srv.Username, srv.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	run(t, p)
	raw := f.raw(reply{body: "Paid by transfer on Friday.\r\n"})
	imaptest.Append(t, c, raw)
	waitFor(t, "the reply to be posted", func() bool { return f.inboundCount(t, "posted") == 1 })
	imaptest.Append(t, c, raw)
	waitFor(t, "both copies to be marked seen", func() bool {
		seen, total := imaptest.Seen(t, c)
		return total == 2 && len(seen) == 2
	})
	var deliveries int
	f.db.Get(&deliveries, `SELECT deliveries FROM inbound`)
	if n := f.messages(t); n != 2 || deliveries != 2 {
		t.Errorf("%d messages (want the notification's and one reply), %d deliveries (want 2)", n, deliveries)
	}
}

// Gmail and Microsoft 365 take XOAUTH2: the poller logs in with the token
// its source gives, and a refused token ends in an error that says so.
func TestIMAPXOAuth2(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := imaptest.Start(t)
	const token = "ya29.test-access-token"
	srv.SetToken(token)
	newPoller := func(token string) *mailin.Poller {
		p, err := mailin.NewPoller(f.pipe, f.store, mailin.IMAPOptions{Addr: srv.Addr, TLS: "none", Username: srv.Username,
			Token:        func(context.Context) (string, error) { return token, nil },
			PollInterval: 2 * time.Second, StandbyInterval: 50 * time.Millisecond, Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := newPoller("expired-token").Check(t.Context()); err == nil || !strings.Contains(err.Error(), "XOAUTH2") {
		t.Errorf("a refused token: %v, want an error naming XOAUTH2", err)
	}
	run(t, newPoller(token))
	imaptest.Append(t, srv.Client(t), f.raw(reply{body: "Sent from a mailbox that only takes OAuth.\r\n"}))
	waitFor(t, "the reply", func() bool { return f.inboundCount(t, "posted") == 1 })
	if srv.OAuthLogins.Load() == 0 {
		t.Error("the poller did not log in with XOAUTH2")
	}
}

// A changed UIDVALIDITY is recorded at once, even in an empty mailbox, so
// the next poll does not take it for a change again.
func TestIMAPNewUIDValidityRecordedWithoutMail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := imaptest.Start(t)
	key := "imap:" + srv.Username + "@" + srv.Addr + "/INBOX"
	if err := f.store.SetMailboxState(t.Context(), key, 4242, 7); err != nil {
		t.Fatal(err)
	}
	run(t, f.poller(t, srv))
	waitFor(t, "the new UIDVALIDITY recorded", func() bool {
		st, err := f.store.MailboxState(t.Context(), key)
		return err == nil && st.UIDValidity != 4242 && st.UIDValidity != 0 && st.LastUID == 0
	})
}
