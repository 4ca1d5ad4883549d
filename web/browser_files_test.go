package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"mailbot/internal/browsertest"
	"mailbot/web"
)

// TestBrowserFiles: the accountant attaches a photo and a PDF with the
// page's file input; the client sees both, the photo as an upright preview,
// and downloads the PDF.
func TestBrowserFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	page := f.srv.URL + f.txnPath(f.acme, f.invoice)
	dir := t.TempDir()
	photo, receipt := filepath.Join(dir, "receipt-photo.jpg"), filepath.Join(dir, "receipt.pdf")
	must(t, os.WriteFile(photo, web.ExifJPEG(t, 1200, 600, 6, binary.BigEndian), 0o644))
	must(t, os.WriteFile(receipt, pdf, 0o644))

	acc := browsertest.New(t)
	must(t, chromedp.Do(acc, chromedp.Navigate(page), chromedp.WaitVisible("#sign-in")))
	signIn(t, acc, "avery@firm.test", "#activities")
	must(t, chromedp.Do(acc,
		chromedp.SetValue("#recipient", fmt.Sprint(f.ana.ID)),
		chromedp.SendKeys("#body", "Here is the receipt for this invoice."),
		chromedp.SetUploadFiles("#files", []string{photo, receipt}),
	))
	browsertest.Click(t, acc, "#post", "li.file")
	waitText(t, acc, "#activities", "receipt.pdf")
	browsertest.Screenshot(t, acc, "files-posted")

	cli := browsertest.New(t)
	must(t, chromedp.Do(cli, chromedp.Navigate(page), chromedp.WaitVisible("#sign-in")))
	signIn(t, cli, "ana@acme.test", "li.file")
	files := browsertest.Text(t, cli, "ul.files")
	if !strings.Contains(files, "receipt-photo.jpg") || !strings.Contains(files, "receipt.pdf") || !strings.Contains(files, "PDF") {
		t.Errorf("the client sees the files as %q", files)
	}
	w, h := previewSize(t, cli)
	if w != 240 || h != 480 {
		t.Errorf("the preview is %dx%d in the browser, want 240x480 (the sideways photo turned upright)", w, h)
	}
	browsertest.Screenshot(t, cli, "files-client")

	downloads := t.TempDir()
	_, err := chromedp.CallBrowser(cli, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
	must(t, err)
	must(t, chromedp.Do(cli, chromedp.Click(`a.download[href$="/files/`+fmt.Sprint(f.lastFiles(t, f.invoice)[1].ID)+`"]`)))
	got := waitFile(t, filepath.Join(downloads, "receipt.pdf"))
	if !bytes.Equal(got, pdf) {
		t.Errorf("the downloaded receipt has %d bytes, want the %d posted", len(got), len(pdf))
	}
}

// previewSize waits for the preview image to load and returns its size.
func previewSize(t *testing.T, ctx context.Context) (int, int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		size := run(t, ctx, chromedp.Evaluate[[]int](`(() => { const i = document.querySelector("img.preview");
			return i && i.complete ? [i.naturalWidth, i.naturalHeight] : [0, 0] })()`))
		if size[0] > 0 || time.Now().After(deadline) {
			return size[0], size[1]
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitFile waits for a download to land and returns its content.
func waitFile(t *testing.T, path string) []byte {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if b, err := os.ReadFile(path); err == nil {
			return b
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(filepath.Dir(path))
			t.Fatalf("%s was never downloaded; the folder has %v", filepath.Base(path), entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
