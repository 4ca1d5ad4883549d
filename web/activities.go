package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"mailbot/i18n"
	"mailbot/threads"
	"mailbot/web/msgtext"
)

// activity is one message as the page shows it, formatted up front: long
// threads render several times faster than with calls in the template.
type activity struct {
	ID                int64
	Author, Recipient string
	When, ISO         string
	// Source says how it came: on the web, by email, through the API.
	Source string
	// Sender says, for an email, whether its sender was authenticated.
	Sender string
	// Body and Elided are the text as HTML: paragraphs, quotes, links.
	Body, Elided template.HTML
	Files        []activityFile
	// Refused words the files that were not accepted, with the reasons.
	Refused string
	// Delivery says what became of the email to the recipient; Trouble
	// when it did not arrive.
	Delivery string
	Trouble  bool
}

// activityFile is one accepted file of a message, with its links.
type activityFile struct {
	Name, Size, Type string
	URL              string
	// Preview is the server-made preview's address, for raster images only.
	Preview string
}

// senderText words what vouched for an emailed message's sender.
func senderText(l *i18n.Lang, code string) string {
	switch code {
	case "dmarc", "dkim", "spf":
		return l.T("sender.verified", "method", strings.ToUpper(code))
	case "fail":
		return l.T("sender.failed")
	case "none":
		return l.T("sender.none")
	}
	return ""
}

// sourceText says how a message came: on the web, by email or through the API.
func sourceText(l *i18n.Lang, src threads.Source) string {
	switch src {
	case threads.SourceEmail:
		return l.T("source.email")
	case threads.SourceAPI:
		return l.T("source.api")
	}
	return l.T("source.web")
}

// deliveryText words what became of a message's email; trouble when it
// did not arrive.
func deliveryText(c clock, kind threads.Kind, m threads.Message) (text string, trouble bool) {
	l, d := c.lang, m.Delivery
	switch d.Status {
	case threads.OutboxPending:
		return l.T("delivery.pending"), false
	case threads.OutboxSent:
		return l.T("delivery.sent", "when", c.DateTime(d.SentAt)), false
	case threads.OutboxMuted:
		return l.T("delivery.muted", "name", m.RecipientName, "kind", l.KindInSentence(kind)), false
	case threads.OutboxFailed:
		return l.T("delivery.failed", "detail", d.Detail), true
	case threads.OutboxBounced:
		return l.T("delivery.bounced", "detail", d.Detail), true
	}
	return "", false
}

// activities formats a thread; filesPath is where the transaction's files
// are served, each under its id.
func activities(thread []threads.Message, c clock, kind threads.Kind, filesPath string) []activity {
	out := make([]activity, len(thread))
	for i, m := range thread {
		out[i] = activity{ID: m.ID, Author: m.AuthorName, Recipient: m.RecipientName, When: c.DateTime(m.CreatedAt),
			ISO: c.ISO(m.CreatedAt), Source: sourceText(c.lang, m.Source), Sender: senderText(c.lang, m.SenderAuth),
			Body: msgtext.HTML(m.Body)}
		if strings.TrimSpace(m.Elided) != "" {
			out[i].Elided = msgtext.HTML(m.Elided)
		}
		if len(m.Files) > 0 {
			out[i].Files, out[i].Refused = activityFiles(c.lang, m.Files, filesPath)
		}
		out[i].Delivery, out[i].Trouble = deliveryText(c, kind, m)
	}
	return out
}

