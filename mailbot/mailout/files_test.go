package mailout_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	mathrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-msgauth/dkim"

	"mailbot/mailbot/mailout"
	"mailbot/templates"
	"mailbot/threads"
)

// testPDF is a small one-page PDF.
func testPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
		"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
		"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n")
	for i := range 40 {
		fmt.Fprintf(&b, "%% line %d of the receipt: 12.50 EUR paper, 3.10 EUR stamps\n", i)
	}
	b.WriteString("trailer << /Root 1 0 R >>\n%%EOF\n")
	return b.Bytes()
}

// testJPEG is a noisy photo, so it does not compress to nothing.
func testJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	rng := mathrand.New(mathrand.NewPCG(1, 2))
	for y := range 240 {
		for x := range 320 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(rng.IntN(256)), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// attachUpTo gives the fixture a composer that attaches files up to max
// bytes in all, signing with DKIM when signer is set.
func (f *fixture) attachUpTo(t testing.TB, max int64, signer *mailout.DKIMOptions) {
	t.Helper()
	opts := testOptions
	opts.AttachMaxBytes, opts.DKIM = max, signer
	var err error
	if f.composer, err = mailout.NewComposer(opts, templates.FS); err != nil {
		t.Fatal(err)
	}
}

// postFiles posts a message with files and returns them as stored, with
// their ids.
func (f *fixture) postFiles(t testing.TB, from, to threads.Person, body string, files ...threads.NewFile) []threads.File {
	t.Helper()
	m, err := f.store.PostMessage(t.Context(), threads.NewMessage{TransactionID: f.invoice.ID,
		AuthorID: from.ID, RecipientID: to.ID, Body: body, Source: threads.SourceWeb, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	thread, err := f.store.Thread(t.Context(), from.ID, f.invoice.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range thread {
		if tm.ID == m.ID {
			return tm.Files
		}
	}
	t.Fatalf("message %d is not in the thread", m.ID)
	return nil
}

func names(as []attachment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.name)
	}
	return out
}

func (f *fixture) fileLink(id int64) string {
	return fmt.Sprintf("https://app.example.test/companies/%d/transactions/%d/files/%d", f.company.ID, f.invoice.ID, id)
}

// partTypes lists the content types of an email's parts, depth first:
// "multipart/mixed", "multipart/alternative", "text/plain", ...
func partTypes(t testing.TB, data []byte) []string {
	t.Helper()
	e, err := message.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	err = e.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil {
			return err
		}
		ct, _, _ := part.Header.ContentType()
		types = append(types, ct)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return types
}

func TestNotificationCarriesFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	f.attachUpTo(t, 1<<20, &mailout.DKIMOptions{Domain: "mail.example.test", Selector: "s1", Signer: priv})
	pdf, jpg := testPDF(), testJPEG(t)
	stored := f.postFiles(t, f.accountant, f.clientEN, "Here is the receipt, and a photo of the delivery note.",
		threads.NewFile{Name: "receipt-0314.pdf", Data: pdf}, threads.NewFile{Name: "albarán ñandú.jpg", Data: jpg})
	drain(t, f.worker(t, f.smtp.Addr, nil), 3)
	got := f.smtp.Messages()
	if len(got) != 1 {
		t.Fatalf("received %d, want 1", len(got))
	}
	data := got[0].Data
	want := []string{"multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf", "image/jpeg"}
	if types := partTypes(t, data); strings.Join(types, " ") != strings.Join(want, " ") {
		t.Errorf("parts = %v, want %v", types, want)
	}
	e := parse(t, data)
	if len(e.attachments) != 2 {
		t.Fatalf("%d attachments, want 2", len(e.attachments))
	}
	for i, w := range []attachment{{"receipt-0314.pdf", "application/pdf", pdf}, {"albarán ñandú.jpg", "image/jpeg", jpg}} {
		a := e.attachments[i]
		if a.name != w.name || a.contentType != w.contentType || !bytes.Equal(a.data, w.data) {
			t.Errorf("attachment %d = %q %s, %d bytes (equal: %v); want %q %s, %d bytes",
				i, a.name, a.contentType, len(a.data), bytes.Equal(a.data, w.data), w.name, w.contentType, len(w.data))
		}
	}
	// The non-ASCII name is an RFC 2231 parameter, not an encoded word.
	if !bytes.Contains(data, []byte(`filename*=utf-8''albar%C3%A1n%20%C3%B1and%C3%BA.jpg`)) {
		t.Errorf("no RFC 2231 filename for the photo:\n%s", data[:min(len(data), 4000)])
	}
	for i, name := range []string{"receipt-0314.pdf", "albarán ñandú.jpg"} {
		line := fmt.Sprintf("- %s (%s, attached): %s", name, threads.FormatSize(stored[i].Size), f.fileLink(stored[i].ID))
		if !strings.Contains(e.text, "Files:\n") || !strings.Contains(e.text, line) {
			t.Errorf("text part lacks %q:\n%s", line, e.text)
		}
		link := fmt.Sprintf(`<a href="%s">%s</a> (%s, attached)`, f.fileLink(stored[i].ID), name, threads.FormatSize(stored[i].Size))
		if !strings.Contains(e.html, link) {
			t.Errorf("html part lacks %q:\n%s", link, e.html)
		}
	}
	// DKIM still signs the larger mail.
	lookup := func(string) ([]string, error) {
		return []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(data), &dkim.VerifyOptions{LookupTXT: lookup})
	if err != nil || len(vs) != 1 || vs[0].Err != nil {
		t.Fatalf("DKIM verification = %+v, %v", vs, err)
	}
}

// Files whose total passes the limit, or any files when attaching is off,
// are listed with their links and not attached.
func TestFilesOverTheLimitAreLinked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pdf, jpg := testPDF(), testJPEG(t)
	for round, limit := range []int64{int64(len(pdf) + len(jpg) - 1), 0} {
		f.attachUpTo(t, limit, nil)
		stored := f.postFiles(t, f.accountant, f.clientEN, "",
			threads.NewFile{Name: "receipt.pdf", Data: pdf}, threads.NewFile{Name: "photo.jpg", Data: jpg})
		drain(t, f.worker(t, f.smtp.Addr, nil), 3)
		got := f.smtp.Messages()
		if len(got) != round+1 {
			t.Fatalf("limit %d: received %d in all, want %d", limit, len(got), round+1)
		}
		e := parse(t, got[round].Data)
		if ct := e.header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") || len(e.attachments) != 0 {
			t.Errorf("limit %d: Content-Type %q with %d attachments; want multipart/alternative and none", limit, ct, len(e.attachments))
		}
		for i, name := range []string{"receipt.pdf", "photo.jpg"} {
			line := fmt.Sprintf("- %s (%s): %s\n", name, threads.FormatSize(stored[i].Size), f.fileLink(stored[i].ID))
			if !strings.Contains(e.text, line) {
				t.Errorf("limit %d: text part lacks %q:\n%s", limit, line, e.text)
			}
			if !strings.Contains(e.html, `<a href="`+f.fileLink(stored[i].ID)+`">`+name+`</a>`) {
				t.Errorf("limit %d: html part lacks the link to %s:\n%s", limit, name, e.html)
			}
		}
		if strings.Contains(e.text, "attached") || strings.Contains(e.html, "attached") {
			t.Errorf("limit %d: the email says files are attached:\n%s", limit, e.text)
		}
	}
}

