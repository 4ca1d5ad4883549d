// Package testclock is a clock tests move by hand, for stores that take a
// Now function.
package testclock

import (
	"sync"
	"time"
)

// Clock starts at the real time and moves only when told.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock at the current time.
func New() *Clock { return &Clock{t: time.Now()} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
