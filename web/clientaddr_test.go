package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddr(t *testing.T) {
	t.Parallel()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	cases := []struct {
		name    string
		peer    string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"no proxies trusted: the peer, whatever the header says", "192.0.2.7:4000", []string{"198.51.100.1"}, nil, "192.0.2.7"},
		{"an untrusted peer's header is ignored", "192.0.2.7:4000", []string{"198.51.100.1"}, proxies, "192.0.2.7"},
		{"a trusted proxy: the address it saw", "10.0.0.2:4000", []string{"198.51.100.1"}, proxies, "198.51.100.1"},
		{"forged entries left of the proxy's are ignored", "10.0.0.2:4000", []string{"203.0.113.9, 198.51.100.1"}, proxies, "198.51.100.1"},
		{"a chain of trusted proxies", "10.0.0.2:4000", []string{"203.0.113.9, 198.51.100.1, 10.1.1.1", "10.2.2.2"}, proxies, "198.51.100.1"},
		{"entries with ports", "10.0.0.2:4000", []string{"198.51.100.1:5555"}, proxies, "198.51.100.1"},
		{"a trusted proxy without the header", "10.0.0.2:4000", nil, proxies, "10.0.0.2"},
		{"every entry a trusted proxy: the left-most", "10.0.0.2:4000", []string{"10.9.9.9, 10.1.1.1"}, proxies, "10.9.9.9"},
		{"IPv6 clients by their /64", "[2001:db8:1:2:3:4:5:6]:4000", nil, proxies, "2001:db8:1:2::/64"},
		{"IPv6 behind an IPv6 proxy", "[2001:db8:ffff::1]:4000", []string{"[2001:db8:7:7::9]:443"}, proxies, "2001:db8:7:7::/64"},
		{"IPv4-mapped peers are IPv4", "[::ffff:10.0.0.2]:4000", []string{"198.51.100.1"}, proxies, "198.51.100.1"},
		{"an entry a proxy garbled", "10.0.0.2:4000", []string{"203.0.113.9, unknown"}, proxies, "unparsed:unknown"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/login", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientAddr(r, c.trusted); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