// A refused file is listed as not accepted, in the reader's language, and
// the accepted ones are still attached.
func TestRefusedFileListedAsNotAccepted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.attachUpTo(t, 1<<20, nil)
	pdf := testPDF()
	stored := f.postFiles(t, f.accountant, f.client, "Adjunto la factura.",
		threads.NewFile{Name: "factura.pdf", Data: pdf}, threads.NewFile{Name: "programa.exe", Data: []byte("MZ\x90\x00 not really")})
	if stored[1].Accepted() {
		t.Fatalf("the program was accepted: %+v", stored[1])
	}
	drain(t, f.worker(t, f.smtp.Addr, nil), 3)
	got := f.smtp.Messages()
	if len(got) != 1 {
		t.Fatalf("received %d, want 1", len(got))
	}
	e := parse(t, got[0].Data)
	if len(e.attachments) != 1 || e.attachments[0].name != "factura.pdf" || !bytes.Equal(e.attachments[0].data, pdf) {
		t.Errorf("attachments named %q; want the PDF alone, as posted", names(e.attachments))
	}
	for _, want := range []string{"Archivos:\n",
		fmt.Sprintf("- factura.pdf (%s, adjunto): %s\n", threads.FormatSize(stored[0].Size), f.fileLink(stored[0].ID)),
		"- no aceptado: programa.exe (no se aceptan programas ni scripts)"} {
		if !strings.Contains(e.text, want) {
			t.Errorf("text part lacks %q:\n%s", want, e.text)
		}
	}
	if !strings.Contains(e.html, "no aceptado: programa.exe (no se aceptan programas ni scripts)") || strings.Contains(e.html, "/files/"+fmt.Sprint(stored[1].ID)) {
		t.Errorf("html part does not list the program as not accepted, without a link:\n%s", e.html)
	}
}

