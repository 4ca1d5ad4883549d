package threads_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mailbot/threads"
)

// Attempts made at once each take their own slot: exactly a budget's burst
// gets through, and a refused attempt takes nothing from the other budgets.
func TestReserveLoginAttemptIsAtomic(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	threads.DBOf(s).SetMaxOpenConns(20)
	pair := threads.LoginBudget{Key: "account:ana client:192.0.2.1", Burst: 10, Per: 15 * time.Minute}
	client := threads.LoginBudget{Key: "client:192.0.2.1", Burst: 15, Per: 15 * time.Minute}
	var granted, refused atomic.Int64
	var wg sync.WaitGroup
	for range 60 {
		wg.Go(func() {
			var throttled *threads.ThrottledError
			switch err := s.ReserveLoginAttempt(t.Context(), pair, client); {
			case err == nil:
				granted.Add(1)
			case errors.As(err, &throttled):
				refused.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if granted.Load() != 10 || refused.Load() != 50 {
		t.Fatalf("60 attempts at once: %d granted, %d refused; want 10 and 50", granted.Load(), refused.Load())
	}
	// The client budget kept room for 5 more: the refused 50 took none of it.
	other := threads.LoginBudget{Key: "account:bruno client:192.0.2.1", Burst: 10, Per: 15 * time.Minute}
	for i := range 6 {
		err := s.ReserveLoginAttempt(t.Context(), other, client)
		if (i < 5) != (err == nil) {
			t.Errorf("attempt %d on another account from the client: %v", i+1, err)
		}
	}
}

// Past its burst a budget slows down to one attempt per step instead of
// shutting; a released attempt is given back; drained budgets are forgotten.
func TestLoginBudgetSlowsDown(t *testing.T) {
	t.Parallel()
	s, clock := newStore(t)
	b := threads.LoginBudget{Key: "account:ana client:192.0.2.1", Burst: 3, Per: 3 * time.Minute}
	reserve := func() error { return s.ReserveLoginAttempt(t.Context(), b) }
	for range 3 {
		if err := reserve(); err != nil {
			t.Fatal(err)
		}
	}
	var throttled *threads.ThrottledError
	if err := reserve(); !errors.As(err, &throttled) || throttled.RetryAfter != time.Minute {
		t.Fatalf("attempt past the burst: %v, want throttled for a minute", err)
	}
	clock.Add(time.Minute)
	if err := reserve(); err != nil {
		t.Errorf("a step later: %v, want one more attempt", err)
	}
	if err := reserve(); !errors.As(err, &throttled) {
		t.Errorf("the attempt after: %v, want throttled", err)
	}
	if err := s.ReleaseLoginAttempt(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	if err := reserve(); err != nil {
		t.Errorf("after a release: %v, want its slot back", err)
	}
	clock.Add(time.Hour)
	if err := s.ReserveLoginAttempt(t.Context(), threads.LoginBudget{Key: "client:192.0.2.2", Burst: 3, Per: time.Minute}); err != nil {
		t.Fatal(err)
	}
	var rows int
	threads.DBOf(s).Get(&rows, `SELECT count(*) FROM login_throttle`)
	if rows != 1 {
		t.Errorf("%d budgets kept, want the drained one forgotten", rows)
	}
}
