package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"mailbot/web"
)

// Strict-Transport-Security and Secure cookies go with HTTPS: the server's
// own, or a trusted proxy's word for it; never over plain HTTP, nor on the
// word of a client.
func TestHSTSAndSecureCookiesOverHTTPS(t *testing.T) {
	t.Parallel()
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	cases := []struct {
		name    string
		trusted []netip.Prefix
		tls     bool
		proto   string
		want    bool
	}{
		{name: "plain HTTP", want: false},
		{name: "plain HTTP, header from an untrusted client", proto: "https", want: false},
		{name: "behind a trusted proxy over HTTPS", trusted: loopback, proto: "https", want: true},
		{name: "behind a trusted proxy over HTTP", trusted: loopback, proto: "http", want: false},
		{name: "HTTPS", tls: true, want: true},
	}
	for _, c := range cases {
		f := newFixtureWith(t, web.Options{TrustedProxies: c.trusted})
		cl := f.client(t)
		if c.tls {
			srv := httptest.NewUnstartedServer(f.srv.Config.Handler)
			srv.StartTLS()
			defer srv.Close()
			cl.base, cl.http.Transport = srv.URL, srv.Client().Transport
		}
		var header []string
		if c.proto != "" {
			header = []string{"X-Forwarded-Proto", c.proto}
		}
		_, _, h := cl.do("GET", "/login", nil, header...)
		if got := h.Get("Strict-Transport-Security"); (got != "") != c.want || (c.want && !strings.Contains(got, "max-age=")) {
			t.Errorf("%s: Strict-Transport-Security %q, want it: %v", c.name, got, c.want)
		}
		code, _, h := cl.do("POST", "/login", url.Values{"email": {"avery@firm.test"}, "password": {password}}, header...)
		cookie := h.Get("Set-Cookie")
		if code != http.StatusSeeOther || strings.Contains(cookie, "Secure") != c.want {
			t.Errorf("%s: sign-in %d with cookie %q, want Secure: %v", c.name, code, cookie, c.want)
		}
	}
}
