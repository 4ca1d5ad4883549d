package senderauth

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-msgauth/dmarc"
	"golang.org/x/net/publicsuffix"
)

// policy is what a From domain asks receivers to do with mail that no
// aligned check vouches for.
type policy struct {
	enforced bool   // quarantine or reject
	name     string // "reject", "quarantine", "none"; "" without a record
	temp     bool   // the lookup failed for a passing reason
}

// dmarcPolicy looks up the DMARC record of the From domain, then of its
// organisational domain (RFC 7489 6.6.3), remembering answers for a while.
func (c *Checker) dmarcPolicy(ctx context.Context, domain string) policy {
	if p, ok := c.policies.get(domain); ok {
		return p
	}
	lookup := func(name string) ([]string, error) { return c.lookup(ctx, name) }
	p := fetchPolicy(domain, lookup, false)
	if org, err := publicsuffix.EffectiveTLDPlusOne(domain); p.name == "" && !p.temp && err == nil && org != domain {
		p = fetchPolicy(org, lookup, true)
	}
	if !p.temp {
		c.policies.put(domain, p)
	}
	return p
}

func fetchPolicy(domain string, lookup func(string) ([]string, error), sub bool) policy {
	rec, err := dmarc.LookupWithOptions(domain, &dmarc.LookupOptions{LookupTXT: lookup})
	switch {
	case errors.Is(err, dmarc.ErrNoPolicy):
		return policy{}
	case err != nil && dmarc.IsTempFail(err):
		return policy{temp: true}
	case err != nil:
		return policy{} // no record, or one that does not parse: no policy
	}
	p := rec.Policy
	if sub && rec.SubdomainPolicy != "" {
		p = rec.SubdomainPolicy
	}
	return policy{enforced: p == dmarc.PolicyReject || p == dmarc.PolicyQuarantine, name: string(p)}
}

// policyCache keeps DMARC answers for ten minutes, so a busy sender's
// domain is not asked for every mail.
type policyCache struct {
	mu      sync.Mutex
	entries map[string]cachedPolicy
}

type cachedPolicy struct {
	policy
	until time.Time
}

const policyTTL = 10 * time.Minute

func (pc *policyCache) get(domain string) (policy, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e, ok := pc.entries[domain]
	if !ok || time.Now().After(e.until) {
		return policy{}, false
	}
	return e.policy, true
}

func (pc *policyCache) put(domain string, p policy) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.entries == nil || len(pc.entries) > 10000 {
		pc.entries = map[string]cachedPolicy{}
	}
	pc.entries[domain] = cachedPolicy{policy: p, until: time.Now().Add(policyTTL)}
}

// specialUse are the top-level names that never resolve in public DNS
// (RFC 2606, RFC 6761): the system resolver is not asked about them.
var specialUse = []string{".test", ".example", ".invalid", ".localhost", ".local"}

// systemLookup is the system resolver, answering "not found" at once for
// special-use names.
func systemLookup(ctx context.Context, name string) ([]string, error) {
	lower := strings.ToLower(strings.TrimSuffix(name, "."))
	for _, s := range specialUse {
		if strings.HasSuffix(lower, s) {
			return nil, &net.DNSError{Err: "special-use name, not looked up", Name: name, IsNotFound: true}
		}
	}
	return net.DefaultResolver.LookupTXT(ctx, name)
}
