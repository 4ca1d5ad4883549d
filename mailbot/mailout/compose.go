// Package mailout writes the emails that tell people about new messages and
// delivers them through an SMTP relay from a transactional outbox.
package mailout

import (
	"bytes"
	"context"
	"crypto"
	"fmt"
	"io/fs"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-msgauth/dkim"

	"mailbot/i18n"
	"mailbot/threads"
)

// Options say how notification emails look and where their links point.
type Options struct {
	ServiceName string // shown as "<Author> via <ServiceName>"; default "Mailbot"
	FromAddress string // notifications@example.com
	// BounceAddress, when set, is the envelope sender of every
	// notification. Empty (the default): each notification's envelope
	// sender is the reply address with a signed token naming it (VERP), so
	// a delivery failure comes back through the reply intakes and marks
	// that notification bounced.
	BounceAddress string
	// ReplyAddress is the reply address pattern; "{token}" is replaced by the
	// recipient's reply token: "reply+{token}@reply.example.com".
	ReplyAddress string
	// BaseURL is where the web pages are served: "https://mailbot.example.com".
	BaseURL string
	// DKIM signs every email when set.
	DKIM *DKIMOptions
	// AttachMaxBytes is the largest total of a message's accepted files
	// that its notification carries as attachments; over it, or when 0,
	// the email only lists them with their links.
	AttachMaxBytes int64
}

// DKIMOptions are the signing domain, selector and private key.
type DKIMOptions struct {
	Domain   string
	Selector string
	Signer   crypto.Signer // *rsa.PrivateKey or ed25519.PrivateKey
}

// Links are the per-store ids and tokens an email refers to.
type Links interface {
	ThreadRootID(txnID int64) string
	MuteToken(personID, txnID int64) string
	BounceToken(outboxID int64) string
}

// Email is a composed message with its envelope.
type Email struct {
	From string   // envelope sender
	To   []string // envelope recipients
	Data []byte   // the message, CRLF line ends
}

// Composer writes notification emails from the embedded templates.
type Composer struct {
	opts        Options
	replyDomain string
	idDomain    string
	langs       map[string]emailTemplates
	now         func() time.Time
}

// NewComposer checks the options and parses the templates once.
func NewComposer(opts Options, templates fs.FS) (*Composer, error) {
	if opts.ServiceName == "" {
		opts.ServiceName = "Mailbot"
	}
	c := &Composer{opts: opts, now: time.Now}
	if err := c.checkAddresses(); err != nil {
		return nil, err
	}
	var err error
	if c.langs, err = parseTemplates(templates); err != nil {
		return nil, err
	}
	return c, nil
}

// lang is the templates of the reader's language, or of the fallback.
func (c *Composer) lang(locale string) emailTemplates {
	if et, ok := c.langs[locale]; ok {
		return et
	}
	return c.langs[i18n.Fallback]
}

func (c *Composer) checkAddresses() error {
	from, err := mail.ParseAddress(c.opts.FromAddress)
	if err != nil || from.Name != "" {
		return fmt.Errorf("mailout: from address %q is not a plain email address", c.opts.FromAddress)
	}
	c.idDomain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	sample := ReplyAddress(c.opts.ReplyAddress, strings.Repeat("a", threads.TokenLen))
	reply, err := mail.ParseAddress(sample)
	if err != nil || !strings.Contains(c.opts.ReplyAddress, "{token}") || strings.Count(c.opts.ReplyAddress, "@") != 1 {
		return fmt.Errorf("mailout: reply address pattern %q must be an address with {token} in it, like reply+{token}@reply.example.com", c.opts.ReplyAddress)
	}
	c.replyDomain = reply.Address[strings.LastIndexByte(reply.Address, '@')+1:]
	if !strings.HasPrefix(c.opts.BaseURL, "http://") && !strings.HasPrefix(c.opts.BaseURL, "https://") {
		return fmt.Errorf("mailout: base URL %q must start with https:// (or http://)", c.opts.BaseURL)
	}
	c.opts.BaseURL = strings.TrimRight(c.opts.BaseURL, "/")
	return nil
}

// ReplyAddress fills a reply address pattern with a token.
func ReplyAddress(pattern, token string) string {
	return strings.ReplaceAll(pattern, "{token}", token)
}

