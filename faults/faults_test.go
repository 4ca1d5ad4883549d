// Package faults runs the built service as users do — several `mailbot
// serve` processes against one database, one mailbox and one SMTP relay —
// and breaks things while mail and web posts arrive: processes are killed
// with SIGKILL and restarted, the IMAP server restarts, Postgres restarts,
// the relay refuses mail for a while. At the end it checks from the
// database, the mailbox and the relay that nothing was lost or doubled.
//
//	go test ./faults/                                # the default run, about a minute
//	go test ./faults/ -run Faults -faults.kill 10m   # a longer soak of the kill phase
//
// MAILBOT_FAULTS_REPORT names a file the counts are also written to.
package faults_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
	"github.com/lib/pq"

	"mailbot/internal/imaptest"
	"mailbot/internal/pgcluster"
	"mailbot/internal/pgtest"
	"mailbot/internal/schema"
	"mailbot/internal/smtptest"
	"mailbot/threads"
)

var (
	killPhase = flag.Duration("faults.kill", 20*time.Second, "how long processes are killed and restarted while mail arrives")
	nReplies  = flag.Int("faults.replies", 2000, "replies that arrive by email")
	nPosts    = flag.Int("faults.posts", 2000, "messages posted on the web")
)

const (
	tokenKeyHex = "8899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677"
	processes   = 3
	workers     = 2 // outbox workers per process
	txnCount    = 40
)

