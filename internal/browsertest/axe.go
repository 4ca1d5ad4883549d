package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/chromedp/chromedp"

	"mailbot/internal/aptinstall"
)

// axeVersion is the axe-core release the accessibility checks run, from
// the npm registry.
const axeVersion = "4.14.1"

// AxeScript returns axe-core's browser script, installing the npm package
// into the user's cache directory the first time (npm itself from Debian's
// package where that is allowed).
func AxeScript() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "mailbot", "axe-core-"+axeVersion)
	script := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if data, err := os.ReadFile(script); err == nil {
		return string(data), nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		if err := aptinstall.Install("npm", func() bool { _, err := exec.LookPath("npm"); return err == nil }); err != nil {
			return "", fmt.Errorf("axe-core needs npm to install (%v): install npm (Debian: apt-get install npm), or put axe.min.js at %s", err, script)
		}
	}
	if err := npmInstall(dir, script); err != nil {
		return "", err
	}
	data, err := os.ReadFile(script)
	return string(data), err
}

// npmInstall installs axe-core into dir, one test binary at a time.
func npmInstall(dir, script string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	if _, err := os.Stat(script); err == nil {
		return nil
	}
	fmt.Fprintf(os.Stderr, "installing axe-core@%s from npm into %s\n", axeVersion, dir)
	cmd := exec.Command("npm", "install", "--prefix", dir, "--no-save", "--no-audit", "--no-fund", "--ignore-scripts", "axe-core@"+axeVersion)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install axe-core@%s: %w", axeVersion, err)
	}
	if _, err := os.Stat(script); err != nil {
		return errors.New("npm installed axe-core but its axe.min.js is not at " + script)
	}
	return nil
}

// axeViolation is one rule a page breaks, as the test reports it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// Axe runs axe-core's WCAG 2 A and AA rules (and its best practices) on the
// page and returns the serious and critical violations, one line each.
func Axe(t testing.TB, ctx context.Context) []string {
	t.Helper()
	script, err := AxeScript()
	if err != nil {
		t.Fatal(err)
	}
	// Evaluated through the DevTools protocol, the script is not subject
	// to the page's Content-Security-Policy.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](script+"\n;true")); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {runOnly: {type: "tag",
		values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
		.then(r => r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	var out []string
	for _, v := range found {
		out = append(out, fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", ")))
	}
	return out
}