// templateData is what the notification templates see.
type templateData struct {
	Subject, Author, Company                               string
	KindTitle, KindLabel, Number, Date, Amount, PartyLabel string
	Counterparty, Body, Link, MuteLink                     string
	Files                                                  []fileLine
	Refused                                                []refusedLine
}

// Compose writes the email for one claimed outbox row. The message's files
// are attached when files is not nil and they are within the limit; a
// file that cannot be read fails the email, which the worker retries.
func (c *Composer) Compose(ctx context.Context, n threads.Notification, links Links, files FileOpener) (Email, error) {
	if n.Kind == "rejection_notice" {
		return c.composeNotice(n)
	}
	et := c.lang(n.Locale)
	w := et.lang
	t := n.Transaction
	d := templateData{
		Author: n.AuthorName, Company: n.CompanyName,
		KindTitle: w.Kind(t.Kind), KindLabel: w.KindInSentence(t.Kind), Number: t.Number,
		Date: w.Date(t.Date), Amount: w.Amount(t.AmountMinor, t.Currency),
		PartyLabel: w.Party(t.Kind), Counterparty: t.Counterparty, Body: n.Body,
		Link:     fmt.Sprintf("%s/companies/%d/transactions/%d#activities", c.opts.BaseURL, n.CompanyID, t.ID),
		MuteLink: c.opts.BaseURL + "/unsubscribe/" + links.MuteToken(n.RecipientID, t.ID),
	}
	d.Subject = oneLine(w.Subject(t.Kind, t.Number, n.CompanyName, n.Position > 0))
	var attach []threads.File
	d.Files, d.Refused, attach = c.listFiles(n, w, files != nil)
	h := c.header(n, d, links)
	var buf bytes.Buffer
	if err := c.writeBody(ctx, &buf, h, et, d, attach, files); err != nil {
		return Email{}, err
	}
	data, err := c.sign(buf.Bytes())
	if err != nil {
		return Email{}, err
	}
	return Email{From: c.envelopeSender(n, links), To: []string{n.ToAddress}, Data: data}, nil
}

func (c *Composer) envelopeSender(n threads.Notification, links Links) string {
	if c.opts.BounceAddress != "" {
		return c.opts.BounceAddress
	}
	return ReplyAddress(c.opts.ReplyAddress, links.BounceToken(n.OutboxID))
}

