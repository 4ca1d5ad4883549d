// Package inbound reads a raw email the way the service needs it: who sent
// it, where it was addressed, which thread it answers, its text, and what
// kind of mail it is. It does no I/O beyond the reader it is given.
package inbound

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // every charset go-message knows
	"github.com/emersion/go-message/textproto"
	"github.com/inbucket/html2text"
)

// ErrMalformed means the mail has no readable header at all.
var ErrMalformed = errors.New("malformed mail")

// Limits bound the work one mail can cause.
type Limits struct {
	MaxDepth    int   // nested multiparts; default 16
	MaxParts    int   // leaf parts looked at; default 500
	MaxTextSize int64 // bytes of the text, and of the HTML, kept (all their parts together); default 2 MiB
	MaxFileSize int64 // bytes of one file kept; larger ones keep their size only; default 25 MiB
}

func (l *Limits) fill() {
	if l.MaxDepth <= 0 {
		l.MaxDepth = 16
	}
	if l.MaxParts <= 0 {
		l.MaxParts = 500
	}
	if l.MaxTextSize <= 0 {
		l.MaxTextSize = 2 << 20
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = 25 << 20
	}
}

// Message is a parsed mail.
type Message struct {
	Header     textproto.Header
	MessageID  string   // without angle brackets
	InReplyTo  []string // ids without angle brackets
	References []string
	From       string // first From address, lower-cased; "" when none could be read
	FromCount  int    // how many addresses the From field names
	FromName   string
	Subject    string
	Date       time.Time

	MediaType  string // top-level, lower-cased: "multipart/report"
	ReportType string // report-type of a multipart/report
	PartTypes  []string
	// DeliveryActions are the Action fields of a delivery-status part, lower-cased:
	// "failed", "delayed", "delivered", "relayed", "expanded".
	DeliveryActions []string
	// Disposition is the Disposition field of a disposition notification
	// (RFC 8098), lower-cased: "automatic-action/mdn-sent-automatically; deleted".
	Disposition string
	// DeliveryStatus are the per-recipient Status codes ("5.1.1") and
	// Diagnostics the Diagnostic-Code texts of a delivery-status part.
	DeliveryStatus []string
	Diagnostics    []string

	Text     string // the text/plain body, or the HTML one converted to text
	HTML     string // the text/html body, when there was one
	HTMLOnly bool   // Text was converted from HTML
	// Files are the parts that are not the body: attachments, inline
	// images, attached mails; in the order they appear.
	Files    []Part
	Parts    int
	Problems []string // what could not be read cleanly; never fatal
}

// Parse reads a mail. Only a mail without any readable header is an error
// (ErrMalformed); anything else odd becomes a Problem and the rest is read.
func Parse(raw []byte, limits Limits) (*Message, error) {
	limits.fill()
	header, body, problems := splitHeader(raw)
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(header)))
	if err != nil || h.Len() == 0 {
		return nil, fmt.Errorf("%w: no readable header", ErrMalformed)
	}
	m := &Message{Header: h, Problems: problems}
	m.readEnvelope()
	entity, err := message.New(message.Header{Header: h}, bytes.NewReader(body))
	if err != nil && !message.IsUnknownCharset(err) {
		m.problem("body: %v", err)
		return m, nil
	}
	if err != nil {
		m.problem("%v", err)
	}
	m.MediaType, m.ReportType = mediaType(entity.Header)
	w := walker{m: m, limits: limits}
	w.walk(entity, 0, -1, false)
	m.Text, m.HTML = w.text.b.String(), w.html.b.String()
	m.finishText()
	return m, nil
}

func (m *Message) problem(format string, args ...any) {
	if len(m.Problems) < 20 {
		m.Problems = append(m.Problems, fmt.Sprintf(format, args...))
	}
}

func mediaType(h message.Header) (string, string) {
	t, params, err := h.ContentType()
	if err != nil {
		return "text/plain", ""
	}
	return strings.ToLower(t), strings.ToLower(params["report-type"])
}

type walker struct {
	m      *Message
	limits Limits
	// containers numbers the multipart containers met; saidText and
	// saidHTML list the multipart/alternative ones a text or HTML part has
	// come from. The text parts of a mail are shown one after the other
	// (Apple Mail puts a picture between two), so they are read as one
	// text, and the HTML parts as one; of an alternative's, only the first
	// of each is: the others say it again.
	containers         int
	saidText, saidHTML []int
	text, html         parts
}

