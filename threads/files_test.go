package threads_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"mailbot/threads"
)

var (
	pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	exe = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0}, 64)...)
)

func TestSniffType(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"receipt.jpg", pdf, "application/pdf"}, // the content decides, not the name
		{"scan.pdf", png, "image/png"},
		{"invoice.pdf", exe, "application/x-msdownload"},
		{"ledger.csv", []byte("date,amount\n2026-03-01,12.50\n"), "text/csv"},
		{"notes.txt", []byte("plain words"), "text/plain"},
		{"page.html", []byte("<html><script>x()</script></html>"), "text/html"},
		{"run", []byte("#!/bin/sh\nrm -rf /\n"), "text/x-shellscript"},
		{"IMG_0001.HEIC", append([]byte("\x00\x00\x00\x18"), []byte("ftypheic\x00\x00\x00\x00")...), "image/heic"},
	}
	for _, c := range cases {
		if got := threads.SniffType(c.name, c.data); got != c.want {
			t.Errorf("SniffType(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestExecutablesAndNames(t *testing.T) {
	for _, name := range []string{"setup.exe", "Invoice.PDF.exe", "run.bat", "x.js", "tool.jar", "evil.exe. ", "macro.vbs", "a.ps1", "i.msi"} {
		if !threads.IsExecutable(name, "application/octet-stream") {
			t.Errorf("%q is not refused", name)
		}
	}
	for _, name := range []string{"receipt.pdf", "photo.jpg", "books.xlsx", "statement.csv"} {
		if threads.IsExecutable(name, "application/pdf") {
			t.Errorf("%q is refused", name)
		}
	}
	for in, want := range map[string]string{
		`C:\Users\x\Desktop\receipt.pdf`:  "receipt.pdf",
		"../../etc/passwd":                "passwd",
		"a\r\nb\x00.pdf":                  "ab.pdf",
		"":                                "file",
		"..":                              "file",
		strings.Repeat("é", 300) + ".pdf": strings.Repeat("é", (threads.MaxFileNameBytes-4)/2) + ".pdf",
	} {
		if got := threads.CleanFileName(in); got != want {
			t.Errorf("CleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMessageWithFiles(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	_, err := w.s.PostMessage(ctx, threads.NewMessage{TransactionID: w.invoice.ID, AuthorID: w.ana.ID, RecipientID: w.accountant.ID,
		Source: threads.SourceWeb, Files: []threads.NewFile{
			{Name: "receipt.jpg", Data: pdf},
			{Name: "photo.png", Data: png},
			{Name: "invoice.pdf", Data: exe},
			{Name: "again.pdf", Data: pdf},
		}})
	if err != nil {
		t.Fatalf("a message with files and no words: %v", err)
	}
	thread, err := w.s.Thread(ctx, w.accountant.ID, w.invoice.ID)
	if err != nil || len(thread) != 1 || len(thread[0].Files) != 4 {
		t.Fatalf("thread = %+v, %v", thread, err)
	}
	files := thread[0].Files
	if files[0].ContentType != "application/pdf" || files[0].Size != int64(len(pdf)) || !files[0].Accepted() {
		t.Errorf("first file = %+v", files[0])
	}
	if files[2].Accepted() || files[2].Refused == "" || files[2].SHA256 != nil {
		t.Errorf("renamed executable = %+v, want refused without a body", files[2])
	}
	if !files[1].IsRasterImage() || files[0].IsRasterImage() {
		t.Error("only the PNG is a raster image")
	}
	r, err := w.s.OpenFile(ctx, files[0])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r)
	if !bytes.Equal(body, pdf) {
		t.Error("the body read back differs")
	}
	var bodies int
	threads.DBOf(w.s).Get(&bodies, `SELECT count(*) FROM attachment_bodies`)
	if bodies != 2 {
		t.Errorf("%d bodies stored, want 2 (the same PDF twice is stored once, the executable not at all)", bodies)
	}
	if _, err := w.s.FileFor(ctx, w.bruno.ID, w.invoice.ID, files[0].ID); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("a member of another company gets %v, want not found", err)
	}
	if _, err := w.s.FileFor(ctx, w.accountant.ID, w.invoice.ID, files[0].ID); err != nil {
		t.Errorf("the accountant: %v", err)
	}
	if _, err := w.s.PostMessage(ctx, threads.NewMessage{TransactionID: w.invoice.ID, AuthorID: w.ana.ID, RecipientID: w.accountant.ID,
		Source: threads.SourceWeb}); !errors.Is(err, threads.ErrEmpty) {
		t.Errorf("no words and no files: %v, want ErrEmpty", err)
	}
}

func TestFileLimits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	limited, err := threads.NewStore(threads.DBOf(w.s), &threads.Options{Files: threads.FileLimits{MaxFileBytes: 100, MaxFiles: 2, MaxTotalBytes: 150}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = limited.PostMessage(t.Context(), threads.NewMessage{TransactionID: w.invoice.ID, AuthorID: w.ana.ID, RecipientID: w.accountant.ID,
		Body: "Three files.", Source: threads.SourceWeb, Files: []threads.NewFile{
			{Name: "a.pdf", Data: pdf}, {Name: "big.bin", Data: make([]byte, 101)}, {Name: "c.pdf", Data: pdf}}})
	if err != nil {
		t.Fatal(err)
	}
	thread, _ := limited.Thread(t.Context(), w.ana.ID, w.invoice.ID)
	fs := thread[0].Files
	if !fs[0].Accepted() || !strings.Contains(fs[1].Refused, "limit") || !strings.Contains(fs[2].Refused, "more than 2 files") {
		t.Errorf("files = %+v", fs)
	}
}
