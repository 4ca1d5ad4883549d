// Package deploy holds the files the README's "Mail set-up" installs:
// Postfix fragments and maps for the three intake routes, a Dovecot
// fragment, the systemd unit and its environment file, reverse-proxy
// examples. Its test runs them as an operator would: a private Postfix and a
// Dovecot from a temporary directory, configured from these files, and the
// built `mailbot serve`; a notification goes out through Postfix into a
// person's mailbox, and the reply comes back by each route and posts once.
package deploy

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"mailbot/internal/pgtest"
	"mailbot/internal/postfixtest"
	"mailbot/internal/smtptest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const tokenKeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

// site is one machine as the README sets it up, with test addresses.
type site struct {
	work                          string // a directory the unprivileged users can read
	mx, submission, lmtp, intake  string // Postfix's two listeners, Dovecot's LMTP, serve's SMTP intake
	imap, http                    string
	postfix                       *postfixtest.Instance
	templ                         *strings.Replacer
	bin, envFile, dbURL, replyDom string
	db                            *sql.DB
}

func TestMailRoutes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Postfix, Dovecot and the built service")
	}
	start := time.Now()
	s := &site{postfix: postfixtest.New(t), work: readableDir(t), replyDom: "reply.example.test",
		mx: smtptest.FreeAddr(t), submission: smtptest.FreeAddr(t), lmtp: smtptest.FreeAddr(t),
		intake: smtptest.FreeAddr(t), imap: smtptest.FreeAddr(t), http: smtptest.FreeAddr(t)}
	s.bin = buildMailbot(t, s.work)
	s.dbURL = pgtest.URL(t)
	s.templ = s.replacer()
	s.db = openDB(t, s.dbURL)
	w := seed(t, s.db)
	startDovecot(t, s)
	s.configurePostfix(t, "imap", false)
	s.postfix.Start(t)
	s.writeEnvFile(t)
	serve := startServe(t, s)
	t.Logf("Postfix, Dovecot and serve running after %v", time.Since(start).Round(time.Millisecond))

	// The accountant asks; the notification goes out through Postfix into
	// the client's mailbox in Dovecot.
	w.ask(t, "Could you send the receipt for this one?")
	notes := waitMail(t, s.imap, w.clientAddr, 1)
	note := readMail(t, notes[0])
	rt, err := mail.ParseAddress(note.Header.Get("Reply-To"))
	if err != nil || !strings.HasSuffix(rt.Address, "@"+s.replyDom) {
		t.Fatalf("notification's Reply-To %q is not on the reply domain (%v)", note.Header.Get("Reply-To"), err)
	}
	replyTo := rt.Address
	// Its envelope sender names it, signed, on the reply domain: where a
	// delivery failure comes back.
	bounceTo := strings.Trim(note.Header.Get("Return-Path"), "<> ")
	if !strings.HasSuffix(bounceTo, "@"+s.replyDom) {
		t.Fatalf("notification's Return-Path %q is not on the reply domain", note.Header.Get("Return-Path"))
	}
	t.Logf("notification in the client's mailbox after %v", time.Since(start).Round(time.Millisecond))

	// LMTP is route 2 with the transport file's other line. The pipe (flag
	// D) names the reply address in Delivered-To; the SMTP and LMTP intakes
	// have it from the envelope, the mailbox only from the header (Dovecot's
	// Delivered-To names replies@).
	routes := []struct {
		name, dir, intake string
		deliveredTo       bool
	}{{"imap", "imap", "imap", false}, {"smtp", "smtp", "smtp", false}, {"lmtp", "smtp", "lmtp", false}, {"pipe", "pipe", "stdin", true}}
	for i, r := range routes {
		if r.name == "lmtp" {
			serve.stop(t)
			s.appendEnv(t, "MAILBOT_SMTP_LISTEN_LMTP=true")
			serve = startServe(t, s)
		}
		if i > 0 {
			s.configurePostfix(t, r.dir, r.name == "lmtp")
			s.postfix.Reload(t)
		}
		if r.name == "smtp" {
			s.unknownTokenRefused(t, replyTo)
		}
		body := "The receipt is attached, sent back by route " + r.name + "."
		msgID := fmt.Sprintf("route-%s-%d@client.example.test", r.name, time.Now().UnixNano())
		s.sendReply(t, w, note, replyTo, msgID, body)
		raw := waitPosted(t, s.db, msgID, body, r.intake)
		delivered := regexp.MustCompile(`(?m)^Delivered-To: <?` + regexp.QuoteMeta(replyTo) + `>?\r?$`)
		if got := delivered.MatchString(raw); got != r.deliveredTo {
			t.Errorf("route %s: Delivered-To naming the reply address: %v, want %v\n%s", r.name, got, r.deliveredTo, raw)
		}
		// The reply notifies the accountant in turn, through Postfix again.
		// (Waiting for it also keeps serve's restart from cutting a
		// notification in flight, whose claim would hold for a lease.)
		waitMail(t, s.imap, w.accountantAddr, i+1)
		s.sendBounce(t, bounceTo, r.name)
		waitBounce(t, s.db, r.name, r.intake)
		t.Logf("route %s: reply posted, accountant notified, a bounce recorded after %v", r.name, time.Since(start).Round(time.Millisecond))
	}
	// Nothing was posted twice.
	var emailPosts int
	s.db.QueryRow(`SELECT count(*) FROM messages WHERE source = 'email'`).Scan(&emailPosts)
	if emailPosts != len(routes) {
		t.Errorf("%d messages posted from email, want %d", emailPosts, len(routes))
	}
	if problems := s.postfix.Problems(); len(problems) > 0 {
		t.Errorf("Postfix logged problems:\n%s", strings.Join(problems, "\n"))
	}
	t.Logf("all routes done in %v", time.Since(start).Round(time.Millisecond))
}

