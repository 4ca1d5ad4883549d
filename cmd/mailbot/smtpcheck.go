package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"mailbot/mailbot/mailout"
)

// checkRelay connects to the relay, sets up TLS and logs in as the outbox
// workers will, so that a relay they could never use stops the start with
// one line naming the setting to fix.
func checkRelay(ctx context.Context, opts mailout.SMTPOptions) error {
	sender, err := mailout.NewSMTPSender(opts)
	if err != nil {
		return fmt.Errorf("SMTP settings (MAILBOT_SMTP_*): %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := sender.Check(ctx); err != nil {
		return relayProblem(opts, err)
	}
	return nil
}

// relayProblem says which setting to look at for what the relay answered.
func relayProblem(opts mailout.SMTPOptions, err error) error {
	msg := strings.TrimPrefix(strings.ReplaceAll(err.Error(), "\n", " "), "smtp: ") // multi-line SMTP replies
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &verify):
		return fmt.Errorf("MAILBOT_SMTP_ADDR: the relay's certificate is not trusted (%s); set MAILBOT_SMTP_CA_FILE or fix the relay",
			strings.ReplaceAll(verify.Err.Error(), "\n", " "))
	case errors.Is(err, mailout.ErrRelayTLS):
		return fmt.Errorf("MAILBOT_SMTP_TLS: %s", msg)
	case errors.Is(err, mailout.ErrRelayAuth) && opts.AuthMechanism == "XOAUTH2":
		return fmt.Errorf("MAILBOT_SMTP_AUTH=xoauth2: %s; check MAILBOT_SMTP_USERNAME and the MAILBOT_IMAP_OAUTH_* settings", msg)
	case errors.Is(err, mailout.ErrRelayAuth):
		return fmt.Errorf("MAILBOT_SMTP_USERNAME, MAILBOT_SMTP_PASSWORD: %s", msg)
	}
	return fmt.Errorf("MAILBOT_SMTP_ADDR: %s", msg)
}
