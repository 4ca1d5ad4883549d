package mailin

import (
	"bytes"
	"image"
	_ "image/gif" // decoration check of inline images
	_ "image/jpeg"
	_ "image/png"
	"strings"

	"mailbot/mailbot/inbound"
	"mailbot/threads"
)

// postedFiles chooses the files of a reply that belong to what its author
// wrote: every attachment, and the inline images and parts placed in their
// own words. Images placed in the quoted history, and small decorations
// (signature logos, icons, tracking pixels), are not posted.
func postedFiles(m *inbound.Message) []threads.NewFile {
	var out []threads.NewFile
	html := strings.ToLower(m.HTML)
	quoted := quoteStart(html)
	for _, p := range m.Files {
		if p.Inline && strings.HasPrefix(p.DeclaredType, "image/") && !authorsImage(p, html, quoted) {
			continue
		}
		f := threads.NewFile{Name: p.FileName(), Data: p.Data, Size: p.Size}
		if p.TooLarge() {
			f.Refused = "larger than the largest file an email may carry here"
		}
		out = append(out, f)
	}
	return out
}

// authorsImage reports whether an inline image is one the author put in
// their words: not placed after the start of the quoted history, and big
// enough to be a picture rather than a decoration.
func authorsImage(p inbound.Part, html string, quoted int) bool {
	if p.ContentID != "" && html != "" {
		if at := strings.Index(html, "cid:"+p.ContentID); at >= 0 && at >= quoted {
			return false
		}
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

// quoteMarkers start the quoted history in the HTML of common mail clients.
var quoteMarkers = []string{
	"<blockquote", `class="gmail_quote`, `class="moz-cite-prefix`, `id="divrplyfwdmsg"`, `id="appendonsend"`,
	`class="yahoo_quoted`, `class="outlookmessageheader`, "-----original message-----", `name="_mailoriginal"`,
	"border-top:solid #e1e1e1", "border-top: solid #e1e1e1", `class="zmail_extra`, `data-marker="__quoted_text__"`,
}

// quoteStart is the offset in lower-cased HTML where quoted history begins,
// or its length when none was found.
func quoteStart(html string) int {
	start := len(html)
	for _, m := range quoteMarkers {
		if at := strings.Index(html, m); at >= 0 && at < start {
			start = at
		}
	}
	return start
}