// replacer turns the deployment files' example names and paths into this
// test's: what an operator edits.
func (s *site) replacer() *strings.Replacer {
	return strings.NewReplacer(
		"reply.example.com", s.replyDom,
		`reply\.example\.com`, strings.ReplaceAll(s.replyDom, ".", `\.`),
		"/etc/postfix/mailbot/", s.postfix.ConfigDir()+"/mailbot/",
		"127.0.0.1:2525", s.intake, // before the LMTP port, which it starts with
		"[127.0.0.1]:2525", "[127.0.0.1]:"+port(s.intake),
		"127.0.0.1:24", s.lmtp,
		"port = 24", "port = "+port(s.lmtp),
		"/etc/dovecot/mailbot.passwd", filepath.Join(s.work, "dovecot", "mailbot.passwd"),
		"uid=vmail gid=vmail", "uid=nobody gid=nogroup",
		"/var/mail/mailbot", filepath.Join(s.work, "dovecot", "mail"),
		"/usr/local/bin/mailbot", s.bin,
		"/etc/mailbot/mailbot.env", filepath.Join(s.work, "mailbot.env"),
		"user=mailbot", "user=nobody",
	)
}

// render reads a deployment file with this test's names in it.
func (s *site) render(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return s.templ.Replace(string(b))
}

