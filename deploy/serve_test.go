package deploy

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func buildMailbot(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "mailbot")
	if out, err := exec.Command("go", "build", "-tags", "nodemo", "-o", bin, "../cmd/mailbot").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// serveProc is a running `mailbot serve`.
type serveProc struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	exitErr error
}

// startServe runs `mailbot serve --env-file` with no other environment, as
// systemd would with the unit's EnvironmentFile, and waits until it is
// ready; its log goes on in serve.log.
func startServe(t *testing.T, s *site) *serveProc {
	t.Helper()
	logPath := filepath.Join(s.work, "serve.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := logFile.Seek(0, io.SeekEnd)
	ownLog := func() string { b, _ := os.ReadFile(logPath); return string(b[before:]) }
	p := &serveProc{cmd: exec.Command(s.bin, "serve", "--env-file", s.envFile), exited: make(chan struct{})}
	p.cmd.Env = []string{}
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exitErr = p.cmd.Wait(); logFile.Close(); close(p.exited) }()
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			t.Logf("serve log:\n%s", ownLog())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + s.http + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("serve exited: %v\n%s", p.exitErr, ownLog())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("serve not ready after 30s")
		}
	}
}

// stop ends serve as systemd does, with SIGTERM, and waits for it.
func (p *serveProc) stop(t *testing.T) {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Errorf("serve did not stop within 10s of SIGTERM")
		p.cmd.Process.Kill()
		<-p.exited
	}
}
