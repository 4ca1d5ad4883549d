package senderauth

import (
	"bytes"
	"context"
	"errors"

	"github.com/emersion/go-msgauth/dkim"
)

// maxSignatures bounds the DNS lookups one mail can cause.
const maxSignatures = 5

// verifyDKIM checks the mail's signatures. A valid one whose domain aligns
// with the From domain verifies the sender; an aligned one that is invalid
// (the mail was changed, or the signature forged) fails it, unless another
// aligned one passed. A lookup that timed out or failed for a passing
// reason leaves the sender not verified, never failed.
func (c *Checker) verifyDKIM(ctx context.Context, raw []byte, domain string) Result {
	lookup := func(name string) ([]string, error) { return c.lookup(ctx, name) }
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(crlf(raw)), &dkim.VerifyOptions{
		LookupTXT: lookup, MaxVerifications: maxSignatures})
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		return Result{Status: None, Detail: "DKIM signatures could not be read: " + err.Error()}
	}
	var failed, temp *dkim.Verification
	for _, v := range vs {
		switch {
		case !aligned(v.Domain, domain):
		case v.Err == nil:
			return Result{Status: Verified, Method: MethodDKIM, Detail: "dkim=pass header.d=" + v.Domain + " (checked by the service)"}
		case dkim.IsTempFail(v.Err) && temp == nil:
			temp = v
		case !dkim.IsTempFail(v.Err) && failed == nil:
			failed = v
		}
	}
	switch {
	case failed != nil:
		return Result{Status: Failed, Method: MethodDKIM,
			Detail: "dkim=fail header.d=" + failed.Domain + ": " + failed.Err.Error() + " (checked by the service)"}
	case temp != nil:
		return Result{Status: None, Detail: "dkim=temperror header.d=" + temp.Domain + ": " + temp.Err.Error()}
	}
	return Result{Status: None, Detail: "no DKIM signature of " + domain}
}

// crlf writes bare line feeds as CRLF: mail handed over by a pipe or an
// LMTP hop may have lost its carriage returns, which signatures cover.
func crlf(raw []byte) []byte {
	if bytes.Count(raw, []byte("\n")) == bytes.Count(raw, []byte("\r\n")) {
		return raw
	}
	out := make([]byte, 0, len(raw)+bytes.Count(raw, []byte("\n")))
	for i, b := range raw {
		if b == '\n' && (i == 0 || raw[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, b)
	}
	return out
}