// A file name is data: it cannot add a header, to the email or to a part,
// nor markup to the HTML, whether it was cleaned when stored or not.
func TestHostileFileName(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.attachUpTo(t, 1<<20, nil)
	// No slash: a name keeps only its last path element.
	hostile := "x\r\nBcc: victim@evil.test\r\n\r\n<img src=x onerror=alert(1)><script>alert(1).pdf"
	stored := f.postFiles(t, f.accountant, f.clientEN, "see file", threads.NewFile{Name: hostile, Data: testPDF()})
	drain(t, f.worker(t, f.smtp.Addr, nil), 3)

	// The same file named as it came, as if a path had not cleaned it.
	raw := stored[0]
	raw.Name = hostile
	n := threads.Notification{OutboxID: 1, Attempt: 1, MailID: "hostile", ToAddress: "dana@client.test", MessageID: 1,
		Body: "see file", AuthorName: "Avery Quill", RecipientID: f.clientEN.ID, RecipientName: "Dana Harbor", Locale: "en",
		CompanyID: f.company.ID, CompanyName: "Harbor Tools Ltd", Transaction: f.invoice, Files: []threads.File{raw},
		ReplyToken: strings.Repeat("a", 32)}
	f.composeAndSend(t, n)

	got := f.smtp.Messages()
	if len(got) != 2 {
		t.Fatalf("received %d, want 2", len(got))
	}
	for _, msg := range got {
		if len(msg.To) != 1 || msg.To[0] != "dana@client.test" {
			t.Errorf("envelope recipients %v", msg.To)
		}
		e, err := message.Read(bytes.NewReader(msg.Data))
		if err != nil {
			t.Fatal(err)
		}
		e.Walk(func(_ []int, part *message.Entity, err error) error {
			fields := part.Header.Fields()
			for fields.Next() {
				if k := strings.ToLower(fields.Key()); k == "bcc" || k == "cc" {
					t.Errorf("a %s header was injected:\n%s", fields.Key(), msg.Data)
				}
			}
			return err
		})
		p := parse(t, msg.Data)
		if len(p.attachments) != 1 || p.attachments[0].name != "xBcc: victim@evil.test<img src=x onerror=alert(1)><script>alert(1).pdf" {
			t.Errorf("attachments named %q", names(p.attachments))
		}
		if strings.Contains(p.html, "<script>") || strings.Contains(p.html, "<img") ||
			!strings.Contains(p.html, "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(1).pdf</a>") {
			t.Errorf("the name's markup is not escaped in the HTML part:\n%s", p.html)
		}
	}
}

// A body that cannot be read (storage away, a body missing) makes the
// worker try again later; the notification is neither sent without it nor
// failed at once.
func TestUnreadableFileIsRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.attachUpTo(t, 1<<20, nil)
	f.postFiles(t, f.accountant, f.clientEN, "receipt attached", threads.NewFile{Name: "receipt.pdf", Data: testPDF()})
	if _, err := f.db.Exec(`DELETE FROM attachment_bodies`); err != nil {
		t.Fatal(err)
	}
	drain(t, f.worker(t, f.smtp.Addr, &mailout.WorkerOptions{RetryBase: time.Hour}), 3)
	rows := f.outbox(t)
	if len(f.smtp.Messages()) != 0 || rows[0].Status != "pending" || !strings.Contains(rows[0].LastError, "could not be read") {
		t.Errorf("%d sent, outbox %+v; want none sent and the row pending with the reason", len(f.smtp.Messages()), rows)
	}
}

// One claim reads the files of every message in the batch, each onto its
// own notifications.
func TestClaimedBatchCarriesEachMessagesFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.postFiles(t, f.accountant, f.clientEN, "one", threads.NewFile{Name: "a.pdf", Data: testPDF()})
	f.post(t, f.clientEN, f.accountant, "no files")
	c := f.postFiles(t, f.accountant, f.client, "two", threads.NewFile{Name: "c.jpg", Data: testJPEG(t)},
		threads.NewFile{Name: "c.exe", Data: []byte("MZ")})
	ns, err := f.store.ClaimNotifications(t.Context(), 10, time.Minute)
	if err != nil || len(ns) != 3 {
		t.Fatalf("claimed %d, %v; want 3", len(ns), err)
	}
	want := [][]threads.File{a, nil, c}
	for i, n := range ns {
		if fmt.Sprint(n.Files) != fmt.Sprint(want[i]) {
			t.Errorf("notification %d (%q) files = %+v, want %+v", i, n.Body, n.Files, want[i])
		}
	}
}
