package web

import (
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr names the client a request came from, for throttling: the
// peer's address, or, when the peer is a proxy the operator trusts, the
// right-most X-Forwarded-For address that is not such a proxy. Each proxy
// appends the address it saw, so entries further left are whatever the
// client chose to send. An IPv6 client is named by its /64, which one
// machine can fill with addresses at will.
func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	addr := peer.Addr().Unmap()
	if !trustedProxy(addr, trusted) {
		return clientName(addr)
	}
	hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			// Written by a trusted proxy, so not the client's doing: the
			// text is the best name there is.
			return "unparsed:" + hops[i]
		}
		addr = hop
		if !trustedProxy(addr, trusted) {
			break
		}
	}
	return clientName(addr)
}

func trustedProxy(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// forwardedFor splits X-Forwarded-For headers, in order, into their entries.
func forwardedFor(headers []string) []string {
	var hops []string
	for _, h := range headers {
		for hop := range strings.SplitSeq(h, ",") {
			if hop = strings.TrimSpace(hop); hop != "" {
				hops = append(hops, hop)
			}
		}
	}
	return hops
}

// parseHop reads an X-Forwarded-For entry: an address, or one with a port.
func parseHop(hop string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(hop); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(hop); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func clientName(addr netip.Addr) string {
	if addr.Is6() {
		p, _ := addr.WithZone("").Prefix(64)
		return p.String()
	}
	return addr.String()
}
