// Package mailin turns received mail into posts: one pipeline for every
// intake (IMAP, SMTP/LMTP, standard input) that records each mail with a
// verdict and posts replies exactly once.
package mailin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"mailbot/mailbot/inbound"
	"mailbot/mailbot/replytext"
	"mailbot/mailbot/senderauth"
	"mailbot/threads"
)

// Store is what the pipeline needs of the domain.
type Store interface {
	TokenContext(ctx context.Context, token, from string) (threads.ReplyToken, threads.ReplyContext, error)
	PersonByEmail(ctx context.Context, address string) (threads.Person, error)
	NotificationByMailID(ctx context.Context, mailID string) (threads.SentNotification, error)
	IsOwnMailID(ctx context.Context, mailID string) (bool, error)
	ParseBounceToken(token string) (int64, error)
	ReplyContext(ctx context.Context, personID, txnID int64, from string) (threads.ReplyContext, error)
	RecordInbound(ctx context.Context, rec threads.InboundRecord, post *threads.NewMessage, notice *threads.RejectionNotice) (threads.InboundResult, error)
	InboundRaw(ctx context.Context, id int64) ([]byte, string, error)
}

var _ Store = (*threads.Store)(nil)

// Options configure the pipeline.
type Options struct {
	Addressing inbound.Addressing
	// MaxSize is the largest mail kept whole; larger ones are logged with
	// their header as rejected_too_large. Default 25 MiB.
	MaxSize int64
	Limits  inbound.Limits
	// Extract finds the reply text; default replytext.Extract.
	Extract func(body string) replytext.Result
	// SenderAuth checks that a reply's From domain sent it; default a
	// checker that verifies DKIM signatures with the system resolver.
	SenderAuth *senderauth.Checker
	// AuthMode says which results refuse a reply; default Enforce.
	AuthMode senderauth.Mode
	Logger   *slog.Logger
	Metrics  *Metrics
}

// DefaultMaxSize is the default MaxSize.
const DefaultMaxSize = 25 << 20

// Pipeline records and posts mail.
type Pipeline struct {
	store   Store
	match   *inbound.Matcher
	opts    Options
	log     *slog.Logger
	extract func(string, *replytext.Options) replytext.Result
}

// NewPipeline checks the options and returns a pipeline.
func NewPipeline(store Store, opts Options) (*Pipeline, error) {
	m, err := inbound.NewMatcher(opts.Addressing)
	if err != nil {
		return nil, err
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultMaxSize
	}
	if opts.SenderAuth == nil {
		opts.SenderAuth = senderauth.NewChecker(senderauth.Options{})
	}
	if opts.AuthMode == "" {
		opts.AuthMode = senderauth.Enforce
	}
	p := &Pipeline{store: store, match: m, opts: opts, log: opts.Logger, extract: replytext.ExtractWith}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if opts.Extract != nil {
		p.extract = func(body string, _ *replytext.Options) replytext.Result { return opts.Extract(body) }
	}
	return p, nil
}

// senderOf tells the reply reader who wrote m, so it can know their
// signature.
func senderOf(m *inbound.Message) *replytext.Options {
	return &replytext.Options{SenderName: m.FromName, SenderAddress: m.From}
}

// MaxSize is the largest mail the pipeline keeps whole.
func (p *Pipeline) MaxSize() int64 { return p.opts.MaxSize }

// Matcher returns the pipeline's address matcher.
func (p *Pipeline) Matcher() *inbound.Matcher { return p.match }

// Result is what became of one mail.
type Result struct {
	InboundID int64
	Verdict   threads.Verdict
	MessageID int64
	Duplicate bool
}

// Ingest reads one mail from r and records it. envelope holds the SMTP
// recipients when the intake knows them. An error means the mail could not
// be recorded and its sender should try again later.
func (p *Pipeline) Ingest(ctx context.Context, r io.Reader, intake string, envelope []string) (Result, error) {
	m, err := p.Read(r)
	if err != nil {
		return Result{}, err
	}
	return p.IngestMail(ctx, m, intake, envelope)
}

// Mail is a received mail read into memory, at most MaxSize bytes of it.
type Mail struct {
	raw      []byte
	size     int64
	tooLarge bool
}

// Read reads one mail from r; a mail over MaxSize keeps only its header.
func (p *Pipeline) Read(r io.Reader) (Mail, error) {
	raw, size, tooLarge, err := readLimited(r, p.opts.MaxSize)
	if err != nil {
		return Mail{}, fmt.Errorf("mailin: read mail: %w", err)
	}
	return Mail{raw: raw, size: size, tooLarge: tooLarge}, nil
}