// walk reads e, a part of container number in (alt says it is a
// multipart/alternative).
func (w *walker) walk(e *message.Entity, depth, in int, alt bool) {
	if w.m.Parts >= w.limits.MaxParts {
		return
	}
	if mr := e.MultipartReader(); mr != nil {
		if depth >= w.limits.MaxDepth {
			w.m.problem("multipart nested deeper than %d; the rest is not read", w.limits.MaxDepth)
			return
		}
		t, _ := mediaType(e.Header)
		id := w.containers
		w.containers++
		for w.m.Parts < w.limits.MaxParts {
			part, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil && !message.IsUnknownCharset(err) {
				w.m.problem("multipart: %v", err)
				return
			}
			w.walk(part, depth+1, id, t == "multipart/alternative")
		}
		w.m.problem("more than %d parts; the rest is not read", w.limits.MaxParts)
		return
	}
	w.m.Parts++
	w.leaf(e, in, alt)
}

func (w *walker) leaf(e *message.Entity, in int, alt bool) {
	t, _ := mediaType(e.Header)
	w.m.PartTypes = append(w.m.PartTypes, t)
	disp, _, _ := e.Header.ContentDisposition()
	name := fileName(e.Header)
	switch {
	case disp == "attachment":
		w.file(e, t, disp, name)
	case t == "message/delivery-status" || t == "message/global-delivery-status" || t == "message/disposition-notification":
		w.readDeliveryStatus(e.Body)
	case t == "text/plain" && name == "" && !(alt && slices.Contains(w.saidText, in)):
		if room := w.text.room(w.limits.MaxTextSize); room > 0 {
			text := w.read(e, room)
			if _, params, err := e.Header.ContentType(); err == nil && strings.EqualFold(params["format"], "flowed") {
				text = Unflow(text, strings.EqualFold(params["delsp"], "yes"))
			}
			w.text.add(text)
		}
		if alt {
			w.saidText = append(w.saidText, in)
		}
	case t == "text/html" && name == "" && !(alt && slices.Contains(w.saidHTML, in)):
		if room := w.html.room(w.limits.MaxTextSize); room > 0 {
			w.html.add(w.read(e, room))
		}
		if alt {
			w.saidHTML = append(w.saidHTML, in)
		}
	case !strings.HasPrefix(t, "text/") || name != "":
		w.file(e, t, disp, name)
	}
}

// parts gathers the text (or HTML) parts of a mail, each on lines of its
// own, and their bytes.
type parts struct {
	b strings.Builder
	n int64
}

func (p *parts) add(s string) {
	if p.newline() {
		p.b.WriteByte('\n')
		p.n++
	}
	p.b.WriteString(s)
	p.n += int64(len(s))
}

// newline says the next part needs a line break before it.
func (p *parts) newline() bool {
	return p.b.Len() > 0 && !strings.HasSuffix(p.b.String(), "\n")
}

// room is how many bytes of a next part fit in max.
func (p *parts) room(max int64) int64 {
	if p.newline() {
		return max - p.n - 1
	}
	return max - p.n
}

// readDeliveryStatus reads the Action, Status and Diagnostic-Code fields of
// a delivery-status body (RFC 3464: one block of fields per message, then
// one per recipient), and the Disposition of a disposition notification.
func (w *walker) readDeliveryStatus(r io.Reader) {
	m := w.m
	sc := bufio.NewScanner(io.LimitReader(r, 64<<10))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for n := 0; sc.Scan() && n < 300; n++ {
		name, value, ok := strings.Cut(sc.Text(), ":")
		value = strings.TrimSpace(value)
		switch name = strings.ToLower(strings.TrimSpace(name)); {
		case !ok:
		case name == "action":
			m.DeliveryActions = append(m.DeliveryActions, strings.ToLower(value))
		case name == "status":
			code, _, _ := strings.Cut(value, " ")
			m.DeliveryStatus = append(m.DeliveryStatus, code)
		case name == "diagnostic-code":
			m.Diagnostics = append(m.Diagnostics, clipRunes(value, 500))
		case name == "disposition":
			m.Disposition = strings.ToLower(clipRunes(value, 200))
		}
	}
}

func clipRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// read returns a text part as valid UTF-8, at most max bytes.
func (w *walker) read(e *message.Entity, max int64) string {
	b, err := io.ReadAll(io.LimitReader(e.Body, max))
	if err != nil {
		w.m.problem("text part: %v", err)
	}
	return toUTF8(b)
}

func (m *Message) finishText() {
	if strings.TrimSpace(m.Text) != "" || m.HTML == "" {
		m.Text = unstarBold(normalizeNewlines(m.Text), m.HTML)
		return
	}
	text, err := HTMLToText(m.HTML)
	if err != nil {
		m.problem("html: %v", err)
	}
	m.Text, m.HTMLOnly = text, true
}

// HTMLToText renders an HTML body as plain text.
func HTMLToText(html string) (string, error) {
	text, err := html2text.FromString(html, html2text.Options{OmitLinks: true})
	return normalizeNewlines(text), err
}

func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// wordDecoder decodes RFC 2047 encoded words in every charset go-message
// knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: message.CharsetReader}
