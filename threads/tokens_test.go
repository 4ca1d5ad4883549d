package threads_test

import (
	"crypto/sha256"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"mailbot/threads"
)

var tokenShape = regexp.MustCompile(`^[a-z2-7]{32}$`)

func TestReplyTokenReuseAndLookup(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	tok, err := w.s.ReplyTokenFor(ctx, w.ana.ID, w.invoice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !tokenShape.MatchString(tok) {
		t.Fatalf("token %q is not 32 lower-case base32 characters", tok)
	}
	again, _ := w.s.ReplyTokenFor(ctx, w.ana.ID, w.invoice.ID)
	if again != tok {
		t.Errorf("second ReplyTokenFor = %q, want the same token reused", again)
	}
	other, _ := w.s.ReplyTokenFor(ctx, w.accountant.ID, w.invoice.ID)
	if other == tok {
		t.Error("two people share a token")
	}
	// Mail servers may fold the case of the local part.
	for _, form := range []string{tok, strings.ToUpper(tok)} {
		rt, err := w.s.LookupReplyToken(ctx, form)
		if err != nil || rt.PersonID != w.ana.ID || rt.TransactionID != w.invoice.ID || rt.CompanyID != w.acme.ID {
			t.Errorf("Lookup(%q) = %+v, %v", form, rt, err)
		}
	}
	for _, bad := range []string{"", "nope", strings.Repeat("a", 32), tok[:31], tok + "a"} {
		if _, err := w.s.LookupReplyToken(ctx, bad); !errors.Is(err, threads.ErrTokenNotFound) {
			t.Errorf("Lookup(%q) err = %v, want ErrTokenNotFound", bad, err)
		}
	}
	// Only people of the company get tokens.
	if _, err := w.s.ReplyTokenFor(ctx, w.bruno.ID, w.invoice.ID); !errors.Is(err, threads.ErrNotFound) {
		t.Errorf("token for an outsider: err = %v, want ErrNotFound", err)
	}
}

func TestReplyTokenStoresOnlyAHash(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok, err := w.s.ReplyTokenFor(t.Context(), w.ana.ID, w.invoice.ID)
	if err != nil {
		t.Fatal(err)
	}
	var row string
	if err := threads.DBOf(w.s).Get(&row, `SELECT r::text FROM reply_tokens r`); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(row), tok) {
		t.Fatalf("the token appears in its stored row: %s", row)
	}
	var hash []byte
	threads.DBOf(w.s).Get(&hash, `SELECT token_hash FROM reply_tokens`)
	if sum := sha256.Sum256([]byte(tok)); string(hash) != string(sum[:]) {
		t.Error("stored hash is not the token's SHA-256")
	}
	// A store with another key cannot derive or resolve the same tokens.
	other, err := threads.NewStore(threads.DBOf(w.s), &threads.Options{TokenKey: []byte(strings.Repeat("k", 32))})
	if err != nil {
		t.Fatal(err)
	}
	if tok2, _ := other.ReplyTokenFor(t.Context(), w.ana.ID, w.invoice.ID); tok2 == tok {
		t.Error("another key derived the same token")
	}
}

func TestReplyTokenExpiry(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	tok, _ := w.s.ReplyTokenFor(ctx, w.ana.ID, w.invoice.ID)
	w.clock.Add(20 * time.Hour)
	// Reuse within the lifetime extends it (TTL is 24h in these tests).
	if again, _ := w.s.ReplyTokenFor(ctx, w.ana.ID, w.invoice.ID); again != tok {
		t.Fatal("token not reused before expiry")
	}
	w.clock.Add(20 * time.Hour)
	if _, err := w.s.LookupReplyToken(ctx, tok); err != nil {
		t.Fatalf("token expired although its use extended it: %v", err)
	}
	w.clock.Add(5 * time.Hour)
	rt, err := w.s.LookupReplyToken(ctx, tok)
	if !errors.Is(err, threads.ErrTokenExpired) || rt.PersonID != w.ana.ID {
		t.Fatalf("expired token: %+v, %v; want ErrTokenExpired with its record", rt, err)
	}
	fresh, err := w.s.ReplyTokenFor(ctx, w.ana.ID, w.invoice.ID)
	if err != nil || fresh == tok {
		t.Fatalf("after expiry ReplyTokenFor = %q, %v; want a new token", fresh, err)
	}
	if _, err := w.s.LookupReplyToken(ctx, tok); !errors.Is(err, threads.ErrTokenExpired) {
		t.Errorf("old token after renewal: %v, want ErrTokenExpired", err)
	}
	if _, err := w.s.LookupReplyToken(ctx, fresh); err != nil {
		t.Errorf("new token: %v", err)
	}
}

func TestReplyTokenRevocation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	tok, _ := w.s.ReplyTokenFor(ctx, w.ana.ID, w.invoice.ID)
	keep, _ := w.s.ReplyTokenFor(ctx, w.accountant.ID, w.invoice.ID)
	if n, err := w.s.RevokeReplyTokens(ctx, w.ana.ID); err != nil || n != 1 {
		t.Fatalf("RevokeReplyTokens = %d, %v; want 1", n, err)
	}
	if _, err := w.s.LookupReplyToken(ctx, tok); !errors.Is(err, threads.ErrTokenRevoked) {
		t.Errorf("revoked token: %v, want ErrTokenRevoked", err)
	}
	if _, err := w.s.LookupReplyToken(ctx, keep); err != nil {
		t.Errorf("someone else's token was revoked too: %v", err)
	}
	fresh, _ := w.s.ReplyTokenFor(ctx, w.ana.ID, w.invoice.ID)
	if fresh == tok {
		t.Fatal("a revoked token was handed out again")
	}
	if _, err := w.s.LookupReplyToken(ctx, fresh); err != nil {
		t.Errorf("token issued after revocation: %v", err)
	}
}

func TestReplyTokenConcurrentCreation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	results := make(chan string, 10)
	for range 10 {
		go func() {
			tok, err := w.s.ReplyTokenFor(t.Context(), w.ana.ID, w.invoice.ID)
			if err != nil {
				t.Error(err)
			}
			results <- tok
		}()
	}
	first := <-results
	for range 9 {
		if tok := <-results; tok != first {
			t.Fatal("concurrent callers got different tokens for one person and transaction")
		}
	}
}
