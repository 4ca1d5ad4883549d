// Package backoff computes how long to wait before trying again: a delay
// that doubles from a base up to a ceiling, spread by jitter so that many
// failures at once do not retry at once.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy doubles from Base, once per failure, up to Most.
type Policy struct {
	Base, Most time.Duration
}

// Delay is the wait after the nth failure in a row (n from 1), without
// jitter: Base, 2×Base, 4×Base, … never more than Most.
func (p Policy) Delay(n int) time.Duration {
	d := p.Base
	for i := 1; i < n && d < p.Most; i++ {
		d *= 2
	}
	return min(d, p.Most)
}

// Wait is Delay(n) with jitter.
func (p Policy) Wait(n int) time.Duration { return Jitter(p.Delay(n)) }

// Jitter spreads d over [d/2, d].
func Jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// Sleep waits d, or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
