package web_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"mailbot/threads"
	"mailbot/web"
)

// passwordChecks counts the password comparisons sign-in makes, and remembers
// the cost of the hashes they were made against.
type passwordChecks struct {
	n     atomic.Int64
	costs atomic.Int64 // sum of the hashes' bcrypt costs
}

func (c *passwordChecks) check(hash, password []byte) error {
	c.n.Add(1)
	cost, _ := bcrypt.Cost(hash)
	c.costs.Add(int64(cost))
	return bcrypt.CompareHashAndPassword(hash, password)
}

// An unknown address, a person without a password and a wrong password all
// cost one password comparison at the real cost, so the answer's time does
// not tell which accounts exist.
func TestSignInDoesThePasswordWorkForEveryAddress(t *testing.T) {
	t.Parallel()
	var checks passwordChecks
	f := newFixtureWith(t, web.Options{CheckPassword: checks.check})
	if _, err := f.store.UpsertPerson(t.Context(), threads.PersonInput{ExternalID: "nopw", Name: "Nell Nopass",
		Emails: []threads.EmailAddress{{Address: "nell@acme.test", Verified: true}}}); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	for _, email := range []string{"nobody@acme.test", "nell@acme.test", "not an address", "ana@acme.test"} {
		before, costs := checks.n.Load(), checks.costs.Load()
		code, _, _ := c.do("POST", "/login", url.Values{"email": {email}, "password": {"not the password"}})
		if code != http.StatusUnauthorized {
			t.Errorf("sign-in as %q: %d, want 401", email, code)
		}
		if n, cost := checks.n.Load()-before, checks.costs.Load()-costs; n != 1 || cost != int64(bcrypt.DefaultCost) {
			t.Errorf("sign-in as %q made %d password checks of total cost %d, want 1 of cost %d", email, n, cost, bcrypt.DefaultCost)
		}
	}
}

// behindProxy is a web server that trusts the test's loopback peer as its
// reverse proxy, so a client's address is the X-Forwarded-For it sends.
func behindProxy(t *testing.T, checks *passwordChecks) *fixture {
	return newFixtureWith(t, web.Options{CheckPassword: checks.check,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
}

// signIn posts the sign-in form as a client at addr and returns the status.
func (c *client) signIn(addr, email, password string) int {
	c.t.Helper()
	code, _, _ := c.do("POST", "/login", url.Values{"email": {email}, "password": {password}}, "X-Forwarded-For", addr)
	return code
}

// accountClientBurst is how many sign-ins one client may try on one account
// before it is slowed down.
const accountClientBurst = 10

// Attempts made at once are counted before their passwords are checked, so
// a burst gets no more checks than the budget allows; and one client's
// failures do not keep the account's owner out from elsewhere.
func TestSignInAttemptsAreCountedBeforeTheCheck(t *testing.T) {
	t.Parallel()
	var checks passwordChecks
	f := behindProxy(t, &checks)
	f.db.SetMaxOpenConns(24) // a burst waits for connections, not for a Postgres with room for all
	var wg sync.WaitGroup
	var refused, throttled atomic.Int64
	for range 100 {
		wg.Go(func() {
			switch code := f.client(t).signIn("203.0.113.7", "ana@acme.test", "a guess"); code {
			case http.StatusUnauthorized:
				refused.Add(1)
			case http.StatusTooManyRequests:
				throttled.Add(1)
			default:
				t.Errorf("wrong password: %d", code)
			}
		})
	}
	wg.Wait()
	if n := checks.n.Load(); n > accountClientBurst || n != refused.Load() || refused.Load()+throttled.Load() != 100 {
		t.Errorf("100 attempts at once: %d password checks, %d refused, %d throttled; want at most %d checks, the rest throttled",
			n, refused.Load(), throttled.Load(), accountClientBurst)
	}
	if code := f.client(t).signIn("203.0.113.7", "ana@acme.test", password); code != http.StatusTooManyRequests {
		t.Errorf("the right password from the guessing client: %d, want 429", code)
	}
	if code := f.client(t).signIn("198.51.100.20", "ana@acme.test", password); code != http.StatusSeeOther {
		t.Errorf("the right password from another client: %d, want a sign-in", code)
	}
}

// Failures on made-up accounts do not keep out the others behind one
// address (an office, a proxy); a client over its budget for one account is
// told when to come back.
func TestSignInThrottleIsPerAccountAndClient(t *testing.T) {
	t.Parallel()
	var checks passwordChecks
	f := behindProxy(t, &checks)
	c := f.client(t)
	for i := range 5 {
		if code := c.signIn("192.0.2.50", fmt.Sprintf("made-up-%d@acme.test", i), "a guess"); code != http.StatusUnauthorized {
			t.Fatalf("made-up account: %d", code)
		}
	}
	if code := c.signIn("192.0.2.50", "bruno@bolt.test", password); code != http.StatusSeeOther {
		t.Errorf("sign-in after made-up accounts failed from the same address: %d", code)
	}
	for range accountClientBurst {
		if code := c.signIn("192.0.2.60", "ana@acme.test", "a guess"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", code)
		}
	}
	code, body, h := c.do("POST", "/login", url.Values{"email": {"ana@acme.test"}, "password": {password}}, "X-Forwarded-For", "192.0.2.60")
	if wait, _ := strconv.Atoi(h.Get("Retry-After")); code != http.StatusTooManyRequests || wait <= 0 || !strings.Contains(body, "Try again in") {
		t.Errorf("sign-in over the budget: %d, Retry-After %q; want 429 saying when to try again", code, h.Get("Retry-After"))
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.client(t)
	d.login("avery@firm.test", "/")
	d.do("POST", "/logout", url.Values{})
	if code, _, _ := d.do("GET", "/", nil); code != http.StatusSeeOther {
		t.Errorf("after sign-out: %d, want a redirect to sign in", code)
	}
}
