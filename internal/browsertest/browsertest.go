// Package browsertest drives a headless Chromium for tests. When Chromium
// is missing it installs Debian's package where it may (as root with
// apt-get); otherwise the test fails saying what to install.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"mailbot/internal/aptinstall"
)

var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Chromium returns the browser's path, installing it when allowed.
func Chromium() (string, error) {
	if p := find(); p != "" {
		return p, nil
	}
	if err := install(); err != nil {
		return "", fmt.Errorf("headless Chromium not found and not installable here (%v): install it (Debian: apt-get install chromium) or put chromium on PATH", err)
	}
	if p := find(); p != "" {
		return p, nil
	}
	return "", errors.New("chromium was installed but is not on PATH")
}

func find() string {
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func install() error {
	return aptinstall.Install("chromium", func() bool { return find() != "" })
}

// New starts a headless browser for the test and returns a context for
// chromedp actions; it stops when the test ends. The flags keep Chromium
// from reaching out to the network, which is closed here.
func New(t testing.TB) context.Context {
	t.Helper()
	path, err := Chromium()
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// Steps get a deadline; the first call above must not, as its context
	// owns the browser. The bounds are generous: under the race detector, on
	// a loaded two-core machine, a page with its checks can take a while.
	steps, cancelSteps := context.WithTimeout(ctx, 6*time.Minute)
	t.Cleanup(cancelSteps)
	return steps
}

// TryScreenshot is Screenshot for a picture that is nice to have: it gives
// up after a while and only logs when taking it fails.
func TryScreenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s not taken: %v", name, err)
		return
	}
	save(t, name, png)
}

// Screenshot saves a full-page PNG under the repository's
// testdata-artifacts/screens (not committed) and returns its path.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	return save(t, name, png)
}

func save(t testing.TB, name string, png []byte) string {
	t.Helper()
	dir := os.Getenv("MAILBOT_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(repoRoot(), "testdata-artifacts", "screens")
	}
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func repoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

// Click clicks sel and waits until after the page it leads to shows next.
// Right after a click that navigates, queries can land on the old page or
// on nodes already gone, so the wait is retried until the new page answers.
func Click(t testing.TB, ctx context.Context, sel, next string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(sel)); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	WaitVisible(t, ctx, next)
}

// Visit opens url and waits for sel to be visible. A load that stalls (seen
// under the race detector on a loaded machine, with pages that hold an
// event stream open) is tried again, up to three times, each logged.
func Visit(t testing.TB, ctx context.Context, url, sel string) {
	t.Helper()
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		step, cancel := context.WithTimeout(ctx, 45*time.Second)
		err = chromedp.Do(step, chromedp.Navigate(url), chromedp.WaitVisible(sel))
		cancel()
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			break
		}
		t.Logf("opening %s (waiting for %s), attempt %d: %v; trying again", url, sel, attempt, err)
	}
	t.Fatalf("opening %s (waiting for %s): %v", url, sel, err)
}

// WaitVisible waits for sel to be visible, retrying through navigations.
func WaitVisible(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		step, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := chromedp.Do(step, chromedp.WaitVisible(sel))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("waiting for %s: %v", sel, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Text reads the visible text of sel, retrying through navigations.
func Text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		step, cancel := context.WithTimeout(ctx, 3*time.Second)
		text, err := chromedp.Run(step, chromedp.Text(sel))
		cancel()
		if err == nil {
			return text
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// AcceptLanguage makes the browser ask for pages in these languages, as a
// browser set to them does: "es-ES,es;q=0.9".
func AcceptLanguage(t testing.TB, ctx context.Context, accept string) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders,
			network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": accept}})
		return err
	}))
	if err != nil {
		t.Fatalf("set Accept-Language: %v", err)
	}
}

// Width sets the viewport's width in CSS pixels (a phone is 390), with a
// phone's touch input below 600.
func Width(t testing.TB, ctx context.Context, width int64) {
	t.Helper()
	var opts []chromedp.EmulateViewportOption
	if width < 600 {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 844, opts...)); err != nil {
		t.Fatalf("set the viewport to %d px: %v", width, err)
	}
}

// ScrollWidth is how wide the page is laid out, in CSS pixels: wider than
// the viewport means it scrolls sideways.
func ScrollWidth(t testing.TB, ctx context.Context) int {
	t.Helper()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatalf("read the page's width: %v", err)
	}
	return w
}
