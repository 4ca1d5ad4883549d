package threads_test

import (
	"errors"
	"testing"
	"time"

	"mailbot/threads"
)

// A key's use is noted at most once a minute; a name belongs to one live
// key; a revoked key is refused and its name free again.
func TestAPIKeyLifecycle(t *testing.T) {
	t.Parallel()
	s, clock := newStore(t)
	ctx := t.Context()
	key, err := s.CreateAPIKey(ctx, " ledger ")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAPIKey(ctx, "ledger"); !errors.Is(err, threads.ErrInvalid) {
		t.Errorf("second live key named ledger: %v, want ErrInvalid", err)
	}
	for _, name := range []string{"", "two\nlines"} {
		if _, err := s.CreateAPIKey(ctx, name); !errors.Is(err, threads.ErrInvalid) {
			t.Errorf("key named %q: %v, want ErrInvalid", name, err)
		}
	}
	lastUsed := func() *time.Time {
		t.Helper()
		keys, err := s.APIKeys(ctx)
		if err != nil || len(keys) != 1 || keys[0].Name != "ledger" {
			t.Fatalf("keys %+v, %v", keys, err)
		}
		return keys[0].LastUsed
	}
	if lastUsed() != nil {
		t.Error("an unused key has a last use")
	}
	first := clock.Now()
	use := func() {
		t.Helper()
		if ok, err := s.APIKeyValid(ctx, key); !ok || err != nil {
			t.Fatalf("valid key: %v, %v", ok, err)
		}
	}
	use()
	clock.Add(40 * time.Second)
	use()
	if got := lastUsed(); got == nil || got.Sub(first).Abs() > time.Microsecond {
		t.Errorf("last used %v after uses 40s apart, want the first, %v", got, first)
	}
	clock.Add(30 * time.Second)
	use()
	if got := lastUsed(); got == nil || got.Sub(clock.Now()).Abs() > time.Microsecond {
		t.Errorf("last used %v, want %v: more than a minute had passed", got, clock.Now())
	}
	if err := s.RevokeAPIKey(ctx, "ledger"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.APIKeyValid(ctx, key); ok || err != nil {
		t.Errorf("revoked key: valid %v, %v", ok, err)
	}
	if err := s.RevokeAPIKey(ctx, "ledger"); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("revoking it again: %v, want ErrNotFound", err)
	}
	if _, err := s.CreateAPIKey(ctx, "ledger"); err != nil {
		t.Errorf("a new key under a revoked key's name: %v", err)
	}
	if keys, _ := s.APIKeys(ctx); len(keys) != 2 || keys[0].RevokedAt != nil || keys[1].RevokedAt == nil {
		t.Errorf("keys %+v: want the live one first, then the revoked one", keys)
	}
}