// threadHTML writes a thread's messages as the transaction page shows
// them, each an article; by hand, as the company home's rows are (see
// htmlBuf), since a long thread's escaping through the template cost most
// of the page.
func threadHTML(l *i18n.Lang, acts []activity) template.HTML {
	to, quoted := " "+string(appendEscaped(nil, l.T("msg.to")))+" ", string(appendEscaped(nil, l.T("msg.quoted")))
	size := 0
	for _, a := range acts {
		size += 600 + len(a.Body) + len(a.Elided)
	}
	h := newHTMLBuf(size)
	for _, a := range acts {
		h.raw("\n<article class=\"activity\" id=\"m")
		h.int(a.ID)
		h.raw("\">\n<div class=\"meta\"><strong class=\"author\">")
		h.text(a.Author)
		h.raw("</strong>" + to)
		h.text(a.Recipient)
		h.raw(" ·\n<time datetime=\"")
		h.text(a.ISO)
		h.raw("\">")
		h.text(a.When)
		h.raw("</time> ·\n<span class=\"source\">")
		h.text(a.Source)
		h.raw("</span>")
		if a.Sender != "" {
			h.raw(" · <span class=\"sender-auth\">")
			h.text(a.Sender)
			h.raw("</span>")
		}
		if a.Delivery != "" {
			h.raw(" · <span class=\"delivery")
			if a.Trouble {
				h.raw(" trouble")
			}
			h.raw("\">")
			h.text(a.Delivery)
			h.raw("</span>")
		}
		h.raw("</div>\n<div class=\"body\">")
		h.raw(string(a.Body))
		h.raw("</div>\n")
		writeFiles(h, a.Files)
		h.raw("\n")
		if a.Refused != "" {
			h.raw("<p class=\"refused\">")
			h.text(a.Refused)
			h.raw("</p>")
		}
		h.raw("\n")
		if a.Elided != "" {
			h.raw("<details class=\"quoted\"><summary>" + quoted + "</summary><div class=\"body\">")
			h.raw(string(a.Elided))
			h.raw("</div></details>")
		}
		h.raw("\n</article>\n")
	}
	return h.html()
}

// writeFiles writes a message's accepted files: each a download link, and
// a preview for an image.
func writeFiles(h *htmlBuf, files []activityFile) {
	if len(files) == 0 {
		return
	}
	h.raw("<ul class=\"files\">\n")
	for _, f := range files {
		h.raw("<li class=\"file\">")
		if f.Preview != "" {
			h.raw("<a class=\"preview-link\" href=\"")
			h.path(f.URL)
			h.raw("\"><img class=\"preview\" src=\"")
			h.path(f.Preview)
			h.raw("\" alt=\"")
			h.text(f.Name)
			h.raw("\" loading=\"lazy\"></a>")
		}
		h.raw("\n<a class=\"download\" href=\"")
		h.path(f.URL)
		h.raw("\" download>")
		h.text(f.Name)
		h.raw("</a> <span class=\"file-meta\">")
		h.text(f.Size)
		h.raw(" · ")
		h.text(f.Type)
		h.raw("</span></li>\n")
	}
	h.raw("</ul>")
}

func activityFiles(l *i18n.Lang, files []threads.File, filesPath string) ([]activityFile, string) {
	var out []activityFile
	var refused []string
	for _, f := range files {
		if !f.Accepted() {
			refused = append(refused, fmt.Sprintf("%s (%s)", f.Name, l.Refusal(f)))
			continue
		}
		url := filesPath + strconv.FormatInt(f.ID, 10)
		af := activityFile{Name: f.Name, Size: l.Size(f.Size), Type: typeLabel(l, f.ContentType), URL: url}
		if f.IsRasterImage() {
			af.Preview = url + "/preview"
		}
		out = append(out, af)
	}
	if len(refused) == 0 {
		return out, ""
	}
	return out, l.N("files.refused", len(refused), "list", strings.Join(refused, ", "))
}

// typeLabels name the types people send most in words they know: a
// catalogue key, and the format's name where the key has a place for it.
var typeLabels = map[string][2]string{
	"application/pdf": {"", "PDF"}, "text/csv": {"", "CSV"}, "text/plain": {"filetype.text", ""},
	"image/jpeg": {"filetype.image", "JPEG"}, "image/png": {"filetype.image", "PNG"}, "image/gif": {"filetype.image", "GIF"},
	"image/webp": {"filetype.image", "WebP"}, "image/bmp": {"filetype.image", "BMP"}, "image/heic": {"filetype.image", "HEIC"},
	"image/heif": {"filetype.image", "HEIF"}, "application/zip": {"filetype.zip", ""},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       {"filetype.excel", ""},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"filetype.word", ""},
	"application/vnd.ms-excel": {"filetype.excel", ""}, "application/msword": {"filetype.word", ""},
}

func typeLabel(l *i18n.Lang, contentType string) string {
	base, _, _ := strings.Cut(contentType, ";")
	label, ok := typeLabels[base]
	switch {
	case !ok:
		return base
	case label[0] == "":
		return label[1]
	}
	return l.T(label[0], "format", label[1])
}
