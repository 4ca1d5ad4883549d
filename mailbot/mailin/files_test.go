package mailin_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"mailbot/mailbot/mailin"
	"mailbot/threads"
)

var (
	pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	exeBytes = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 64)...)
)

func pictureJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, h/2, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func picturePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// part is one MIME part of a test mail.
type part struct {
	header string // Content-Type and other fields, CRLF-separated, without the final CRLF
	data   []byte
}

// multipart writes a body of parts under one boundary; data is base64.
func multipart(boundary string, parts ...part) string {
	var b strings.Builder
	for _, p := range parts {
		fmt.Fprintf(&b, "--%s\r\n%s\r\n", boundary, p.header)
		if strings.HasPrefix(p.header, "Content-Type: multipart/") || strings.HasPrefix(p.header, "Content-Type: text/") {
			fmt.Fprintf(&b, "\r\n%s\r\n", p.data)
			continue
		}
		fmt.Fprintf(&b, "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", base64.StdEncoding.EncodeToString(p.data))
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.String()
}

func (f *fixture) postedFiles(t *testing.T, res mailin.Result) []threads.File {
	t.Helper()
	if res.Verdict != threads.VerdictPosted {
		t.Fatalf("verdict %s, want posted", res.Verdict)
	}
	thread, err := f.store.Thread(t.Context(), f.client.ID, f.invoice.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range thread {
		if m.ID == res.MessageID {
			return m.Files
		}
	}
	t.Fatalf("message %d not in the thread", res.MessageID)
	return nil
}

func TestReplyKeepsItsAttachments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	photo := pictureJPEG(t, 640, 480)
	body := multipart("mix",
		part{"Content-Type: text/plain; charset=utf-8", []byte("Here are the receipt and the photo.\r\n\r\nOn Tue, Avery wrote:\r\n> Could you send the receipt?")},
		part{"Content-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"receipt.jpg\"", pdfBytes},
		part{"Content-Type: image/jpeg; name=\"=?utf-8?q?Fotograf=C3=ADa_de_la_caja.jpg?=\"\r\nContent-Disposition: attachment", photo},
		part{"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''Re%C3%A7u%20n%C2%B0%207.pdf", pdfBytes},
		part{"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"statement.pdf\"", exeBytes},
		part{"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"setup.exe\"", []byte("just bytes")},
	)
	raw := f.raw(reply{contentType: `multipart/mixed; boundary="mix"`, body: body})
	res := f.ingest(t, raw)
	files := f.postedFiles(t, res)
	want := []struct{ name, typ, refused string }{
		{"receipt.jpg", "application/pdf", ""},
		{"Fotografía de la caja.jpg", "image/jpeg", ""},
		{"Reçu n° 7.pdf", "application/pdf", ""},
		{"statement.pdf", "application/x-msdownload", "programs and scripts are not accepted"},
		{"setup.exe", "text/plain", "programs and scripts are not accepted"},
	}
	if len(files) != len(want) {
		t.Fatalf("%d files posted, want %d: %+v", len(files), len(want), files)
	}
	for i, w := range want {
		if files[i].Name != w.name || files[i].ContentType != w.typ || files[i].Refused != w.refused {
			t.Errorf("file %d = %q %s refused %q, want %q %s refused %q", i, files[i].Name, files[i].ContentType, files[i].Refused,
				w.name, w.typ, w.refused)
		}
	}
	var body2 string
	f.db.Get(&body2, `SELECT body FROM messages WHERE id = $1`, res.MessageID)
	if body2 != "Here are the receipt and the photo." {
		t.Errorf("text = %q", body2)
	}
	// The same mail again (another delivery, another instance): one message,
	// one set of files, the bodies stored once.
	again := f.ingest(t, append([]byte("Received: from mx2.client.test\r\n"), raw...))
	var files2, bodies int
	f.db.Get(&files2, `SELECT count(*) FROM attachments`)
	f.db.Get(&bodies, `SELECT count(*) FROM attachment_bodies`)
	if !again.Duplicate || files2 != 5 || bodies != 2 {
		t.Errorf("after a second delivery: duplicate %v, %d file rows, %d bodies; want true, 5, 2", again.Duplicate, files2, bodies)
	}
}

func TestAttachmentOnlyReplyIsPosted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	body := multipart("mix",
		part{"Content-Type: text/plain; charset=utf-8", []byte("\r\nOn Tue, Avery wrote:\r\n> Could you send the receipt?")},
		part{"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"receipt.pdf\"", pdfBytes},
	)
	files := f.postedFiles(t, f.ingest(t, f.raw(reply{contentType: `multipart/mixed; boundary="mix"`, body: body})))
	if len(files) != 1 || files[0].Name != "receipt.pdf" {
		t.Errorf("files = %+v", files)
	}
}

