// Package senderauth decides whether a mail's From domain really sent it:
// from the Authentication-Results of a receiving server the operator trusts
// (RFC 8601), or, without them, by verifying the mail's DKIM signatures.
package senderauth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"
	"golang.org/x/net/publicsuffix"
)

// Status is what the check found.
type Status string

// Statuses. A mail is verified only when a check aligned with its From
// domain passed.
const (
	// Verified: DMARC passed, or a DKIM signature or SPF check of the From
	// domain (or its organisation's) passed.
	Verified Status = "verified"
	// None: nothing vouches for the sender, and nothing says it is forged
	// (no signature, no results, or only results for other domains).
	None Status = "none"
	// Failed: DMARC failed, or the From domain's own DKIM or SPF failed
	// with nothing of that domain passing. The mail may be forged.
	Failed Status = "fail"
)

// Method names what settled a Verified or Failed result.
type Method string

// Methods.
const (
	MethodDMARC Method = "dmarc"
	MethodDKIM  Method = "dkim"
	MethodSPF   Method = "spf"
)

// Result is the outcome of a check.
type Result struct {
	Status Status
	Method Method // for Verified and Failed
	// Detail says in words what was read, for the admin log:
	// "dmarc=fail header.from=client.test (mx.example.test)".
	Detail string
}

// Code is the short form stored with a mail and its message: the method
// for a verified sender, else the status.
func (r Result) Code() string {
	if r.Status == Verified {
		return string(r.Method)
	}
	return string(r.Status)
}

// Mode says what the service does with a result.
type Mode string

// Modes.
const (
	// Report records every result and refuses nothing.
	Report Mode = "report"
	// Enforce refuses mail whose authentication failed; mail that nothing
	// vouches for is posted, marked not verified.
	Enforce Mode = "enforce"
	// Require refuses every mail that is not verified.
	Require Mode = "require"
)

// ParseMode reads a mode's name.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case Report, Enforce, Require:
		return m, nil
	}
	return "", fmt.Errorf("%q is not one of report, enforce, require", s)
}

// Refuses reports whether the mode refuses a mail with this result.
func (m Mode) Refuses(r Result) bool {
	switch m {
	case Enforce:
		return r.Status == Failed
	case Require:
		return r.Status != Verified
	}
	return false
}

// Options configure a Checker.
type Options struct {
	// AuthservIDs are the authserv-ids of the receiving servers whose
	// Authentication-Results are trusted (mx.google.com, the host's
	// OpenDMARC or rspamd id). Any other such field is ignored: anyone can
	// write one. Empty: the Checker verifies DKIM itself.
	AuthservIDs []string
	// LookupTXT resolves DNS TXT records for DKIM keys; default the
	// system resolver.
	LookupTXT func(ctx context.Context, name string) ([]string, error)
	// Timeout bounds the DNS work of one mail; default 5s.
	Timeout time.Duration
}

// Checker checks mail.
type Checker struct {
	trusted  map[string]bool
	lookup   func(ctx context.Context, name string) ([]string, error)
	timeout  time.Duration
	policies policyCache
}

// NewChecker returns a Checker.
func NewChecker(opts Options) *Checker {
	c := &Checker{trusted: map[string]bool{}, lookup: opts.LookupTXT, timeout: opts.Timeout}
	for _, id := range opts.AuthservIDs {
		if id = strings.ToLower(strings.TrimSpace(id)); id != "" {
			c.trusted[id] = true
		}
	}
	if c.lookup == nil {
		c.lookup = systemLookup
	}
	if c.timeout <= 0 {
		c.timeout = 5 * time.Second
	}
	return c
}

// Check decides whether the domain of from sent the mail. raw is the whole
// mail; h its parsed header. Trusted Authentication-Results decide when
// there are any. Otherwise the service checks what it can without the
// connection the mail came by: the mail's DKIM signatures, and, when none
// of the From domain verifies, that domain's DMARC policy. A domain that
// asks for quarantine or rejection of mail it did not sign fails (SPF,
// which needs the sending server's address, cannot vouch here).
func (c *Checker) Check(ctx context.Context, raw []byte, h textproto.Header, from string) Result {
	domain := addressDomain(from)
	if domain == "" {
		return Result{Status: None, Detail: "the From address has no domain"}
	}
	if r, ok := c.fromResults(h, domain); ok {
		return r
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	r := Result{Status: None, Detail: "no DKIM signature"}
	if h.Has("DKIM-Signature") {
		if r = c.verifyDKIM(ctx, raw, domain); r.Status == Verified {
			return r
		}
	}
	switch p := c.dmarcPolicy(ctx, domain); {
	case p.enforced:
		return Result{Status: Failed, Method: MethodDMARC,
			Detail: "dmarc=fail header.from=" + domain + " (policy " + p.name + "; " + r.Detail + "; checked by the service)"}
	case p.temp:
		r.Detail += "; the DMARC policy could not be looked up"
	}
	return r
}

func addressDomain(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(addr[at+1:]), "."))
}

// aligned reports relaxed alignment (RFC 7489 3.1): the two domains share
// their organisational domain.
func aligned(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSuffix(a, ".")), strings.ToLower(strings.TrimSuffix(b, "."))
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	oa, err1 := publicsuffix.EffectiveTLDPlusOne(a)
	ob, err2 := publicsuffix.EffectiveTLDPlusOne(b)
	return err1 == nil && err2 == nil && oa == ob
}
