package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"mailbot/threads"
)

// LockStateDir keeps a second demo off a state directory in use: it would
// stop the first one's database. The returned function lets go.
func LockStateDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--state-dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "demo.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--state-dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another mailbot demo is using %s: stop it, or pass --state-dir with another directory", dir)
	}
	return func() { f.Close() }, nil
}

// DefaultStateDir is a per-user state directory. Root's home is private, so
// the Postgres server (run as the postgres user) could not reach it there.
func DefaultStateDir(env func(string) string) string {
	if os.Geteuid() == 0 {
		return "/var/lib/mailbot-demo"
	}
	if d := env("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "mailbot-demo")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "mailbot-demo")
	}
	return filepath.Join(os.TempDir(), "mailbot-demo")
}

// TokenKey keeps the reply-token key, in hex, in the state directory, so
// reply addresses sent in one run still work in the next.
func TokenKey(stateDir string) (string, error) {
	path := filepath.Join(stateDir, "token.key")
	if b, err := os.ReadFile(path); err == nil {
		return string(b), nil
	}
	key := make([]byte, 32)
	rand.Read(key)
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return "", err
	}
	text := hex.EncodeToString(key)
	return text, os.WriteFile(path, []byte(text+"\n"), 0o600)
}

// APIKey keeps the demo's API key in the state directory, making a new
// one when there is none or it no longer works.
func APIKey(ctx context.Context, store *threads.Store, stateDir string) (string, error) {
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
