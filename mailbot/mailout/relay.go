package mailout

import (
	"sync"
	"time"

	"mailbot/internal/backoff"
)

// RelayStatus is what the workers last learned of the SMTP relay.
type RelayStatus struct {
	LastSent    time.Time // last notification the relay accepted
	LastError   string    // last failed delivery, for whatever reason
	LastErrorAt time.Time
	// Down is set while a problem of the relay's own (TLS, AUTH) holds
	// every notification back; RetryAt is when the workers try again.
	Down    bool
	RetryAt time.Time
}

// Relay is the relay's health as the workers of one process see it; they
// share it, so a relay-wide problem pauses them all. The zero value is
// ready to use.
type Relay struct {
	mu       sync.Mutex
	status   RelayStatus
	failures int // relay-wide failures in a row
}

// Status returns a copy of the relay's health.
func (r *Relay) Status() RelayStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// pause is how long the workers should still leave the relay alone.
func (r *Relay) pause() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.status.Down {
		return 0
	}
	return max(time.Until(r.status.RetryAt), 0)
}

func (r *Relay) sent() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status.LastSent, r.status.Down, r.failures = time.Now(), false, 0
}

func (r *Relay) failed(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status.LastError, r.status.LastErrorAt = err.Error(), time.Now()
}

// down records a relay-wide problem and returns how long to leave the
// relay alone: from base, doubling with each such failure in a row, up to
// most, with jitter.
func (r *Relay) down(err error, base, most time.Duration) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	r.status.LastError, r.status.LastErrorAt = err.Error(), now
	if r.status.Down && now.Before(r.status.RetryAt) {
		return r.status.RetryAt.Sub(now) // another worker met it first
	}
	r.failures++
	d := backoff.Policy{Base: base, Most: most}.Wait(r.failures)
	r.status.Down, r.status.RetryAt = true, now.Add(d)
	return d
}
