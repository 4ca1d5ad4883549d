// Package dovecottest runs a real Dovecot IMAP server from a temporary
// directory for tests, so the intake is checked against a server people
// use and not only the in-memory one. As root on a Debian-like system it
// installs dovecot-imapd when missing.
package dovecottest

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

	"mailbot/internal/aptinstall"
	"mailbot/internal/smtptest"
)

// Server is a running Dovecot with one user.
type Server struct {
	Addr     string
	Username string
	Password string
	conf     string
}

// Start runs Dovecot with user "bot" / "secret" on a free loopback port,
// plain IMAP (no TLS); it stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := find()
	if bin == "" {
		aptinstall.Install("dovecot-imapd", func() bool { return find() != "" })
		if bin = find(); bin == "" {
			t.Fatal("Dovecot is not installed and could not be: install it (Debian/Ubuntu: apt-get install dovecot-imapd)")
		}
	}
	dir, err := os.MkdirTemp("", "mailbot-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // Dovecot's own users read the configuration
	for _, d := range []string{"run", "state", "home"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	mailUser, internal, login, err := users()
	if err != nil {
		t.Fatal(err)
	}
	u, err := user.Lookup(mailUser)
	if err != nil {
		t.Fatal(err)
	}
	group := mailUser
	if g, err := user.LookupGroupId(u.Gid); err == nil {
		group = g.Name
	}
	if os.Geteuid() == 0 {
		// Dovecot will not keep mail as root: the mail user owns the homes.
		var uid, gid int
		fmt.Sscan(u.Uid, &uid)
		fmt.Sscan(u.Gid, &gid)
		os.Chown(filepath.Join(dir, "home"), uid, gid)
	}
	s := &Server{Addr: smtptest.FreeAddr(t), Username: "bot", Password: "secret", conf: filepath.Join(dir, "dovecot.conf")}
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(s.Username+":{PLAIN}"+s.Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(s.Addr)
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap
listen = %[2]s
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
default_internal_user = %[5]s
default_login_user = %[6]s
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/users
}
userdb {
  driver = static
  args = uid=%[4]s gid=%[7]s home=%[1]s/home/%%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = %[2]s
    port = %[3]s
  }
  inet_listener imaps {
    port = 0
  }
}
`, dir, host, port, mailUser, internal, login, group)
	if err := os.WriteFile(s.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// Dovecot forks into the background and its processes keep the
	// standard streams they inherit: give them none to hold.
	if err := exec.Command(bin, "-c", s.conf).Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
		t.Fatalf("start Dovecot: %v\n%s", err, log)
	}
	// A watcher stops Dovecot if the test binary dies without cleaning up.
	watch := exec.Command("sh", "-c", `pid=$1; bin=$2; conf=$3; dir=$4
while kill -0 "$pid" 2>/dev/null; do sleep 1; done
"$bin" -c "$conf" stop >/dev/null 2>&1; sleep 1; rm -rf "$dir"`, "watch", strconv.Itoa(os.Getpid()), bin, s.conf, dir)
	watch.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if watch.Start() == nil {
		watch.Process.Release()
	}
	t.Cleanup(func() {
		exec.Command(bin, "-c", s.conf, "stop").Run()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Logf("Dovecot log:\n%s", log)
		}
		time.Sleep(200 * time.Millisecond) // let it remove its sockets
		os.RemoveAll(dir)
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", s.Addr)
		if err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("Dovecot did not listen on %s: %v\n%s", s.Addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// users picks who keeps the mail and who Dovecot's own processes run as: as
// root, the unprivileged accounts the package made; otherwise the current
// user for all three.
func users() (mail, internal, login string, err error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return "", "", "", err
		}
		return u.Username, u.Username, u.Username, nil
	}
	for _, name := range []string{"nobody", "dovecot", "dovenull"} {
		if _, err := user.Lookup(name); err != nil {
			return "", "", "", fmt.Errorf("dovecottest: no %q user: %w", name, err)
		}
	}
	return "nobody", "dovecot", "dovenull", nil
}

func find() string {
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/dovecot"); err == nil {
		return "/usr/sbin/dovecot"
	}
	return ""
}