// An Outlook-style reply: the author pasted a photo in their words; their
// signature has a small logo; the quoted email below has a picture of its
// own. Only the photo belongs to the reply.
func TestInlineImagesOfSignatureAndQuoteAreNotPosted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	html := `<html><body><p>Photo of the receipt:</p><p><img src="cid:photo1@client.test"></p>` +
		`<p>Dana Harbor<br><img src="cid:image001.png@01DA0000.00000000"></p>` +
		`<div id="divRplyFwdMsg"><b>From:</b> Avery Quill<br><b>Sent:</b> Tuesday</div>` +
		`<blockquote><p>Could you send the receipt?</p><img src="cid:quoted@firm.test"></blockquote></body></html>`
	related := multipart("rel",
		part{"Content-Type: text/html; charset=utf-8", []byte(html)},
		part{"Content-Type: image/jpeg\r\nContent-ID: <photo1@client.test>\r\nContent-Disposition: inline; filename=\"IMG_2041.jpg\"", pictureJPEG(t, 1200, 900)},
		part{"Content-Type: image/png\r\nContent-ID: <image001.png@01DA0000.00000000>", picturePNG(t, 180, 60)},
		part{"Content-Type: image/jpeg\r\nContent-ID: <quoted@firm.test>", pictureJPEG(t, 800, 600)},
		part{"Content-Type: image/gif\r\nContent-ID: <pixel@track.test>", []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")},
	)
	res := f.ingest(t, f.raw(reply{contentType: `multipart/related; boundary="rel"`, body: related}))
	files := f.postedFiles(t, res)
	if len(files) != 1 || files[0].Name != "IMG_2041.jpg" || files[0].ContentType != "image/jpeg" {
		t.Errorf("files = %+v, want only the pasted photo", files)
	}
}

// limitSize makes f's pipeline refuse mail over max bytes.
func (f *fixture) limitSize(t *testing.T, max int64) {
	var err error
	if f.pipe, err = mailin.NewPipeline(f.store, mailin.Options{Addressing: addressing, MaxSize: max}); err != nil {
		t.Fatal(err)
	}
}

// A mail over the size limit is recorded by its header, and its known
// sender is told once a day why it did not arrive.
func TestTooLargeMailGetsANotice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.limitSize(t, 4<<10)
	big := f.raw(reply{body: strings.Repeat("A long scanned statement. ", 400)})
	res := f.ingest(t, big)
	if res.Verdict != threads.VerdictRejectedTooLarge {
		t.Fatalf("verdict %s", res.Verdict)
	}
	var detail string
	f.db.Get(&detail, `SELECT detail FROM inbound WHERE id = $1`, res.InboundID)
	if !strings.Contains(detail, "the limit is 4 KB") {
		t.Errorf("detail %q does not name the limit", detail)
	}
	if n := f.notices(t); n != 1 {
		t.Errorf("%d notices, want 1", n)
	}
	f.ingest(t, f.raw(reply{from: "Stranger <someone@elsewhere.test>", body: strings.Repeat("x", 5000)}))
	f.ingest(t, f.raw(reply{extra: "Auto-Submitted: auto-replied\r\n", body: strings.Repeat("y", 5000)}))
	if n := f.notices(t); n != 1 {
		t.Errorf("%d notices after an unknown sender and an auto-reply, want still 1", n)
	}
}

// A machine's mail over the limit from a known sender's address (here a
// notice generated by the client's own system) is told nothing: only a
// person's is.
func TestTooLargeMachineMailGetsNoNotice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.limitSize(t, 4<<10)
	raw := "From: Dana Harbor <dana@client.test>\r\nTo: reply+" + f.token + "@reply.example.test\r\nSubject: Your statement for March is ready\r\n" +
		"Message-ID: <statement-1@client.test>\r\nAuto-Submitted: auto-generated\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("Statement line.\r\n", 400)
	res := f.ingest(t, []byte(raw))
	if res.Verdict != threads.VerdictRejectedTooLarge {
		t.Fatalf("verdict %s", res.Verdict)
	}
	if n := f.notices(t); n != 0 {
		t.Errorf("%d notices after a generated notice, want none", n)
	}
}
