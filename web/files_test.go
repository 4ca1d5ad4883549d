package web_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mailbot/threads"
	"mailbot/web"
)

// upFile is a file a test posts.
type upFile struct {
	name string
	data []byte
}

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// multipartBody encodes fields and files as a browser or curl -F would.
func multipartBody(fields url.Values, files ...upFile) (string, *bytes.Buffer) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, vs := range fields {
		for _, v := range vs {
			mw.WriteField(name, v)
		}
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile("files", f.name)
		w.Write(f.data)
	}
	mw.Close()
	return mw.FormDataContentType(), &body
}

// upload posts a multipart form as the signed-in person.
func (c *client) upload(path string, fields url.Values, files ...upFile) (int, string, http.Header) {
	c.t.Helper()
	ct, body := multipartBody(fields, files...)
	req, _ := http.NewRequest("POST", c.base+path, body)
	req.Header.Set("Content-Type", ct)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// lastFiles returns the files of the transaction's latest message.
func (f *fixture) lastFiles(t *testing.T, txn threads.Transaction) []threads.File {
	t.Helper()
	ms, err := f.store.Messages(t.Context(), txn.ID)
	if err != nil || len(ms) == 0 {
		t.Fatalf("messages: %v, %d", err, len(ms))
	}
	return ms[len(ms)-1].Files
}

func (f *fixture) filePath(c threads.Company, txn threads.Transaction, file threads.File) string {
	return fmt.Sprintf("%s/files/%d", f.txnPath(c, txn), file.ID)
}

// checkInert checks the headers that keep a served file from acting in the
// browser.
func checkInert(t *testing.T, what string, h http.Header, contentType, disposition string) {
	t.Helper()
	if got := h.Get("Content-Type"); got != contentType {
		t.Errorf("%s: Content-Type %q, want %q", what, got, contentType)
	}
	if got := h.Get("Content-Disposition"); !strings.HasPrefix(got, disposition) {
		t.Errorf("%s: Content-Disposition %q, want it to start with %q", what, got, disposition)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", what, got)
	}
	if got := h.Get("Content-Security-Policy"); got != "default-src 'none'; sandbox" {
		t.Errorf("%s: Content-Security-Policy %q", what, got)
	}
}

const hostileName = `"><script>alert(1)<script>.pdf`

func TestFilesOnTheTransactionPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acc := f.client(t)
	acc.login("avery@firm.test", "/")
	page := f.txnPath(f.acme, f.invoice)
	photo := web.ExifJPEG(t, 1200, 600, 6, binary.BigEndian)
	code, _, h := acc.upload(page+"/messages", url.Values{"recipient": {fmt.Sprint(f.ana.ID)}, "body": {"Here are the receipts."}},
		upFile{"photo.jpg", photo}, upFile{"recibo año.pdf", pdf}, upFile{hostileName, pdf}, upFile{"setup.exe", []byte("MZ\x90\x00\x03")})
	if code != http.StatusSeeOther {
		t.Fatalf("post with files: %d, want 303", code)
	}
	files := f.lastFiles(t, f.invoice)
	if len(files) != 4 || files[0].ContentType != "image/jpeg" || files[1].ContentType != "application/pdf" || files[3].Accepted() {
		t.Fatalf("stored files: %+v", files)
	}
	if !strings.HasSuffix(h.Get("Location"), page+"#m"+fmt.Sprint(files[0].MessageID)) {
		t.Errorf("post went to %s", h.Get("Location"))
	}

	_, html, _ := acc.do("GET", page, nil)
	for _, want := range []string{
		fmt.Sprintf(`<a class="download" href="%s" download>photo.jpg</a>`, f.filePath(f.acme, f.invoice, files[0])),
		fmt.Sprintf(`<img class="preview" src="%s/preview" alt="photo.jpg"`, f.filePath(f.acme, f.invoice, files[0])),
		"recibo año.pdf</a> <span class=\"file-meta\">" + threads.FormatSize(int64(len(pdf))) + " · PDF</span>",
		"1 file not accepted: setup.exe (programs and scripts are not accepted)",
		"&#34;&gt;&lt;script&gt;alert(1)&lt;script&gt;.pdf",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(html, "<script>alert") {
		t.Error("a file name became markup on the page")
	}
	if strings.Count(html, `class="preview"`) != 1 {
		t.Error("only the photo should have a preview")
	}

	// A member downloads: the sniffed type, the name, and nothing that
	// lets the browser run it.
	code, body, h := acc.do("GET", f.filePath(f.acme, f.invoice, files[1]), nil)
	if code != 200 || body != string(pdf) {
		t.Fatalf("PDF download: %d, %d bytes", code, len(body))
	}
	checkInert(t, "PDF", h, "application/pdf", `attachment; filename="recibo a_o.pdf"; filename*=UTF-8''recibo%20a%C3%B1o.pdf`)
	pdfTag := h.Get("ETag")
	code, body, h = acc.do("GET", f.filePath(f.acme, f.invoice, files[0]), nil)
	if code != 200 || body != string(photo) {
		t.Fatalf("photo download: %d, %d bytes", code, len(body))
	}
	checkInert(t, "photo", h, "image/jpeg", `inline; filename="photo.jpg"`)
	code, _, h = acc.do("GET", f.filePath(f.acme, f.invoice, files[2]), nil)
	checkInert(t, "hostile name", h, "application/pdf", `attachment; filename="_><script>alert(1)<script>.pdf"`)
	if code != 200 {
		t.Errorf("hostile name download: %d", code)
	}
	if code, _, _ := acc.do("GET", f.filePath(f.acme, f.invoice, files[3]), nil); code != 404 {
		t.Errorf("a refused file downloads: %d", code)
	}
	// Unchanged since the last time: the browser keeps its copy, after the
	// same access check.
	if code, _, _ := acc.do("GET", f.filePath(f.acme, f.invoice, files[1]), nil, "If-None-Match", pdfTag); code != 304 || pdfTag == "" {
		t.Errorf("revalidation with the ETag: %d, want 304", code)
	}

	ana := f.client(t)
	ana.login("ana@acme.test", "/")
	if code, _, _ := ana.do("GET", f.filePath(f.acme, f.invoice, files[1]), nil); code != 200 {
		t.Errorf("the client of the company downloads: %d, want 200", code)
	}
	bruno := f.client(t)
	bruno.login("bruno@bolt.test", "/")
	for _, path := range []string{
		f.filePath(f.acme, f.invoice, files[1]),
		f.filePath(f.acme, f.invoice, files[0]) + "/preview",
		f.filePath(f.bolt, f.invoice, files[1]),
		fmt.Sprintf("%s/files/%d", f.txnPath(f.bolt, f.bill), files[1].ID),
	} {
		if code, body, _ := bruno.do("GET", path, nil); code != 404 || strings.Contains(body, "recibo") {
			t.Errorf("someone of another company: %s answers %d, want the same not-found as for anything else", path, code)
		}
	}
	if code, _, _ := acc.do("GET", fmt.Sprintf("%s/files/%d", f.txnPath(f.acme, f.receipt), files[1].ID), nil); code != 404 {
		t.Errorf("a file under another transaction's path: %d, want 404", code)
	}
	if code, _, h := f.client(t).do("GET", f.filePath(f.acme, f.invoice, files[1]), nil); code != 303 || !strings.HasPrefix(h.Get("Location"), "/login?next=") {
		t.Errorf("signed out: %d to %s, want the sign-in page", code, h.Get("Location"))
	}
}

func TestPreviewIsUprightAndSmall(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acc := f.client(t)
	acc.login("avery@firm.test", "/")
	page := f.txnPath(f.acme, f.invoice)
	// Orientation 6: the camera was turned clockwise, so the stored
	// 1200×600 pixels show upright as 600×1200, the red left half on top.
	sideways := web.ExifJPEG(t, 1200, 600, 6, binary.BigEndian)
	big := bigPhoto(t, 4000, 3000)
	code, _, _ := acc.upload(page+"/messages", url.Values{"recipient": {fmt.Sprint(f.ana.ID)}},
		upFile{"sideways.jpg", sideways}, upFile{"12mp.jpg", big}, upFile{"receipt.pdf", pdf})
	if code != http.StatusSeeOther {
		t.Fatalf("post: %d", code)
	}
	files := f.lastFiles(t, f.invoice)

	code, body, h := acc.do("GET", f.filePath(f.acme, f.invoice, files[0])+"/preview", nil)
	if code != 200 {
		t.Fatalf("preview: %d %s", code, body)
	}
	checkInert(t, "preview", h, "image/jpeg", "inline")
	img, err := jpeg.Decode(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 240 || b.Dy() != 480 {
		t.Errorf("preview of a sideways 1200x600 photo is %dx%d, want 240x480", b.Dx(), b.Dy())
	}
	if r, _, b, _ := img.At(120, 10).RGBA(); r < b {
		t.Error("the preview's top is not the photo's red left half: it was not turned clockwise")
	}
	if _, _, err := f.store.Preview(t.Context(), files[0].SHA256, 480); err != nil {
		t.Errorf("the preview was not kept: %v", err)
	}
	if code, _, _ := acc.do("GET", f.filePath(f.acme, f.invoice, files[0])+"/preview", nil, "If-None-Match", h.Get("ETag")); code != 304 {
		t.Errorf("preview revalidation: %d, want 304", code)
	}

	code, body, _ = acc.do("GET", f.filePath(f.acme, f.invoice, files[1])+"/preview", nil)
	if code != 200 {
		t.Fatalf("preview of the 12 MP photo: %d", code)
	}
	cfg, err := jpeg.DecodeConfig(strings.NewReader(body))
	if err != nil || cfg.Width != 480 || cfg.Height != 360 {
		t.Errorf("preview of a 4000x3000 photo: %dx%d (%v), want 480x360", cfg.Width, cfg.Height, err)
	}
	if len(body) > 100_000 {
		t.Errorf("preview of a %d-byte photo is %d bytes", len(big), len(body))
	}
	t.Logf("12 MP photo: %d bytes, its preview %d", len(big), len(body))

	if code, _, _ := acc.do("GET", f.filePath(f.acme, f.invoice, files[2])+"/preview", nil); code != 404 {
		t.Errorf("preview of a PDF: %d, want 404", code)
	}
}

// bigPhoto is a w×h JPEG with enough detail to weigh what a phone photo does.
func bigPhoto(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	seed := uint32(1)
	for i := 0; i < len(img.Pix); i += 4 {
		seed = seed*1664525 + 1013904223
		x, y := (i/4)%w, (i/4)/w
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x), uint8(y), uint8(seed>>24), 255
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestPostFormKeepsTextAndRefusesOverLimits(t *testing.T) {
	t.Parallel()
	f := newFixtureStore(t, &threads.Options{Files: threads.FileLimits{MaxFileBytes: 1000, MaxFiles: 2, MaxTotalBytes: 1500}}, web.Options{})
	acc := f.client(t)
	acc.login("avery@firm.test", "/")
	page := f.txnPath(f.acme, f.invoice)
	to := fmt.Sprint(f.ana.ID)

	// No recipient: the typed text comes back, and the person is told to
	// choose the files again (a browser cannot fill a file input).
	code, html, _ := acc.upload(page+"/messages", url.Values{"body": {"Receipt & notes <b>"}}, upFile{"a.txt", []byte("hello")})
	if code != http.StatusUnprocessableEntity || !strings.Contains(html, "Receipt &amp; notes &lt;b&gt;</textarea>") ||
		!strings.Contains(html, "Choose the files again.") {
		t.Errorf("refused post: %d; want 422 with the text kept and a word about the files", code)
	}

	// Files over the count and the size are recorded as not accepted; the
	// message is posted with the rest.
	code, _, _ = acc.upload(page+"/messages", url.Values{"recipient": {to}, "body": {"Three files"}},
		upFile{"a.txt", bytes.Repeat([]byte("a"), 500)}, upFile{"big.pdf", append(pdf, make([]byte, 1200)...)}, upFile{"c.txt", []byte("c")})
	if code != http.StatusSeeOther {
		t.Fatalf("post over the limits: %d, want 303", code)
	}
	_, html, _ = acc.do("GET", page, nil)
	if want := "2 files not accepted: big.pdf (larger than the 1 KB limit for one file), c.txt (more than 2 files on one message)"; !strings.Contains(html, want) {
		t.Errorf("the page lacks %q", want)
	}
	// A Spanish-speaking client reads the reasons in Spanish.
	if _, err := f.store.UpsertPerson(t.Context(), threads.PersonInput{ExternalID: "ana", Name: "Ana Client", Locale: "es", TimeZone: "Europe/Madrid",
		Emails: []threads.EmailAddress{{Address: "ana@acme.test", Verified: true}}}); err != nil {
		t.Fatal(err)
	}
	ana := f.client(t)
	ana.login("ana@acme.test", "/")
	_, html, _ = ana.do("GET", page, nil)
	if want := "2 archivos no aceptados: big.pdf (supera el límite de 1 KB por archivo), c.txt (más de 2 archivos en un mensaje)"; !strings.Contains(html, want) {
		t.Errorf("the Spanish page lacks %q", want)
	}

	// A file alone, without words, is a message.
	if code, _, _ := acc.upload(page+"/messages", url.Values{"recipient": {to}}, upFile{"only.txt", []byte("just a file")}); code != http.StatusSeeOther {
		t.Errorf("a post of only a file: %d, want 303", code)
	}

	// More than a message may carry is not read to its end.
	code, html, _ = acc.upload(page+"/messages", url.Values{"recipient": {to}, "body": {"Too much"}},
		upFile{"huge.bin", make([]byte, 3<<20)})
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(html, "Too much</textarea>") {
		t.Errorf("a 3 MB post: %d; want 413 with the text kept", code)
	}
	if n := len(f.lastFiles(t, f.invoice)); n != 1 {
		t.Errorf("the last message has %d files; the too-large post stored something", n)
	}
}

func TestPageCSPAllowsPreviews(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acc := f.client(t)
	acc.login("avery@firm.test", "/")
	_, _, h := acc.do("GET", f.txnPath(f.acme, f.invoice), nil)
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self'") {
		t.Errorf("the page's CSP %q does not let it show previews from this site", csp)
	}
}