func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built service for about a minute")
	}
	ctx := t.Context()
	work := tempDir(t)
	bin := filepath.Join(work, "mailbot")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/mailbot").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	pg := startPostgres(t, filepath.Join(work, "pg"))
	dbURL := pg.URL("mailbot")
	w := seed(t, dbURL)
	imapSrv := imaptest.Start(t)
	relay := smtptest.Start(t)

	env := []string{
		"DATABASE_URL=" + dbURL, "MAILBOT_TOKEN_KEY=" + tokenKeyHex,
		"MAILBOT_BASE_URL=http://app.example.test", "MAILBOT_FROM=notifications@mail.example.test",
		"MAILBOT_REPLY_ADDRESS=reply+{token}@reply.example.test",
		"MAILBOT_SMTP_ADDR=" + relay.Addr, "MAILBOT_SMTP_TLS=none", fmt.Sprintf("MAILBOT_SMTP_WORKERS=%d", workers),
		"MAILBOT_SMTP_LEASE=3s", "MAILBOT_SMTP_RETRY_BASE=1s",
		"MAILBOT_IMAP_ADDR=" + imapSrv.Addr, "MAILBOT_IMAP_TLS=none", "MAILBOT_IMAP_USERNAME=" + imapSrv.Username,
		"MAILBOT_IMAP_PASSWORD=" + imapSrv.Password, "MAILBOT_IMAP_POLL=2s",
	}
	procs := make([]*proc, processes)
	for i := range procs {
		procs[i] = &proc{bin: bin, env: env, addr: smtptest.FreeAddr(t), log: filepath.Join(work, fmt.Sprintf("serve-%d.log", i))}
		procs[i].start(t)
	}
	t.Cleanup(func() {
		for _, p := range procs {
			p.kill()
			if t.Failed() {
				log, _ := os.ReadFile(p.log)
				t.Logf("%s (last 3000 bytes):\n%s", p.log, tail(log, 3000))
			}
		}
	})
	for _, p := range procs {
		p.waitReady(t, 30*time.Second)
	}

	// The load: replies appended to the mailbox and posts through the API,
	// spread over the time the faults take.
	spread := *killPhase + 20*time.Second
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var load sync.WaitGroup
	var appendRetries, postRetries atomic.Int64
	load.Go(func() { appendReplies(loadCtx, t, imapSrv, w, *nReplies, spread, &appendRetries) })
	for g := range 4 {
		load.Go(func() { postMessages(loadCtx, t, procs, w, g, 4, *nPosts, spread, &postRetries) })
	}

	// Faults, one after another while the load runs.
	kills := 0
	start := time.Now()
	for time.Since(start) < *killPhase {
		time.Sleep(time.Duration(1500+rand.IntN(2000)) * time.Millisecond)
		p := procs[rand.IntN(len(procs))]
		p.kill()
		kills++
		time.Sleep(time.Duration(rand.IntN(1000)) * time.Millisecond)
		p.start(t)
	}
	t.Logf("kill phase over: %d processes killed with SIGKILL and restarted", kills)
	imapSrv.Restart(t)
	t.Log("IMAP server restarted")
	time.Sleep(3 * time.Second)
	// Postgres goes away; a process killed meanwhile starts while it is
	// away and must wait for it by itself.
	pg.stop(t)
	victim := procs[rand.IntN(len(procs))]
	victim.kill()
	kills++
	victim.start(t)
	time.Sleep(2 * time.Second)
	pg.start(t)
	victim.waitReady(t, time.Minute)
	t.Log("Postgres restarted (immediate shutdown, then recovery); a process started while it was down")
	time.Sleep(3 * time.Second)
	relay.Refuse(func(int) *smtp.SMTPError {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	})
	time.Sleep(5 * time.Second)
	relay.Refuse(nil)
	lastFault := time.Now()
	t.Log("SMTP relay refused mail for 5 s")
	load.Wait()

	// Everything must settle by itself.
	db := openDB(t, dbURL)
	want := settled{replies: *nReplies, posts: *nPosts}
	got := waitSettled(t, db, want, lastFault, 3*time.Minute)

	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// Every reply posted exactly once, every web post stored once.
	var dupReplies, dupPosts, missingPosts int
	scanRow(t, db.QueryRow(`SELECT count(*) FROM (SELECT body FROM messages WHERE source = 'email' GROUP BY body HAVING count(*) > 1) d`), &dupReplies)
	got.posts -= txnCount // the opening questions
	scanRow(t, db.QueryRow(`SELECT count(*) FROM (SELECT post_key FROM messages WHERE post_key IS NOT NULL GROUP BY author_id, post_key HAVING count(*) > 1) d`), &dupPosts)
	scanRow(t, db.QueryRow(`SELECT $1::int - count(DISTINCT post_key) FROM messages WHERE post_key LIKE 'fault-post-%'`, *nPosts), &missingPosts)
	if got.replies != *nReplies || dupReplies != 0 {
		fail("%d replies posted (%d posted more than once), want %d once each", got.replies, dupReplies, *nReplies)
	}
	if got.posts != *nPosts || dupPosts != 0 || missingPosts != 0 {
		fail("%d web posts stored (%d twice, %d missing), want %d once each", got.posts, dupPosts, missingPosts, *nPosts)
	}

	// Every reply with a file has exactly its one file, stored with a body;
	// no body is left without a file.
	wantFiles, wantBodies := 0, map[string]bool{}
	for i := range *nReplies {
		if withReceipt(i) {
			wantFiles++
			wantBodies[receiptPDF(i)] = true
		}
	}
	var files, withFiles, bodiless, bodies, orphans int
	scanRow(t, db.QueryRow(`SELECT count(*), count(DISTINCT message_id) FROM attachments`), &files, &withFiles)
	scanRow(t, db.QueryRow(`SELECT count(*) FROM attachments a WHERE NOT EXISTS (SELECT 1 FROM attachment_bodies b WHERE b.sha256 = a.sha256)`), &bodiless)
	scanRow(t, db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256)) FROM attachment_bodies b`), &bodies, &orphans)
	if files != wantFiles || withFiles != wantFiles || bodiless != 0 || bodies != len(wantBodies) || orphans != 0 {
		fail("%d files on %d replies (%d without a body), %d bodies (%d orphans); want %d files on as many replies, %d bodies",
			files, withFiles, bodiless, bodies, orphans, wantFiles, len(wantBodies))
	}

	// The inbound log accounts for every message in the mailbox, and every
	// one is marked handled.
	ids, seen := mailboxIDs(t, imapSrv)
	var logged int
	scanRow(t, db.QueryRow(`SELECT count(*) FROM inbound WHERE trim(both '<>' from message_id_hdr) = ANY($1)`, pq.Array(ids)), &logged)
	distinct := len(uniq(ids))
	if distinct != *nReplies || logged != distinct {
		fail("mailbox holds %d distinct Message-IDs, inbound log has %d of them, want %d", distinct, logged, *nReplies)
	}
	if seen != len(ids) {
		fail("%d of %d mailbox messages marked \\Seen", seen, len(ids))
	}

	// Every notification delivered at least once; copies under one
	// Message-ID only for sends a kill interrupted.
	var outboxTotal, outboxSent int
	scanRow(t, db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM outbox`), &outboxTotal, &outboxSent)
	var mailIDs []string
	rows, err := db.Query(`SELECT mail_id FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		mailIDs = append(mailIDs, id)
	}
	rows.Close()
	delivered := map[string]int{}
	for _, m := range relay.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			fail("relay got unreadable mail: %v", err)
			continue
		}
		id := strings.Trim(msg.Header.Get("Message-Id"), "<>")
		id, _, _ = strings.Cut(id, "@")
		delivered[id]++
	}
	undelivered, copies := 0, 0
	for _, id := range mailIDs {
		switch n := delivered[id]; {
		case n == 0:
			undelivered++
		case n > 1:
			copies += n - 1
		}
	}
	if wantOutbox := *nReplies + *nPosts + txnCount; outboxTotal != wantOutbox || outboxSent != outboxTotal || undelivered != 0 {
		fail("%d notifications queued, %d sent, %d never reached the relay; want %d, all sent and delivered",
			outboxTotal, outboxSent, undelivered, wantOutbox)
	}
	if limit := kills * workers; copies > limit {
		fail("%d copies delivered twice under one Message-ID, more than the %d sends the kills could interrupt", copies, limit)
	}

	// No process needed help: all still run and answer.
	for i, p := range procs {
		if !p.running() {
			fail("process %d is not running", i)
		} else if code := get(p.url() + "/readyz"); code != http.StatusOK {
			fail("process %d answers /readyz with %d", i, code)
		}
	}
	for i, p := range procs {
		if err := p.stop(); err != nil {
			fail("process %d did not stop cleanly on SIGTERM: %v", i, err)
		}
	}

	var verdicts []string
	if rows, err := db.Query(`SELECT verdict || ' ' || count(*) FROM inbound GROUP BY verdict ORDER BY count(*) DESC`); err == nil {
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			verdicts = append(verdicts, v)
		}
		rows.Close()
	}
	report := fmt.Sprintf(`fault suite: %d serve processes, %d replies by IMAP, %d web posts, kill phase %s
  faults: %d SIGKILLs with restarts, IMAP server restart, Postgres restart (immediate; one process started while it was down), SMTP refusals for 5 s
  replies posted: %d (posted twice: %d); web posts stored: %d (twice: %d, missing: %d)
  files: %d on %d replies, %d without a body; %d bodies stored, %d orphans
  mailbox: %d messages, %d distinct, %d in the inbound log, %d \Seen; appends retried: %d
  inbound verdicts: %s
  notifications: %d queued, %d sent, %d never delivered, %d extra copies under one Message-ID (limit %d); posts retried: %d
  settled %s after the last fault
`, processes, *nReplies, *nPosts, *killPhase, kills, got.replies, dupReplies, got.posts, dupPosts, missingPosts,
		files, withFiles, bodiless, bodies, orphans,
		len(ids), distinct, logged, seen, appendRetries.Load(), strings.Join(verdicts, ", "), outboxTotal, outboxSent, undelivered, copies,
		kills*workers, postRetries.Load(), got.after.Round(100*time.Millisecond))
	t.Log("\n" + report)
	if path := os.Getenv("MAILBOT_FAULTS_REPORT"); path != "" {
		os.WriteFile(path, []byte(report), 0o644)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// world is what the load needs: who writes, where, and with which keys.
type world struct {
	company, accountant, client string // the ledger's ids
	txns                        []string
	tokens                      []string // the client's reply token per transaction
	apiKey                      string
}

func seed(t *testing.T, dbURL string) world {
	t.Helper()
	ctx := t.Context()
	db, err := threads.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := schema.Migrate(ctx, db.DB); err != nil {
		t.Fatal(err)
	}
	key, _ := hex.DecodeString(tokenKeyHex)
	store, err := threads.NewStore(db, &threads.Options{TokenKey: key})
	if err != nil {
		t.Fatal(err)
	}
	w := world{company: "c1", accountant: "acc", client: "cli"}
	company, err := store.UpsertCompany(ctx, w.company, "Harbor Tools Ltd")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := store.UpsertPerson(ctx, threads.PersonInput{ExternalID: w.accountant, Name: "Avery Quill",
		Emails: []threads.EmailAddress{{Address: "avery@firm.test", Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := store.UpsertPerson(ctx, threads.PersonInput{ExternalID: w.client, Name: "Dana Harbor",
		Emails: []threads.EmailAddress{{Address: "dana@client.test", Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	store.SetMembership(ctx, company.ID, acc.ID, threads.RoleAccountant)
	store.SetMembership(ctx, company.ID, cli.ID, threads.RoleClient)
	for i := range txnCount {
		ext := fmt.Sprintf("inv-%d", i)
		txn, err := store.UpsertTransaction(ctx, company.ID, threads.TransactionInput{ExternalID: ext,
			Kind: threads.KindInvoice, Number: fmt.Sprintf("A-%d", 1000+i), Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
			AmountMinor: int64(10000 + i), Currency: "USD", Counterparty: "Coastal Steel Supply"})
		if err != nil {
			t.Fatal(err)
		}
		// The accountant asks first, as in life: the client's reply
		// address comes with that notification.
		if _, err := store.PostMessage(ctx, threads.NewMessage{TransactionID: txn.ID, AuthorID: acc.ID,
			RecipientID: cli.ID, Body: "What was this charge for?", Source: threads.SourceWeb}); err != nil {
			t.Fatal(err)
		}
		token, err := store.ReplyTokenFor(ctx, cli.ID, txn.ID)
		if err != nil {
			t.Fatal(err)
		}
		w.txns, w.tokens = append(w.txns, ext), append(w.tokens, token)
	}
	if w.apiKey, err = store.CreateAPIKey(ctx, "faults"); err != nil {
		t.Fatal(err)
	}
	return w
}

// appendReplies puts n replies into the mailbox at an even pace over
// spread, reconnecting when the server goes away. An APPEND whose answer
// was lost is sent again: the mailbox may then hold two copies, which the
// service must post once.
func appendReplies(ctx context.Context, t *testing.T, srv *imaptest.Server, w world, n int, spread time.Duration, retries *atomic.Int64) {
	var c *imapclient.Client
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	pace := spread / time.Duration(n)
	for i := 0; i < n; {
		if ctx.Err() != nil {
			return
		}
		if c == nil {
			var err error
			if c, err = imapclient.DialInsecure(srv.Addr, nil); err == nil {
				err = c.Login(srv.Username, srv.Password).Wait()
			}
			if err != nil {
				c = nil
				retries.Add(1)
				time.Sleep(200 * time.Millisecond)
				continue
			}
		}
		raw := replyMail(w, i)
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		_, err := cmd.Write(raw)
		if err == nil {
			err = cmd.Close()
		}
		if err == nil {
			_, err = cmd.Wait()
		}
		if err != nil {
			c.Close()
			c = nil
			retries.Add(1)
			continue
		}
		i++
		time.Sleep(pace)
	}
}

// scanRow reads one row of a check; a query that fails fails the suite
// rather than reading as zero.
func scanRow(t *testing.T, row *sql.Row, dest ...any) {
	t.Helper()
	if err := row.Scan(dest...); err != nil {
		t.Fatalf("fault suite query: %v", err)
	}
}

// replyMail is reply i from the client, written as a mail client writes
// one: Re: subject, the answer on top, the notification quoted below.
func replyMail(w world, i int) []byte {
	k := i % len(w.txns)
	head := fmt.Sprintf(`From: Dana Harbor <dana@client.test>
To: Avery Quill via Mailbot <reply+%s@reply.example.test>
Subject: Re: Invoice A-%d
Message-ID: <fault-reply-%d@client.test>
Date: Tue, 03 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
`, w.tokens[k], 1000+k, i)
	text := fmt.Sprintf(`Reply number %d: it was the spring stock order.

On Tue, Mar 3, 2026 at 9:14 AM Avery Quill via Mailbot <notifications@mail.example.test> wrote:
> What was this charge for?
`, i)
	if !withReceipt(i) {
		return []byte(strings.ReplaceAll(head+"Content-Type: text/plain; charset=utf-8\n\n"+text, "\n", "\r\n"))
	}
	return []byte(strings.ReplaceAll(head+`Content-Type: multipart/mixed; boundary="r"

--r
Content-Type: text/plain; charset=utf-8

`+text+`--r
Content-Type: application/pdf
Content-Disposition: attachment; filename="receipt.pdf"

`+receiptPDF(i)+`
--r--
`, "\n", "\r\n"))
}

// withReceipt says whether reply i carries a file: every tenth does.
func withReceipt(i int) bool { return i%10 == 0 }

// receiptPDF is reply i's file; two replies in a row with files share
// their content, so stored bodies are shared too.
func receiptPDF(i int) string { return fmt.Sprintf("%%PDF-1.4 receipt %d", i/20) }

// postMessages posts its share of n messages through the JSON API, each
// with an Idempotency-Key, trying the processes in turn until one answers.
func postMessages(ctx context.Context, t *testing.T, procs []*proc, w world, g, of, n int, spread time.Duration, retries *atomic.Int64) {
	client := &http.Client{Timeout: 10 * time.Second}
	pace := spread * time.Duration(of) / time.Duration(n)
	for i := g; i < n; i += of {
		body := fmt.Sprintf(`{"author":%q,"recipient":%q,"body":"Web post %d: could you send the receipt?"}`, w.accountant, w.client, i)
		path := fmt.Sprintf("/api/v1/companies/%s/transactions/%s/messages", w.company, w.txns[i%len(w.txns)])
		for attempt := 0; ; attempt++ {
			if ctx.Err() != nil {
				return
			}
			p := procs[(i+attempt)%len(procs)]
			req, _ := http.NewRequestWithContext(ctx, "POST", p.url()+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+w.apiKey)
			req.Header.Set("Idempotency-Key", fmt.Sprintf("fault-post-%d", i))
			resp, err := client.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
					break
				}
				if resp.StatusCode < 500 {
					t.Errorf("post %d: %s", i, resp.Status)
					break
				}
			}
			retries.Add(1)
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(pace)
	}
}

type settled struct {
	replies, posts, pending int
	after                   time.Duration
}

// waitSettled waits until the replies and posts are stored and no
// notification is left to send.
func waitSettled(t *testing.T, db *sql.DB, want settled, since time.Time, timeout time.Duration) settled {
	t.Helper()
	start := time.Now()
	var got settled
	last, lastChange := -1, start
	for {
		scanRow(t, db.QueryRow(`SELECT count(*) FILTER (WHERE source = 'email'), count(*) FILTER (WHERE source IN ('web', 'api')) FROM messages`), &got.replies, &got.posts)
		scanRow(t, db.QueryRow(`SELECT count(*) FROM outbox WHERE status = 'pending'`), &got.pending)
		got.after = time.Since(since)
		if got.replies >= want.replies && got.posts >= want.posts+txnCount && got.pending == 0 {
			return got
		}
		if progress := got.replies + got.posts - got.pending; progress != last {
			last, lastChange = progress, time.Now()
		}
		if time.Since(start) > timeout || time.Since(lastChange) > 30*time.Second {
			t.Errorf("not settled after %s: %d replies, %d posts, %d notifications pending", time.Since(start).Round(time.Second), got.replies, got.posts, got.pending)
			return got
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// mailboxIDs lists the Message-ID of every message in INBOX and counts
// those marked \Seen.
func mailboxIDs(t *testing.T, srv *imaptest.Server) (ids []string, seen int) {
	t.Helper()
	c := srv.Client(t)
	defer c.Close()
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil, 0
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Envelope != nil {
			ids = append(ids, strings.Trim(m.Envelope.MessageID, "<>"))
		}
		if slices.Contains(m.Flags, imap.FlagSeen) {
			seen++
		}
	}
	return ids, seen
}

// proc is one `mailbot serve` process.
type proc struct {
	bin  string
	env  []string
	addr string
	log  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan error
}

func (p *proc) url() string { return "http://" + p.addr }

func (p *proc) start(t *testing.T) {
	t.Helper()
	logFile, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(p.bin, "serve")
	cmd.Env = append(os.Environ(), append(p.env, "MAILBOT_HTTP_ADDR="+p.addr)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); logFile.Close() }()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
}

func (p *proc) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case err := <-p.done:
		p.done <- err
		return false
	default:
		return p.cmd != nil
	}
}

// kill ends the process with SIGKILL, as a crash or the OOM killer would.
func (p *proc) kill() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
	done <- nil
}

// stop asks for a clean shutdown.
func (p *proc) stop() error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		done <- err
		return err
	case <-time.After(30 * time.Second):
		return errors.New("still running 30 s after SIGTERM")
	}
}

func (p *proc) waitReady(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for get(p.url()+"/readyz") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after %s", p.addr, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func get(url string) int {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// cluster is the suite's own Postgres, which it restarts.
type cluster struct {
	*pgcluster.Cluster
	opts pgcluster.Options
}

func startPostgres(t *testing.T, dir string) *cluster {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	os.Chmod(dir, 0o755)
	opts := pgcluster.Options{Dir: dir}
	c, err := pgcluster.Start(t.Context(), opts)
	if errors.Is(err, pgcluster.ErrNoBinaries) && pgtest.InstallServer() == nil {
		c, err = pgcluster.Start(t.Context(), opts)
	}
	if err != nil {
		t.Fatalf("start Postgres: %v", err)
	}
	opts.Port = c.Port
	pg := &cluster{Cluster: c, opts: opts}
	c.StopWhenGone(os.Getpid())
	t.Cleanup(func() { pg.Stop(context.Background(), true) })
	admin := openDB(t, c.URL("postgres"))
	if _, err := admin.Exec(`CREATE DATABASE mailbot`); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	return pg
}

// stop stops Postgres without a shutdown checkpoint, as a crash would.
func (c *cluster) stop(t *testing.T) {
	t.Helper()
	if err := c.Stop(t.Context(), true); err != nil {
		t.Fatalf("stop Postgres: %v", err)
	}
}

// start starts Postgres again on the same port; it recovers from its WAL.
func (c *cluster) start(t *testing.T) {
	t.Helper()
	nc, err := pgcluster.Start(t.Context(), c.opts)
	if err != nil {
		t.Fatalf("start Postgres again: %v", err)
	}
	c.Cluster = nc
}

func openDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "mailbot-faults-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // Postgres runs as another user when the suite runs as root
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func uniq(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
