package deploy

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbot/internal/aptinstall"
)

// peoplePassword opens the test people's mailboxes.
const peoplePassword = "secret"

// startDovecot runs Dovecot from a temporary directory with IMAP and LMTP on
// the site's ports: the machine's own settings, then
// deploy/dovecot/90-mailbot.conf. Its user database has the replies
// mailbox and, as the rest of the world, the test people's mailboxes.
func startDovecot(t *testing.T, s *site) {
	t.Helper()
	bin := dovecotBinary(t)
	dir := filepath.Join(s.work, "dovecot")
	for _, d := range []string{"", "run", "state", "mail"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	os.Chown(filepath.Join(dir, "mail"), uid, gid) // Dovecot keeps no mail as root
	users := fmt.Sprintf("replies@%s:{PLAIN}replies-secret::::::\navery@firm.example.test:{PLAIN}%[2]s::::::\ndana@client.example.test:{PLAIN}%[2]s::::::\n",
		s.replyDom, peoplePassword)
	fragment := filepath.Join(dir, "90-mailbot.conf")
	conf := filepath.Join(dir, "dovecot.conf")
	for name, text := range map[string]string{
		"mailbot.passwd": users, "90-mailbot.conf": s.render(t, "dovecot/90-mailbot.conf"),
		"dovecot.conf": fmt.Sprintf(dovecotBase, dir, port(s.imap), fragment),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Dovecot forks into the background and its processes keep the
	// standard streams they inherit: give them none to hold.
	if err := exec.Command(bin, "-c", conf).Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
		t.Fatalf("start Dovecot: %v\n%s", err, log)
	}
	watch := exec.Command("sh", "-c", `pid=$1; bin=$2; conf=$3
while kill -0 "$pid" 2>/dev/null; do sleep 1; done
"$bin" -c "$conf" stop >/dev/null 2>&1`, "watch", strconv.Itoa(os.Getpid()), bin, conf)
	watch.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if watch.Start() == nil {
		watch.Process.Release()
	}
	t.Cleanup(func() {
		exec.Command(bin, "-c", conf, "stop").Run()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Logf("Dovecot log:\n%s", log)
		}
		time.Sleep(200 * time.Millisecond) // let it remove its sockets
	})
	for _, addr := range []string{s.imap, s.lmtp} {
		waitListening(t, addr, "Dovecot", filepath.Join(dir, "dovecot.log"))
	}
}

// dovecotBase is what the machine's dovecot.conf holds besides the
// fragment: its directories, plain IMAP on loopback for the test, and the
// accounts Dovecot's processes run as.
const dovecotBase = `base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]s
  }
  inet_listener imaps {
    port = 0
  }
}
!include %[3]s
`

// dovecotBinary finds Dovecot with its IMAP and LMTP servers, installing
// them where the tests may.
func dovecotBinary(t *testing.T) string {
	t.Helper()
	for pkg, file := range map[string]string{"dovecot-imapd": "/usr/lib/dovecot/imap", "dovecot-lmtpd": "/usr/lib/dovecot/lmtp"} {
		present := func() bool { _, err := os.Stat(file); return err == nil }
		if !present() {
			if err := aptinstall.Install(pkg, present); err != nil || !present() {
				t.Fatalf("Dovecot's %s is not installed and could not be (%v): apt-get install dovecot-imapd dovecot-lmtpd", pkg, err)
			}
		}
	}
	return "/usr/sbin/dovecot"
}

func waitListening(t *testing.T, addr, what, logFile string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile)
			t.Fatalf("%s did not listen on %s: %v\n%s", what, addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitMail waits until user's INBOX holds at least n messages and returns
// them, read without marking them seen.
func waitMail(t *testing.T, addr, username string, n int) [][]byte {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(username, peoplePassword).Wait(); err != nil {
		t.Fatalf("IMAP login %s: %v", username, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		sel, err := c.Select("INBOX", nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if int(sel.NumMessages) >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s's mailbox holds %d messages after 20s, want %d", username, sel.NumMessages, n)
		}
		c.Unselect().Wait()
		time.Sleep(200 * time.Millisecond)
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, m := range msgs {
		out = append(out, m.FindBodySection(section))
	}
	return out
}
