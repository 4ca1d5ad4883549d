package mailin

import (
	"bytes"
	"image"
	_ "image/gif" // decoration check of inline images
	_ "image/jpeg"
	_ "image/png"
	"slices"
	"strings"

	"mailbot/mailbot/inbound"
	"mailbot/mailbot/replytext"
	"mailbot/threads"
)

// postedFiles chooses the files of a reply that belong to what its author
// wrote: every attachment, and the inline images and parts placed in their
// own words. Images placed in the quoted history, and small decorations
// (signature logos, icons, tracking pixels), are not posted.
func postedFiles(m *inbound.Message) []threads.NewFile {
	var out []threads.NewFile
	var quoted map[string]bool
	if m.HTML != "" && slices.ContainsFunc(m.Files, func(p inbound.Part) bool { return p.Inline && p.ContentID != "" }) {
		quoted = replytext.QuotedImages(m.HTML)
	}
	for _, p := range m.Files {
		if p.Inline && strings.HasPrefix(p.DeclaredType, "image/") && !authorsImage(p, quoted) {
			continue
		}
		f := threads.NewFile{Name: p.FileName(), Data: p.Data, Size: p.Size}
		if p.TooLarge() {
			f.Refused = threads.RefusedMailPart
		}
		out = append(out, f)
	}
	return out
}

// authorsImage reports whether an inline image is one the author put in
// their words: not placed in the quoted history, and big enough to be a
// picture rather than a decoration.
func authorsImage(p inbound.Part, quoted map[string]bool) bool {
	if p.ContentID != "" && quoted[strings.ToLower(p.ContentID)] {
		return false
	}
	return !decoration(p.Data)
}

// decoration reports whether image data is too small to be a picture worth
// posting: under about 300×300 pixels, or thinner than 48 (a rule, a
// banner). Images Go cannot measure are kept.
func decoration(data []byte) bool {
	if data == nil {
		return false
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return false
	}
	return cfg.Width*cfg.Height < 300*300 || cfg.Width < 48 || cfg.Height < 48
}
