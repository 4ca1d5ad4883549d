// Package pgcluster runs a private PostgreSQL server from the local server
// binaries, for tests and for the demo. As root it runs the server as the
// "postgres" user, since PostgreSQL refuses to run as root.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// ErrNoBinaries means no PostgreSQL server binaries were found.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: " +
	"install them (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL")

// Options say where and how to run the cluster.
type Options struct {
	// Dir holds the data directory; created and initialised when it has no
	// cluster yet, reused otherwise.
	Dir string
	// Port to listen on at 127.0.0.1; 0 picks a free one.
	Port int
	// Fast turns off fsync and synchronous commit: for throwaway clusters only.
	Fast bool
}

// Cluster is a running server.
type Cluster struct {
	Dir  string
	Port int
	bin  string
	run  []string // prefix that runs a command as the cluster's owner
}

// Start initialises the cluster when needed and starts it, waiting until it
// accepts connections.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: opts.Dir, bin: bin}
	if err := c.prepareDir(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "PG_VERSION")); err != nil {
		if err := c.initdb(ctx, opts.Fast); err != nil {
			return nil, err
		}
	}
	// A server left running by a process that was killed holds the
	// directory; stop it so this one can start.
	if c.command(ctx, "pg_ctl", "status", "-D", c.Dir).Run() == nil {
		c.Stop(ctx, false)
	}
	for attempt := 0; ; attempt++ {
		c.Port = opts.Port
		if c.Port == 0 {
			if c.Port, err = freePort(); err != nil {
				return nil, err
			}
		}
		err = c.start(ctx)
		if err == nil || opts.Port != 0 || attempt == 2 {
			return c, err
		}
	}
}

// URL is a connection string for database name as the superuser.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, name)
}

// Stop shuts the server down; fast aborts open sessions, immediate skips the
// shutdown checkpoint.
func (c *Cluster) Stop(ctx context.Context, immediate bool) error {
	mode := "fast"
	if immediate {
		mode = "immediate"
	}
	out, err := c.command(ctx, "pg_ctl", "stop", "-D", c.Dir, "-m", mode, "-w").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

// StopWhenGone starts a detached watcher that, once process pid has exited,
// stops the server and removes its directory: a test binary that crashes or
// is killed then leaves nothing running.
func (c *Cluster) StopWhenGone(pid int) error {
	const script = `pid=$1; dir=$2; shift 2
while kill -0 "$pid" 2>/dev/null; do sleep 1; done
"$@" stop -D "$dir" -m immediate >/dev/null 2>&1
rm -rf "$dir"`
	args := []string{"-c", script, "watch", strconv.Itoa(pid), c.Dir}
	args = append(append(args, c.run...), filepath.Join(c.bin, "pg_ctl"))
	cmd := exec.Command("sh", args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgcluster: start watcher: %w", err)
	}
	return cmd.Process.Release()
}

func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	full := append(append(append([]string{}, c.run...), filepath.Join(c.bin, name)), args...)
	cmd := exec.CommandContext(ctx, full[0], full[1:]...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	return cmd
}

// prepareDir creates the data directory and, as root, hands it to the
// postgres user.
func (c *Cluster) prepareDir() error {
	// Parents must stay reachable by the postgres user when run as root.
	if err := os.MkdirAll(filepath.Dir(c.Dir), 0o755); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("pgcluster: running as root needs a 'postgres' user to run the server: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	c.run = []string{"runuser", "-u", "postgres", "--"}
	err = filepath.Walk(c.Dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if exec.Command("runuser", "-u", "postgres", "--", "test", "-w", c.Dir).Run() != nil {
		if private := privateAncestor(c.Dir); private != "" {
			return fmt.Errorf("pgcluster: the postgres user cannot reach %s: %s is private; run `chmod o+x %s` or choose another directory",
				c.Dir, private, private)
		}
		return fmt.Errorf("pgcluster: the postgres user cannot reach %s: choose a directory under /var/lib or /tmp", c.Dir)
	}
	return nil
}

func (c *Cluster) initdb(ctx context.Context, fast bool) error {
	args := []string{"-D", c.Dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"}
	if fast {
		args = append(args, "--no-sync")
	}
	if out, err := c.command(ctx, "initdb", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, lastLines(out, 5))
	}
	conf := "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nmax_connections = 200\n"
	if fast {
		conf += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
	}
	f, err := os.OpenFile(filepath.Join(c.Dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	defer f.Close()
	_, err = f.WriteString(conf)
	return err
}

func (c *Cluster) start(ctx context.Context) error {
	logFile := filepath.Join(c.Dir, "server.log")
	cmd := c.command(ctx, "pg_ctl", "start", "-D", c.Dir, "-w", "-t", "60", "-l", logFile,
		"-o", "-p "+strconv.Itoa(c.Port))
	if out, err := cmd.CombinedOutput(); err != nil {
		logTail, _ := os.ReadFile(logFile)
		return fmt.Errorf("pg_ctl start: %w: %s %s", err, bytes.TrimSpace(out), lastLines(logTail, 5))
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// findBinaries returns the directory holding initdb and pg_ctl: from PATH,
// else the newest of the usual install places.
func findBinaries() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	var dirs []string
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/opt/homebrew/opt/postgresql@*/bin", "/usr/local/opt/postgresql@*/bin"} {
		m, _ := filepath.Glob(pattern)
		dirs = append(dirs, m...)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// privateAncestor is the nearest directory above dir that others may not
// enter (no x bit for others), "" when there is none.
func privateAncestor(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o001 == 0 {
			return d
		}
		if d == filepath.Dir(d) {
			return ""
		}
	}
}
