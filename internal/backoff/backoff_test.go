package backoff

import (
	"context"
	"testing"
	"time"
)

func TestDelayDoublesUpToTheCeiling(t *testing.T) {
	p := Policy{Base: time.Second, Most: 10 * time.Second}
	for n, want := range map[int]time.Duration{0: time.Second, 1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 60: 10 * time.Second} {
		if got := p.Delay(n); got != want {
			t.Errorf("Delay(%d) = %v, want %v", n, got, want)
		}
	}
	for range 1000 {
		if w := p.Wait(3); w < 2*time.Second || w > 4*time.Second {
			t.Fatalf("Wait(3) = %v, outside [2s, 4s]", w)
		}
	}
	if Jitter(0) != 0 {
		t.Error("Jitter(0) is not 0")
	}
}

func TestSleepStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	done := make(chan struct{})
	go func() { Sleep(ctx, time.Hour); close(done) }()
	<-done // a Sleep that ignored ctx would hang the test until its timeout
}
