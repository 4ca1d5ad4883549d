package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"mailbot/internal/demomail"
	"mailbot/mailbot/inbound"
	"mailbot/threads"
)

// demoMail is the running mail world with the addresses it took.
type demoMail struct {
	*demomail.World
	smtpAddr, imapAddr string
}

func (m demoMail) SMTPAddr() string { return m.smtpAddr }
func (m demoMail) IMAPAddr() string { return m.imapAddr }

func startDemoMail(f demoFlags, cfg config, world demoWorld) (demoMail, error) {
	matcher, err := inbound.NewMatcher(cfg.In.Pipeline.Addressing)
	if err != nil {
		return demoMail{}, err
	}
	var users []string
	for _, p := range world.people {
		users = append(users, p.person.PrimaryEmail())
	}
	w, err := demomail.Start(demomail.Options{SMTPAddr: f.smtpAddr, IMAPAddr: f.imapAddr, Users: users,
		Password: demoPassword, BotUser: demoBotInbox, MaxBytes: cfg.In.Pipeline.MaxSize,
		IsReplyAddress: func(a string) bool { _, ok := matcher.IsReplyAddress(a); return ok }})
	if err != nil {
		switch {
		case errors.Is(err, syscall.EADDRINUSE) && strings.HasPrefix(err.Error(), "smtp"):
			return demoMail{}, listenError("--smtp", f.smtpAddr, syscall.EADDRINUSE)
		case errors.Is(err, syscall.EADDRINUSE):
			return demoMail{}, listenError("--imap", f.imapAddr, syscall.EADDRINUSE)
		}
		return demoMail{}, fmt.Errorf("start the demo mail servers: %w", err)
	}
	return demoMail{World: w, smtpAddr: f.smtpAddr, imapAddr: f.imapAddr}, nil
}

// demoInbox adds the demo inbox pages to a mux.
func demoInbox(mail demoMail, world demoWorld) func(*http.ServeMux) {
	names := map[string]string{}
	for _, p := range world.people {
		names[p.person.PrimaryEmail()] = p.person.Name
	}
	inbox := demomail.NewInbox(mail.World, names)
	return inbox.Register
}

// demoAPIKey keeps the demo's API key in the state directory, making a new
// one when there is none or it no longer works.
func demoAPIKey(ctx context.Context, store *threads.Store, stateDir string) (string, error) {
	path := filepath.Join(stateDir, "api.key")
	if b, err := os.ReadFile(path); err == nil {
		key := strings.TrimSpace(string(b))
		if ok, err := store.APIKeyValid(ctx, key); err != nil || ok {
			return key, err
		}
	}
	// Its old key, if any, was lost with the state directory: revoke it,
	// since a name belongs to one live key.
	if err := store.RevokeAPIKey(ctx, "demo"); err != nil && !errors.Is(err, threads.ErrNotFound) {
		return "", err
	}
	key, err := store.CreateAPIKey(ctx, "demo")
	if err != nil {
		return "", err
	}
	return key, os.WriteFile(path, []byte(key+"\n"), 0o600)
}