// IngestMail records a mail already read.
func (p *Pipeline) IngestMail(ctx context.Context, m Mail, intake string, envelope []string) (Result, error) {
	return p.process(ctx, mail{raw: m.raw, size: m.size, tooLarge: m.tooLarge, intake: intake, envelope: envelope})
}

// Sender is the mail's From field as written, lower-cased, found with a
// cheap scan of the header: for keeping one sender's mail in order.
func (m Mail) Sender() string {
	for _, line := range bytes.Split(m.raw[:inbound.HeaderLen(m.raw)], []byte("\n")) {
		if len(line) > 5 && bytes.EqualFold(line[:5], []byte("from:")) {
			return string(bytes.ToLower(bytes.TrimSpace(line[5:])))
		}
	}
	return ""
}

// Reprocess runs a logged mail through the pipeline again, updating its row.
// A mail that was posted is not posted again.
func (p *Pipeline) Reprocess(ctx context.Context, inboundID int64) (Result, error) {
	raw, intake, err := p.store.InboundRaw(ctx, inboundID)
	if err != nil {
		return Result{}, err
	}
	return p.process(ctx, mail{raw: raw, size: int64(len(raw)), intake: intake, reprocessID: inboundID})
}

type mail struct {
	raw         []byte
	size        int64
	tooLarge    bool
	intake      string
	envelope    []string
	reprocessID int64
}

func (p *Pipeline) process(ctx context.Context, in mail) (Result, error) {
	start := time.Now()
	d, err := p.decide(ctx, in)
	if err != nil {
		p.recordTransient(ctx, in, d, err)
		p.opts.Metrics.record(string(threads.VerdictFailedTransient), start)
		return Result{}, err
	}
	res, err := p.store.RecordInbound(ctx, d.rec, d.post, d.notice)
	if err != nil {
		p.opts.Metrics.record(string(threads.VerdictFailedTransient), start)
		return Result{}, fmt.Errorf("mailin: record: %w", err)
	}
	if res.Duplicate {
		p.opts.Metrics.record("duplicate", start)
	} else {
		p.opts.Metrics.record(string(res.Verdict), start)
	}
	p.log.Info("mail recorded", slog.Int64("inbound_id", res.ID), slog.String("verdict", string(res.Verdict)),
		slog.Bool("duplicate", res.Duplicate), slog.String("intake", in.intake), slog.Int64("size", in.size))
	return Result{InboundID: res.ID, Verdict: res.Verdict, MessageID: res.MessageID, Duplicate: res.Duplicate}, nil
}

// recordTransient logs a mail whose processing failed for a passing reason,
// when the database still takes it; a later delivery or a reprocess retries.
func (p *Pipeline) recordTransient(ctx context.Context, in mail, d decision, cause error) {
	d.rec.Verdict, d.rec.Detail = threads.VerdictFailedTransient, cause.Error()
	if d.rec.DedupeKey == "" {
		d.rec = p.baseRecord(in, nil)
		d.rec.Verdict, d.rec.Detail = threads.VerdictFailedTransient, cause.Error()
	}
	if _, err := p.store.RecordInbound(ctx, d.rec, nil, nil); err != nil {
		p.log.Warn("mail not recorded", slog.String("error", err.Error()), slog.String("cause", cause.Error()))
	}
}

// baseRecord fills what every record has, from the mail and, when it
// parsed, its header.
func (p *Pipeline) baseRecord(in mail, m *inbound.Message) threads.InboundRecord {
	rec := threads.InboundRecord{Intake: in.intake, Raw: in.raw, RawSize: in.size, Truncated: in.tooLarge,
		ReprocessID: in.reprocessID}
	sum := sha256.Sum256(in.raw)
	rec.DedupeKey = "sha256:" + hex.EncodeToString(sum[:])
	if m == nil {
		return rec
	}
	rec.MessageIDHeader, rec.Sender, rec.Subject = clipText(m.MessageID, 500), clipText(m.From, 320), clipText(m.Subject, 1000)
	if m.MessageID != "" {
		// The sender is part of the key, so a forged Message-ID from someone
		// else cannot shadow a real reply.
		rec.DedupeKey = "mid:" + strings.ToLower(rec.MessageIDHeader) + "|" + rec.Sender
	}
	return rec
}

func clipText(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}
