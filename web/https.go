package web

import (
	"net/http"
	"net/netip"
	"strings"
)

// overHTTPS says the client reached the service over HTTPS: on the
// server's own TLS, or through a trusted proxy whose X-Forwarded-Proto
// says so. From anyone else the header is ignored.
func overHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	if r.TLS != nil {
		return true
	}
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil || !trustedProxy(peer.Addr().Unmap(), trusted) {
		return false
	}
	// A proxy that appends rather than replaces puts its own word last.
	protos := forwardedFor(r.Header.Values("X-Forwarded-Proto"))
	return len(protos) > 0 && strings.EqualFold(protos[len(protos)-1], "https")
}

// secure says whether the cookies of r's answer are Secure.
func (s *Server) secure(r *http.Request) bool {
	return s.opts.SecureCookies || overHTTPS(r, s.opts.TrustedProxies)
}
