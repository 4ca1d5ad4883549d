package threads_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"mailbot/threads"
)

// Ready runs the caller's check on a database that answers, and says
// ErrUnreachable of one that does not.
func TestReady(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	behind := errors.New("schema behind")
	if err := s.Ready(t.Context(), nil); err != nil {
		t.Errorf("Ready: %v", err)
	}
	check := func(context.Context, *sql.DB) error { return behind }
	if err := s.Ready(t.Context(), check); !errors.Is(err, behind) {
		t.Errorf("Ready with a failing check: %v, want the check's error", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(t.Context(), check); !errors.Is(err, threads.ErrUnreachable) {
		t.Errorf("Ready after Close: %v, want ErrUnreachable", err)
	}
}