func (c *Composer) header(n threads.Notification, d templateData, links Links) gomail.Header {
	var h gomail.Header
	token := strings.ToLower(n.ReplyToken)
	reply := ReplyAddress(c.opts.ReplyAddress, token)
	via := oneLine(n.AuthorName) + " via " + oneLine(c.opts.ServiceName)
	root := links.ThreadRootID(n.Transaction.ID) + "@" + c.idDomain
	h.SetDate(c.now())
	h.SetAddressList("From", []*gomail.Address{{Name: via, Address: c.opts.FromAddress}})
	h.SetAddressList("To", []*gomail.Address{{Name: oneLine(n.RecipientName), Address: n.ToAddress}})
	h.SetAddressList("Reply-To", []*gomail.Address{{Name: via, Address: reply}})
	h.SetSubject(d.Subject)
	h.SetMessageID(n.MailID + "@" + c.idDomain)
	h.SetMsgIDList("In-Reply-To", []string{root})
	h.SetMsgIDList("References", []string{root, "reply-" + token + "@" + c.replyDomain})
	h.Set("List-Post", "<mailto:"+reply+">")
	h.Set("List-Unsubscribe", "<"+d.MuteLink+">")
	h.Set("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	h.Set("Auto-Submitted", "auto-generated")
	h.Set("X-Auto-Response-Suppress", "All")
	return h
}

// writeBody writes the text and HTML as multipart/alternative, inside a
// multipart/mixed with the attachments when there are any.
func (c *Composer) writeBody(ctx context.Context, buf *bytes.Buffer, h gomail.Header, et emailTemplates, d templateData,
	attach []threads.File, files FileOpener) error {
	if len(attach) == 0 {
		iw, err := gomail.CreateInlineWriter(buf, h)
		if err != nil {
			return fmt.Errorf("mailout: compose: %w", err)
		}
		return c.writeAlternative(iw, et, d)
	}
	mw, err := gomail.CreateWriter(buf, h)
	if err != nil {
		return fmt.Errorf("mailout: compose: %w", err)
	}
	iw, err := mw.CreateInline()
	if err != nil {
		return fmt.Errorf("mailout: compose: %w", err)
	}
	if err := c.writeAlternative(iw, et, d); err != nil {
		return err
	}
	for _, f := range attach {
		if err := writeAttachment(ctx, mw, files, f); err != nil {
			return err
		}
	}
	return mw.Close()
}

// writeAlternative writes the text and HTML parts and closes iw.
func (c *Composer) writeAlternative(iw *gomail.InlineWriter, et emailTemplates, d templateData) error {
	for _, part := range []struct {
		contentType string
		execute     func(*bytes.Buffer) error
	}{
		{"text/plain", func(b *bytes.Buffer) error { return et.text.Execute(b, d) }},
		{"text/html", func(b *bytes.Buffer) error { return et.html.Execute(b, d) }},
	} {
		var body bytes.Buffer
		if err := part.execute(&body); err != nil {
			return fmt.Errorf("mailout: render %s: %w", part.contentType, err)
		}
		var ph gomail.InlineHeader
		ph.SetContentType(part.contentType, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := iw.CreatePart(ph)
		if err != nil {
			return fmt.Errorf("mailout: compose: %w", err)
		}
		pw.Write(body.Bytes())
		pw.Close()
	}
	return iw.Close()
}

// composeNotice writes a plain-text rejection notice. It carries no reply
// address and says it is an automatic answer, so it cannot start a loop.
func (c *Composer) composeNotice(n threads.Notification) (Email, error) {
	et := c.lang(n.Locale)
	d := struct{ Recipient, Subject, Reason, Link string }{
		Recipient: n.RecipientName, Subject: oneLine(n.InboundSubject), Reason: reason(et.lang, n.Reason)}
	if n.Reason == threads.VerdictRejectedTooLarge && n.InboundDetail != "" {
		d.Reason += " (" + oneLine(n.InboundDetail) + ")" // its size and the limit
	}
	if n.Transaction.ID != 0 {
		d.Link = fmt.Sprintf("%s/companies/%d/transactions/%d#activities", c.opts.BaseURL, n.CompanyID, n.Transaction.ID)
	}
	var h gomail.Header
	h.SetDate(c.now())
	h.SetAddressList("From", []*gomail.Address{{Name: oneLine(c.opts.ServiceName), Address: c.opts.FromAddress}})
	h.SetAddressList("To", []*gomail.Address{{Name: oneLine(n.RecipientName), Address: n.ToAddress}})
	h.SetSubject(et.lang.T("notice.subject"))
	h.SetMessageID(n.MailID + "@" + c.idDomain)
	if id := strings.Trim(n.InboundMessageID, "<> "); id != "" && !strings.ContainsAny(id, "\r\n<> ") {
		h.SetMsgIDList("In-Reply-To", []string{id})
	}
	h.Set("Auto-Submitted", "auto-replied")
	h.Set("X-Auto-Response-Suppress", "All")
	var body, buf bytes.Buffer
	if err := et.notice.Execute(&body, d); err != nil {
		return Email{}, fmt.Errorf("mailout: render notice: %w", err)
	}
	h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	mw, err := gomail.CreateSingleInlineWriter(&buf, h)
	if err != nil {
		return Email{}, fmt.Errorf("mailout: compose notice: %w", err)
	}
	mw.Write(body.Bytes())
	if err := mw.Close(); err != nil {
		return Email{}, fmt.Errorf("mailout: compose notice: %w", err)
	}
	data, err := c.sign(buf.Bytes())
	if err != nil {
		return Email{}, err
	}
	// A null envelope sender, as RFC 3834 asks of automatic answers: a
	// bounce of the notice goes nowhere.
	return Email{From: "", To: []string{n.ToAddress}, Data: data}, nil
}

func (c *Composer) sign(msg []byte) ([]byte, error) {
	if c.opts.DKIM == nil {
		return msg, nil
	}
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(msg), &dkim.SignOptions{
		Domain: c.opts.DKIM.Domain, Selector: c.opts.DKIM.Selector, Signer: c.opts.DKIM.Signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID", "Reply-To", "In-Reply-To",
			"References", "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type"},
	})
	if err != nil {
		return nil, fmt.Errorf("mailout: DKIM sign: %w", err)
	}
	return out.Bytes(), nil
}

// oneLine keeps a value that goes into a header on one line, whatever it
// holds: control characters become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}