// configurePostfix writes the instance's configuration for one route: the
// route's main.cf (and master.cf) fragments after the machine's own
// settings, and its maps in config_directory/mailbot/; lmtp takes the
// transport file's LMTP line instead of its SMTP line.
func (s *site) configurePostfix(t *testing.T, route string, lmtp bool) {
	t.Helper()
	// The previous route's maps stay: a Postfix process serving a kept-open
	// connection (serve's outbox worker) keeps the old settings until it ends.
	maps := filepath.Join(s.postfix.ConfigDir(), "mailbot")
	if err := os.MkdirAll(maps, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("postfix", route, "*"))
	var main, master string
	for _, f := range files {
		switch filepath.Base(f) {
		case "main.cf":
			main = s.render(t, f)
		case "master.cf":
			master = s.render(t, f)
		default:
			text := s.render(t, f)
			if lmtp && filepath.Base(f) == "transport" {
				text = s.useLMTPLine(t, text)
			}
			if err := os.WriteFile(filepath.Join(maps, filepath.Base(f)), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// This machine: an MX port where the test is a sender from outside
	// (mynetworks names no one), the port serve sends from, and the
	// "Internet": every other domain's mail goes to Dovecot's LMTP.
	ownMain := "# The machine's own settings.\ndefault_transport = lmtp:inet:" + s.lmtp + "\n\n" + main
	ownMaster := fmt.Sprintf("%s inet n - n - - smtpd\n  -o mynetworks=127.0.0.2/32\n%s inet n - n - - smtpd\n%s",
		s.mx, s.submission, master)
	s.postfix.Configure(t, ownMain, ownMaster)
}

// useLMTPLine comments out the transport file's smtp: line and uncomments
// its lmtp: line, as the README says to for LMTP.
func (s *site) useLMTPLine(t *testing.T, text string) string {
	t.Helper()
	smtpLine, lmtpLine := "\n"+s.replyDom+"\tsmtp:", "\n#"+s.replyDom+"\tlmtp:"
	if !strings.Contains(text, smtpLine) || !strings.Contains(text, lmtpLine) {
		t.Fatalf("the smtp route's transport file has no smtp: line and commented lmtp: line:\n%s", text)
	}
	return strings.NewReplacer(smtpLine, "\n#"+s.replyDom+"\tsmtp:", lmtpLine, "\n"+s.replyDom+"\tlmtp:").Replace(text)
}

// appendEnv adds a line to the environment file.
func (s *site) appendEnv(t *testing.T, line string) {
	t.Helper()
	f, err := os.OpenFile(s.envFile, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Fatal(err)
	}
}

// writeEnvFile is deploy/mailbot.env as the operator fills it in, here with
// its values appended (a later line wins, for systemd as for --env-file).
func (s *site) writeEnvFile(t *testing.T) {
	t.Helper()
	env := s.render(t, "mailbot.env") + fmt.Sprintf(`
# The test's values.
DATABASE_URL=%s
MAILBOT_TOKEN_KEY=%s
MAILBOT_BASE_URL=http://mailbot.example.test
MAILBOT_FROM=notifications@firm.example.test
MAILBOT_HTTP_ADDR=%s
MAILBOT_SMTP_ADDR=%s
MAILBOT_SMTP_RETRY_BASE=1s
MAILBOT_IMAP_ADDR=%s
MAILBOT_IMAP_PASSWORD=replies-secret
MAILBOT_IMAP_POLL=1s
MAILBOT_SMTP_LISTEN=%s
MAILBOT_SENDER_AUTH=report
`, s.dbURL, tokenKeyHex, s.http, s.submission, s.imap, s.intake)
	s.envFile = filepath.Join(s.work, "mailbot.env")
	// The pipe runs ingest as an unprivileged user, who must read it.
	if err := os.WriteFile(s.envFile, []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
}

// unknownTokenRefused checks that Postfix refuses a reply address the
// intake does not know while the sender is still connected.
func (s *site) unknownTokenRefused(t *testing.T, replyTo string) {
	t.Helper()
	bogus := "reply+" + strings.Repeat("a", 32) + replyTo[strings.IndexByte(replyTo, '@'):]
	c, err := smtp.Dial(s.mx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("someone@outside.example.test"); err != nil {
		t.Fatal(err)
	}
	err = c.Rcpt(bogus)
	if tp, ok := err.(*textproto.Error); !ok || tp.Code != 550 {
		t.Errorf("RCPT TO an unknown token: %v, want 550 during the dialogue", err)
	}
}

func (s *site) sendReply(t *testing.T, w *world, note *mail.Message, replyTo, msgID, body string) {
	t.Helper()
	raw := fmt.Sprintf("From: Dana Harbor <%s>\r\nTo: <%s>\r\nSubject: Re: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n"+
		"In-Reply-To: %s\r\nReferences: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\n"+
		"On Monday, Avery Quill wrote:\r\n> Could you send the receipt for this one?\r\n",
		w.clientAddr, replyTo, note.Header.Get("Subject"), time.Now().Format(time.RFC1123Z), msgID,
		note.Header.Get("Message-ID"), note.Header.Get("Message-ID"), body)
	if err := smtp.SendMail(s.mx, nil, w.clientAddr, []string{replyTo}, []byte(raw)); err != nil {
		t.Fatalf("send the reply to Postfix: %v", err)
	}
}

// sendBounce sends, as the client's mail server would, a delivery failure
// report to a notification's envelope sender, through Postfix.
func (s *site) sendBounce(t *testing.T, to, route string) {
	t.Helper()
	raw := fmt.Sprintf("From: Mail Delivery System <MAILER-DAEMON@mx.client.example.test>\r\nTo: <%s>\r\n"+
		"Subject: Undelivered Mail Returned to Sender\r\nDate: %s\r\nMessage-ID: <bounce-%s-%d@mx.client.example.test>\r\n"+
		"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n"+
		"--r\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered (route %s).\r\n"+
		"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.client.example.test\r\n\r\n"+
		"Final-Recipient: rfc822; gone@client.example.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"+
		"Diagnostic-Code: smtp; 550 5.1.1 mailbox unknown\r\n--r--\r\n",
		to, time.Now().Format(time.RFC1123Z), route, time.Now().UnixNano(), route)
	if err := smtp.SendMail(s.mx, nil, "", []string{to}, []byte(raw)); err != nil {
		t.Fatalf("route %s: send a bounce to Postfix: %v", route, err)
	}
}

// waitBounce waits for the route's bounce to be recorded by the expected
// intake, matched to its notification, which is then marked bounced.
func waitBounce(t *testing.T, db *sql.DB, route, intake string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var matched, bounced int
		db.QueryRow(`SELECT count(*) FROM inbound WHERE verdict = 'ignored_bounce' AND intake = $1
			AND message_id_hdr LIKE $2 AND detail LIKE 'notification %'`, intake, "%bounce-"+route+"-%").Scan(&matched)
		db.QueryRow(`SELECT count(*) FROM outbox WHERE status = 'bounced' AND bounce_status = '5.1.1'`).Scan(&bounced)
		if matched == 1 && bounced == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("route %s: bounce matched %d times by intake %s, %d notifications bounced; want 1 and 1", route, matched, intake, bounced)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitPosted waits for the reply to be posted, then checks it was posted
// once, from one inbound mail that came by the expected intake, and returns
// that mail as the service received it.
func waitPosted(t *testing.T, db *sql.DB, msgID, body, intake string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var n int
	for {
		db.QueryRow(`SELECT count(*) FROM messages WHERE body = $1`, body).Scan(&n)
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n != 1 {
		t.Fatalf("reply %s posted %d times, want once", msgID, n)
	}
	var rows, deliveries int
	var gotIntake, verdict, raw string
	db.QueryRow(`SELECT count(*), min(intake), min(verdict), min(deliveries), min(convert_from(raw, 'UTF8'))
		FROM inbound WHERE trim(both '<>' from message_id_hdr) = $1`, msgID).Scan(&rows, &gotIntake, &verdict, &deliveries, &raw)
	if rows != 1 || gotIntake != intake || verdict != "posted" || deliveries != 1 {
		t.Errorf("inbound log for %s: %d rows, intake %q, verdict %q, %d deliveries; want 1 row, %q, posted, 1",
			msgID, rows, gotIntake, verdict, deliveries, intake)
	}
	return raw
}

// readableDir is a directory the unprivileged users Postfix and Dovecot run
// as can read, unlike t.TempDir.
func readableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "mailbot-deploy-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
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

func readMail(t *testing.T, raw []byte) *mail.Message {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read mail: %v", err)
	}
	return m
}

func port(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }
