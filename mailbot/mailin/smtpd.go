package mailin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/emersion/go-smtp"

	"mailbot/threads"
)

// TokenChecker tells whether a reply token exists at all.
type TokenChecker interface {
	LookupReplyToken(ctx context.Context, token string) (threads.ReplyToken, error)
	ParseBounceToken(token string) (int64, error)
}

// ReceiverOptions configure the SMTP/LMTP intake.
type ReceiverOptions struct {
	Domain string // announced in the greeting
	LMTP   bool
	Logger *slog.Logger
}

// NewReceiver returns an SMTP (or LMTP) server that an MTA delivers replies
// to. It refuses, during the dialogue, recipients that are not reply
// addresses of an existing token and mail larger than the pipeline keeps,
// so no bounce ever goes to a forged sender; it answers 250 only after the
// mail is committed. The caller sets Addr (or passes a listener to Serve).
func NewReceiver(pipe *Pipeline, tokens TokenChecker, opts ReceiverOptions) *smtp.Server {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := smtp.NewServer(&receiver{pipe: pipe, tokens: tokens, lmtp: opts.LMTP, log: log})
	s.Domain = opts.Domain
	s.LMTP = opts.LMTP
	s.MaxMessageBytes = pipe.MaxSize()
	s.MaxRecipients = 50
	s.ReadTimeout, s.WriteTimeout = 5*time.Minute, time.Minute
	s.AllowInsecureAuth = false
	return s
}

type receiver struct {
	pipe   *Pipeline
	tokens TokenChecker
	lmtp   bool
	log    *slog.Logger
}

func (r *receiver) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &receiverSession{r: r}, nil
}

type receiverSession struct {
	r    *receiver
	rcpt []string
}

var (
	errUnknownRecipient = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "no such conversation address"}
	errTryLater = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "temporary failure, try again later"}
)

func (s *receiverSession) Reset()                               { s.rcpt = nil }
func (s *receiverSession) Logout() error                        { return nil }
func (s *receiverSession) Mail(string, *smtp.MailOptions) error { return nil }

func (s *receiverSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	// A delivery failure report comes back to a notification's signed
	// envelope sender; only one the service signed is taken.
	if b, ok := s.r.pipe.Matcher().IsBounceAddress(to); ok {
		if _, err := s.r.tokens.ParseBounceToken(b); err != nil {
			return errUnknownRecipient
		}
		s.rcpt = append(s.rcpt, to)
		return nil
	}
	token, ok := s.r.pipe.Matcher().IsReplyAddress(to)
	if !ok {
		return errUnknownRecipient
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Expired and revoked tokens are taken, so their senders get a notice.
	_, err := s.r.tokens.LookupReplyToken(ctx, token)
	switch {
	case errors.Is(err, threads.ErrTokenNotFound):
		return errUnknownRecipient
	case err != nil && !errors.Is(err, threads.ErrTokenExpired) && !errors.Is(err, threads.ErrTokenRevoked):
		s.r.log.Warn("token lookup failed", slog.String("error", err.Error()))
		return errTryLater
	}
	s.rcpt = append(s.rcpt, to)
	return nil
}

func (s *receiverSession) Data(r io.Reader) error {
	intake := "smtp"
	if s.r.lmtp {
		intake = "lmtp"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := s.r.pipe.Ingest(ctx, r, intake, s.rcpt); err != nil {
		var smtpErr *smtp.SMTPError
		if errors.As(err, &smtpErr) { // the size limit, from go-smtp's reader
			return smtpErr
		}
		s.r.log.Warn("mail not recorded; the sender will retry", slog.String("error", err.Error()))
		return errTryLater
	}
	return nil
}
