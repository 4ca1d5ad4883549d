package mailout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"

	gomail "github.com/emersion/go-message/mail"

	"mailbot/i18n"
	"mailbot/threads"
)

// FileOpener reads the body of a message's file, to attach it.
type FileOpener interface {
	OpenFile(ctx context.Context, f threads.File) (io.ReadCloser, error)
}

var _ FileOpener = (*threads.Store)(nil)

// errReadFile marks an email that could not be written because a file's
// body could not be read: storage may be away for a moment, so the worker
// tries again later rather than failing the notification.
var errReadFile = errors.New("a file could not be read")

// fileLine is an accepted file as the templates list it.
type fileLine struct {
	Name, Size, Link string
	Attached         bool
}

// refusedLine is a file that was not accepted, with the reason.
type refusedLine struct{ Name, Reason string }

// listFiles lists a message's files for the templates and picks those to
// attach: all the accepted ones when their total is within the limit and
// files can be read, else none (each still has its link).
func (c *Composer) listFiles(n threads.Notification, w *i18n.Lang, canRead bool) ([]fileLine, []refusedLine, []threads.File) {
	var listed []fileLine
	var refused []refusedLine
	var accepted []threads.File
	var total int64
	for _, f := range n.Files {
		name := threads.CleanFileName(f.Name)
		if !f.Accepted() {
			refused = append(refused, refusedLine{Name: name, Reason: w.Refusal(f)})
			continue
		}
		accepted, total = append(accepted, f), total+f.Size
		listed = append(listed, fileLine{Name: name, Size: w.Size(f.Size),
			Link: fmt.Sprintf("%s/companies/%d/transactions/%d/files/%d", c.opts.BaseURL, n.CompanyID, n.Transaction.ID, f.ID)})
	}
	if !canRead || len(accepted) == 0 || total > c.opts.AttachMaxBytes {
		return listed, refused, nil
	}
	for i := range listed {
		listed[i].Attached = true
	}
	return listed, refused, accepted
}

// writeAttachment adds one file to a multipart/mixed email. A name that
// is not plain ASCII goes into the header as an RFC 2231 parameter
// (filename* with percent-encoded UTF-8), never as raw text: go-message's
// SetFilename writes an encoded word, which RFC 2047 forbids in a parameter.
func writeAttachment(ctx context.Context, mw *gomail.Writer, files FileOpener, f threads.File) error {
	name := threads.CleanFileName(f.Name)
	ct := f.ContentType
	if mime.FormatMediaType(ct, nil) == "" {
		ct = "application/octet-stream"
	}
	var h gomail.AttachmentHeader
	h.Set("Content-Type", mime.FormatMediaType(ct, map[string]string{"name": name}))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Transfer-Encoding", "base64")
	body, err := files.OpenFile(ctx, f)
	if err != nil {
		return fmt.Errorf("mailout: attach file %d: %w: %w", f.ID, errReadFile, err)
	}
	defer body.Close()
	pw, err := mw.CreateAttachment(h)
	if err != nil {
		return fmt.Errorf("mailout: compose: %w", err)
	}
	if _, err := io.Copy(pw, body); err != nil {
		return fmt.Errorf("mailout: attach file %d: %w: %w", f.ID, errReadFile, err)
	}
	return pw.Close()
}
