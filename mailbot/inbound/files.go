package inbound

import (
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
)

// Part is a part of a mail that is not its body: an attachment, an image
// shown inline, an attached mail.
type Part struct {
	Name         string // decoded (RFC 2231 parameters, encoded words); "" when none was given
	DeclaredType string // the part's Content-Type: a hint, never the truth
	ContentID    string // without angle brackets, lower-cased
	Inline       bool   // Content-Disposition inline, or none given
	Data         []byte // nil when over MaxFileSize
	Size         int64  // bytes of the decoded content, counted up to MaxFileSize+1
}

// TooLarge reports whether the part was over the size kept.
func (p Part) TooLarge() bool { return p.Data == nil }

func (w *walker) file(e *message.Entity, mediaType, disp, name string) {
	p := Part{Name: name, DeclaredType: mediaType, Inline: disp != "attachment",
		ContentID: strings.ToLower(strings.Trim(e.Header.Get("Content-Id"), "<> \t"))}
	data, err := io.ReadAll(io.LimitReader(e.Body, w.limits.MaxFileSize+1))
	if err != nil {
		w.m.problem("file part %q: %v", p.Name, err)
	}
	p.Size = int64(len(data))
	if p.Size <= w.limits.MaxFileSize {
		p.Data = data
	}
	if p.Name == "" && mediaType == "message/rfc822" {
		p.Name = "message.eml"
	}
	w.m.Files = append(w.m.Files, p)
}

// fileName reads a part's file name: Content-Disposition's filename
// (RFC 2231 continuations and charsets), else Content-Type's name, with
// RFC 2047 encoded words decoded, as many mail clients write them.
func fileName(h message.Header) string {
	name := ""
	if _, params, err := h.ContentDisposition(); err == nil {
		name = params["filename"]
	}
	if name == "" {
		if _, params, err := h.ContentType(); err == nil {
			name = params["name"]
		}
	}
	if strings.Contains(name, "=?") {
		if dec, err := wordDecoder.DecodeHeader(name); err == nil {
			name = dec
		}
	}
	return strings.TrimSpace(name)
}

// fileExtension gives a name to a part that had none, from its type.
func fileExtension(mediaType string) string {
	if exts, _ := mime.ExtensionsByType(mediaType); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// FileName is the part's name, or one made from its type.
func (p Part) FileName() string {
	if p.Name != "" {
		return p.Name
	}
	if strings.HasPrefix(p.DeclaredType, "image/") {
		return "image" + fileExtension(p.DeclaredType)
	}
	return "attachment" + fileExtension(p.DeclaredType)
}
