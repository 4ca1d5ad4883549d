package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mailbot/internal/browsertest"
	"mailbot/internal/demo"
	"mailbot/internal/smtptest"
)

// demoProc is `mailbot demo` running as a child process.
type demoProc struct {
	cmd  *exec.Cmd
	web  string
	done chan error
}

func startDemo(t *testing.T, bin, stateDir string, addrs [3]string) *demoProc {
	t.Helper()
	cmd := exec.Command(bin, "demo", "--state-dir", stateDir, "--http", addrs[0], "--smtp", addrs[1], "--imap", addrs[2])
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, _ := cmd.StdoutPipe()
	logFile, _ := os.Create(filepath.Join(stateDir, "demo.log"))
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &demoProc{cmd: cmd, web: "http://" + addrs[0], done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "try first") {
				close(ready)
			}
		}
		p.done <- cmd.Wait()
	}()
	select {
	case <-ready:
	case err := <-p.done:
		t.Fatalf("demo exited before printing its block: %v", err)
	case <-time.After(90 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatal("demo did not print its block within 90 seconds")
	}
	return p
}

// stop sends Ctrl-C and waits for a clean exit.
func (p *demoProc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("demo exited with %v after Ctrl-C, want 0", err)
		}
	case <-time.After(30 * time.Second):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		t.Fatal("demo did not stop within 30 seconds of Ctrl-C")
	}
}

// TestDemoEndToEnd starts the built binary's demo, drives a browser through
// post → demo inbox → reply by email → Activities, stops it with Ctrl-C,
// and checks that a restart keeps the conversation.
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the demo")
	}
	bin := filepath.Join(t.TempDir(), "mailbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	stateDir, err := os.MkdirTemp("", "mailbot-demo-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(stateDir, 0o755) // the database runs as another user when root
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(stateDir, "demo.log"))
			t.Logf("demo log:\n%s", log)
		}
		os.RemoveAll(stateDir)
	})
	addrs := [3]string{smtptest.FreeAddr(t), smtptest.FreeAddr(t), smtptest.FreeAddr(t)}
	proc := startDemo(t, bin, stateDir, addrs)
	defer func() {
		if proc.cmd.ProcessState == nil {
			syscall.Kill(-proc.cmd.Process.Pid, syscall.SIGKILL)
		}
	}()

	txnPage := proc.web + "/companies/1/transactions/1"
	b := browsertest.New(t)
	must(t, chromedp.Do(b, chromedp.Navigate(txnPage), chromedp.WaitVisible("#sign-in"),
		chromedp.SetValue("#email", "avery@fernhill.test"), chromedp.SetValue("#password", demo.Password)))
	browsertest.Click(t, b, "#sign-in", "#post-form")
	converse(t, b, proc.web, "Could you send the receipt for this one?", "Attached. It was the spring order.", true)
	if !pageHas(t, proc.web, "/companies/1/transactions/1", "by email") {
		t.Error("the reply is not marked as having come by email")
	}

	proc.stop(t)
	if out, _ := exec.Command("pgrep", "-f", stateDir).Output(); len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("processes left running after Ctrl-C: %s", out)
	}
	proc = startDemo(t, bin, stateDir, addrs)
	if !pageHas(t, proc.web, "/companies/1/transactions/1", "Attached. It was the spring order.") {
		t.Error("the reply is gone after a restart")
	}
	// The restarted mail world has lost its mail; a reply to it is still
	// read, not taken for the one read before the restart.
	converse(t, b, proc.web, "And the one for the delivery?", "The delivery was on the same receipt.", false)
	proc.stop(t)
}

// converse posts question as the signed-in accountant to Dana on invoice
// A-1001, answers it from Dana's demo inbox and waits for the answer in
// Activities.
func converse(t *testing.T, b context.Context, web, question, answer string, screenshots bool) {
	t.Helper()
	must(t, chromedp.Do(b, chromedp.Navigate(web+"/companies/1/transactions/1"), chromedp.WaitVisible("#post-form"),
		chromedp.SetValue("#recipient", "3"), chromedp.SendKeys("#body", question), chromedp.Click("#post")))
	// The page before the post has Activities too: wait for the new one.
	poll(t, "the posted message on the page", func() bool {
		text, _ := chromedp.Run(b, chromedp.Text("#activities"))
		return strings.Contains(text, question)
	})
	if screenshots {
		browsertest.TryScreenshot(t, b, "demo-transaction")
	}
	inbox := web + "/demo/inbox?who=dana@harbortools.test"
	poll(t, "the notification in Dana's inbox", func() bool {
		must(t, chromedp.Do(b, chromedp.Navigate(inbox), chromedp.WaitVisible("#who")))
		text, _ := chromedp.Run(b, chromedp.Text("body"))
		return strings.Contains(text, question)
	})
	if screenshots {
		browsertest.TryScreenshot(t, b, "demo-inbox")
	}
	// The newest mail comes first.
	must(t, chromedp.Do(b, chromedp.SendKeys("div.mail textarea", answer)))
	browsertest.Click(t, b, "div.mail button.reply", "#flash")
	poll(t, "the emailed reply in Activities", func() bool {
		return pageHas(t, web, "/companies/1/transactions/1", answer)
	})
}

func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// pageHas signs in as the first accountant and reads a page over plain HTTP.
func pageHas(t *testing.T, base, path, text string) bool {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(base+"/login", url.Values{"email": {"avery@fernhill.test"}, "password": {demo.Password}, "next": {path}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode == 200 && strings.Contains(sb.String(), text)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(fmt.Errorf("browser: %w", err))
	}
}
