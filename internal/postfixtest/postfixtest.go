// Package postfixtest runs a private Postfix instance for tests: its own
// configuration, queue and data directories under a temporary directory and
// listeners on loopback ports the test chooses, started with
// `postfix -c DIR`; never the system's configuration, queue or port 25.
// Postfix's master runs as root, so it needs root; there, on a Debian-like
// system, it installs the postfix package when missing, unconfigured and
// without starting the system's own instance.
package postfixtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailbot/internal/aptinstall"
	"mailbot/internal/envbool"
)

// Instance is one private Postfix.
type Instance struct {
	dir    string // everything of the instance
	conf   string // its config_directory
	master string // the master.cf last written, for its listeners
}

// New prepares an instance's directories; write its configuration with
// Configure, then Start it. Where Postfix cannot run at all (not root, or
// neither installed nor installable here) the test is skipped saying why,
// except under CI=true, where it fails; so does a failed install.
func New(t testing.TB) *Instance {
	t.Helper()
	if err := available(); err != nil {
		if ci, _ := envbool.Parse(os.Getenv("CI")); ci || !errors.Is(err, aptinstall.ErrCannot) {
			t.Fatalf("postfixtest: %v", err)
		}
		t.Skipf("postfixtest: %v", err)
	}
	dir, err := os.MkdirTemp("", "mailbot-postfix-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // the postfix user reads the maps
	p := &Instance{dir: dir, conf: filepath.Join(dir, "conf")}
	owner, err := user.Lookup("postfix")
	if err != nil {
		t.Fatalf("postfixtest: %v", err)
	}
	uid, _ := strconv.Atoi(owner.Uid)
	for _, d := range []string{"conf", "queue", "data"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Postfix creates the queue's subdirectories itself; its lock and caches
	// live in the data directory, which must be its own.
	os.Chown(filepath.Join(dir, "data"), uid, -1)
	t.Cleanup(func() { p.stop(t) })
	return p
}

// available installs Postfix where it may and says why it cannot run; an
// error that is aptinstall.ErrCannot means it cannot here at all.
func available() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: a private Postfix needs root (its master process runs as root); run the tests as root, or under CI=true to make this a failure", aptinstall.ErrCannot)
	}
	if find() != "" {
		return nil
	}
	err := aptinstall.InstallWith("postfix", func() bool { return find() != "" }, &aptinstall.Options{
		Debconf: []string{"postfix postfix/main_mailer_type select No configuration"}, NoStart: true})
	if err == nil && find() == "" {
		err = errors.New("the package installed no /usr/sbin/postfix")
	}
	if err != nil {
		return fmt.Errorf("postfix is not installed and could not be (%w): install it (Debian/Ubuntu: apt-get install postfix, \"No configuration\")", err)
	}
	return nil
}

func find() string {
	if _, err := os.Stat("/usr/sbin/postfix"); err == nil {
		return "/usr/sbin/postfix"
	}
	if p, err := exec.LookPath("postfix"); err == nil {
		return p
	}
	return ""
}

// ConfigDir is the instance's config_directory, where map files go.
func (p *Instance) ConfigDir() string { return p.conf }

// Log is what the instance logged so far.
func (p *Instance) Log() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "postfix.log"))
	return string(b)
}

// Problems are the log's warnings and errors so far.
func (p *Instance) Problems() []string {
	var out []string
	for _, line := range strings.Split(p.Log(), "\n") {
		if problemLine.MatchString(line) {
			out = append(out, line)
		}
	}
	return out
}

var problemLine = regexp.MustCompile(`\]: (warning|error|fatal|panic): `)

// Configure writes main.cf and master.cf: the instance's own settings and
// services, then main and master as given. Whatever postconf warns about
// (a "$" read as a macro, a parameter set twice, an unused one) fails the
// test. A running instance takes it on Reload.
func (p *Instance) Configure(t testing.TB, main, master string) {
	t.Helper()
	base := fmt.Sprintf(baseMain, p.dir)
	if err := os.WriteFile(filepath.Join(p.conf, "main.cf"), []byte(base+"\n"+main), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.conf, "master.cf"), []byte(master+"\n"+baseMaster), 0o644); err != nil {
		t.Fatal(err)
	}
	p.master = master
	var stderr bytes.Buffer
	cmd := exec.Command("postconf", "-c", p.conf, "-n")
	cmd.Stdout, cmd.Stderr = nil, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("postconf -c %s -n: %v\n%s", p.conf, err, stderr.String())
	}
}

// Start starts the instance and waits for the listeners of master.cf.
func (p *Instance) Start(t testing.TB) {
	t.Helper()
	p.run(t, "start")
	p.watch()
	p.waitListening(t)
}

// Reload makes the running instance read its configuration again.
func (p *Instance) Reload(t testing.TB) {
	t.Helper()
	p.run(t, "reload")
	p.waitListening(t)
}

// run runs a postfix command for this instance. Postfix prints its errors
// only to a terminal or to the log, so the log tells what went wrong.
func (p *Instance) run(t testing.TB, verb string) {
	t.Helper()
	out, err := exec.Command(find(), "-c", p.conf, verb).CombinedOutput()
	if err != nil {
		t.Fatalf("postfix -c %s %s: %v\n%s\nPostfix log:\n%s", p.conf, verb, err, out, p.Log())
	}
}

var listenerLine = regexp.MustCompile(`(?m)^(\S+:\d+)\s+inet\s`)

func (p *Instance) waitListening(t testing.TB) {
	t.Helper()
	for _, m := range listenerLine.FindAllStringSubmatch(p.master, -1) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			c, err := net.Dial("tcp", m[1])
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Postfix did not listen on %s: %v\nPostfix log:\n%s", m[1], err, p.Log())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// watch stops the instance and removes its directory if the test binary
// dies without cleaning up.
func (p *Instance) watch() {
	w := exec.Command("sh", "-c", `pid=$1; bin=$2; conf=$3; dir=$4
while kill -0 "$pid" 2>/dev/null; do sleep 1; done
"$bin" -c "$conf" abort >/dev/null 2>&1; sleep 1; rm -rf "$dir"`, "watch", strconv.Itoa(os.Getpid()), find(), p.conf, p.dir)
	w.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if w.Start() == nil {
		w.Process.Release()
	}
}

func (p *Instance) stop(t testing.TB) {
	exec.Command(find(), "-c", p.conf, "abort").Run() // says so when it is not running
	if t.Failed() {
		t.Logf("Postfix log:\n%s", p.Log())
	}
	time.Sleep(200 * time.Millisecond) // let its processes go
	os.RemoveAll(p.dir)
}

// baseMain keeps the instance to itself: its directories, loopback only,
// no local delivery, its own log file, and retries within seconds.
const baseMain = `# The private test instance (postfixtest).
compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
maillog_file = %[1]s/postfix.log
maillog_file_prefixes = %[1]s
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.example.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
address_verify_poll_delay = 1s
`

// baseMaster is Postfix's own services, none in a chroot (the instance has
// no chroot prepared); a test's listeners come before it.
const baseMaster = `postlog   unix-dgram n  -       n       -       1       postlogd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
`
