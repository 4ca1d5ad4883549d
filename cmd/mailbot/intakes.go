package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"mailbot/mailbot/mailin"
	"mailbot/threads"
	"mailbot/web"
)

// intakes are the configured ways mail comes in, besides `mailbot ingest`.
type intakes struct {
	pipe     *mailin.Pipeline
	poller   *mailin.Poller
	receiver *smtp.Server
	ln       net.Listener
}

// newIntakes builds the pipeline and the intakes, checking the IMAP login
// and taking the SMTP listen address now, so bad settings stop the start.
func newIntakes(ctx context.Context, cfg inConfig, store *threads.Store, log *slog.Logger) (*intakes, error) {
	opts := cfg.Pipeline
	opts.Logger = log
	pipe, err := mailin.NewPipeline(store, opts)
	if err != nil {
		return nil, fmt.Errorf("MAILBOT_REPLY_ADDRESS: %w", err)
	}
	in := &intakes{pipe: pipe}
	if cfg.IMAP != nil {
		imapOpts := *cfg.IMAP
		imapOpts.Logger = log
		if in.poller, err = mailin.NewPoller(pipe, store, imapOpts); err != nil {
			return nil, fmt.Errorf("IMAP settings (MAILBOT_IMAP_*): %w", err)
		}
		checkCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := in.poller.Check(checkCtx); err != nil {
			return nil, fmt.Errorf("IMAP settings (MAILBOT_IMAP_*): %w", err)
		}
	}
	if cfg.SMTPListen != "" {
		if in.ln, err = net.Listen("tcp", cfg.SMTPListen); err != nil {
			return nil, fmt.Errorf("listen on MAILBOT_SMTP_LISTEN %s: %w", cfg.SMTPListen, err)
		}
		in.receiver = mailin.NewReceiver(pipe, store, mailin.ReceiverOptions{LMTP: cfg.LMTP, Logger: log, Domain: cfg.Domain})
	}
	return in, nil
}

// start runs the intakes until ctx ends; the returned function waits for
// them, letting mail in flight finish.
func (in *intakes) start(ctx context.Context, log *slog.Logger) func() {
	var wg sync.WaitGroup
	if in.poller != nil {
		wg.Go(func() { in.poller.Run(ctx) })
	}
	if in.receiver != nil {
		log.Info("mail intake listening", slog.String("addr", in.ln.Addr().String()))
		wg.Go(func() { in.receiver.Serve(in.ln) })
		wg.Go(func() {
			<-ctx.Done()
			shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			in.receiver.Shutdown(shutdown)
		})
	}
	return wg.Wait
}

// adminOptions connects the admin view to the intakes: reprocessing through
// the pipeline, and the IMAP poller's health.
func (in *intakes) adminOptions() web.AdminOptions {
	if in == nil {
		return web.AdminOptions{}
	}
	opts := web.AdminOptions{Reprocess: func(ctx context.Context, id int64) (string, error) {
		res, err := in.pipe.Reprocess(ctx, id)
		return string(res.Verdict), err
	}}
	if in.poller != nil {
		opts.Intake = func() web.IntakeStatus {
			st := in.poller.Status()
			return web.IntakeStatus{Configured: true, Active: st.Active, Connected: st.Connected,
				LastSync: st.LastSync, LastError: st.LastError}
		}
	}
	return opts
}
