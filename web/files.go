package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"mailbot/threads"
)

// fileOpener reads a stored file's body: the pages and the API both serve
// files through serveFile.
type fileOpener interface {
	OpenFile(ctx context.Context, f threads.File) (io.ReadCloser, error)
}

// downloadFile serves a file of a message to someone who may see the
// transaction; everyone else gets the page's "not found".
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	f, err := s.fileInPath(r)
	if err == nil {
		err = serveFile(w, r, s.store, f)
	}
	if err != nil {
		s.fail(w, r, err)
	}
}

// fileInPath loads the file in the path, checked like the transaction page.
func (s *Server) fileInPath(r *http.Request) (threads.File, error) {
	v, _ := viewerFrom(r.Context())
	txn, err := s.txnInPath(r)
	if err != nil {
		return threads.File{}, err
	}
	id, err := pathID(r, "file")
	if err != nil {
		return threads.File{}, err
	}
	return s.store.FileFor(r.Context(), v.Person.ID, txn.ID, id)
}

// serveFile writes a file's body. It returns an error only when nothing was
// written yet, for the caller to answer in its own way.
func serveFile(w http.ResponseWriter, r *http.Request, store fileOpener, f threads.File) error {
	if !f.Accepted() {
		return fmt.Errorf("file %d was not accepted: %w", f.ID, threads.ErrNotFound)
	}
	disposition := "attachment"
	if f.IsRasterImage() {
		disposition = "inline"
	}
	etag := `"` + f.Hash() + `"`
	if notModified(w, r, etag) {
		return nil
	}
	body, err := store.OpenFile(r.Context(), f)
	if err != nil {
		return err
	}
	defer body.Close()
	fileHeaders(w.Header(), f.ContentType, contentDisposition(disposition, f.Name))
	w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
	io.Copy(w, body) // a client that goes away mid-file is no fault of ours
	return nil
}

// notModified answers a revalidation of content that has not changed. A file
// never changes, but access can end, so browsers revalidate (no-cache) and
// every answer, 304 included, passed the access check first.
func notModified(w http.ResponseWriter, r *http.Request, etag string) bool {
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "private, no-cache")
	for _, tag := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if strings.TrimPrefix(strings.TrimSpace(tag), "W/") == etag {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

// fileHeaders make a file inert in the browser: its own sniffed type and no
// guessing another, and a sandbox with no rights should it be opened as a
// document anyway.
func fileHeaders(h http.Header, contentType, disposition string) {
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", disposition)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
}

// contentDisposition names a file for the browser: an ASCII stand-in in
// filename for old clients, and the real name in filename* (RFC 6266, RFC
// 8187) when it has more than plain ASCII.
func contentDisposition(kind, name string) string {
	plain := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	v := kind + `; filename="` + plain + `"`
	if plain != name {
		v += "; filename*=UTF-8''" + encodeRFC8187(name)
	}
	return v
}

// encodeRFC8187 percent-encodes every byte that is not an attr-char.
func encodeRFC8187(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// previewFile serves the server-made preview of a raster image, made once
// and kept.
func (s *Server) previewFile(w http.ResponseWriter, r *http.Request) {
	f, err := s.fileInPath(r)
	if err == nil && !f.IsRasterImage() {
		err = fmt.Errorf("preview of a %s: %w", f.ContentType, threads.ErrNotFound)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if notModified(w, r, fmt.Sprintf(`"p%d-%s"`, previewSide, f.Hash())) {
		return
	}
	data, err := s.preview(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fileHeaders(w.Header(), "image/jpeg", "inline")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// preview returns a file's stored preview, or makes and stores it. Making
// one decodes the whole image, so only a few are made at a time.
func (s *Server) preview(ctx context.Context, f threads.File) ([]byte, error) {
	data, _, err := s.store.Preview(ctx, f.SHA256, previewSide)
	if !errors.Is(err, threads.ErrNotFound) {
		return data, err
	}
	select {
	case s.previewSlots <- struct{}{}:
		defer func() { <-s.previewSlots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// Another request may have made it while this one waited.
	if data, _, err := s.store.Preview(ctx, f.SHA256, previewSide); !errors.Is(err, threads.ErrNotFound) {
		return data, err
	}
	body, err := s.store.OpenFile(ctx, f)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	original, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("preview: read file %d: %w", f.ID, err)
	}
	if data, err = makePreview(f.ContentType, original, previewSide); err != nil {
		s.log.Warn("no preview", slog.Int64("file_id", f.ID), slog.String("error", err.Error()))
		return nil, fmt.Errorf("%w: %w", threads.ErrNotFound, err)
	}
	if err := s.store.SavePreview(ctx, f.SHA256, previewSide, "image/jpeg", data); err != nil {
		s.log.Error("save preview", slog.Int64("file_id", f.ID), slog.String("error", err.Error()))
	}
	return data, nil
}
