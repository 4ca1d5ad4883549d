package web

import (
	"fmt"
	"strconv"
	"strings"

	"mailbot/threads"
)

// activity is one message as the page shows it, formatted up front: long
// threads render several times faster than with calls in the template.
type activity struct {
	ID                int64
	Author, Recipient string
	When, ISO         string
	ByEmail           bool
	// Sender says, for an email, whether its sender was authenticated.
	Sender       string
	Body, Elided string
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
func senderText(code string) string {
	switch code {
	case "dmarc", "dkim", "spf":
		return "sender verified by " + strings.ToUpper(code)
	case "fail":
		return "sender authentication failed"
	case "none":
		return "sender not verified"
	}
	return ""
}

// deliveryText words what became of a message's email.
func deliveryText(m threads.Message) (string, bool) {
	d := m.Delivery
	switch d.Status {
	case threads.OutboxPending:
		return "email waiting to be sent", false
	case threads.OutboxSent:
		return "emailed", false
	case threads.OutboxMuted:
		return "not emailed: " + m.RecipientName + " turned emails off for this transaction", false
	case threads.OutboxFailed:
		return "the email could not be sent: " + d.Detail, true
	case threads.OutboxBounced:
		return "the email bounced: " + d.Detail, true
	}
	return "", false
}

// activities formats a thread; filesPath is where the transaction's files
// are served, each under its id.
func activities(thread []threads.Message, c clock, filesPath string) []activity {
	out := make([]activity, len(thread))
	for i, m := range thread {
		out[i] = activity{ID: m.ID, Author: m.AuthorName, Recipient: m.RecipientName, When: c.DateTime(m.CreatedAt),
			ISO: c.ISO(m.CreatedAt), ByEmail: m.Source == threads.SourceEmail, Sender: senderText(m.SenderAuth),
			Body: m.Body, Elided: m.Elided}
		if len(m.Files) > 0 {
			out[i].Files, out[i].Refused = activityFiles(m.Files, filesPath)
		}
		out[i].Delivery, out[i].Trouble = deliveryText(m)
	}
	return out
}

func activityFiles(files []threads.File, filesPath string) ([]activityFile, string) {
	var out []activityFile
	var refused []string
	for _, f := range files {
		if !f.Accepted() {
			refused = append(refused, fmt.Sprintf("%s (%s)", f.Name, f.Refused))
			continue
		}
		url := filesPath + strconv.FormatInt(f.ID, 10)
		af := activityFile{Name: f.Name, Size: threads.FormatSize(f.Size), Type: typeLabel(f.ContentType), URL: url}
		if f.IsRasterImage() {
			af.Preview = url + "/preview"
		}
		out = append(out, af)
	}
	switch len(refused) {
	case 0:
		return out, ""
	case 1:
		return out, "1 file not accepted: " + refused[0]
	}
	return out, fmt.Sprintf("%d files not accepted: %s", len(refused), strings.Join(refused, ", "))
}

// typeLabels name the types people send most in words they know.
var typeLabels = map[string]string{
	"application/pdf": "PDF", "image/jpeg": "JPEG image", "image/png": "PNG image", "image/gif": "GIF image",
	"image/webp": "WebP image", "image/bmp": "BMP image", "image/heic": "HEIC image", "image/heif": "HEIF image",
	"text/plain": "text", "text/csv": "CSV", "application/zip": "ZIP archive",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       "Excel workbook",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
	"application/vnd.ms-excel": "Excel workbook", "application/msword": "Word document",
}

func typeLabel(contentType string) string {
	base, _, _ := strings.Cut(contentType, ";")
	if l, ok := typeLabels[base]; ok {
		return l
	}
	return base
}
