package senderauth

import (
	"fmt"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"
)

// verdicts gathers the trusted results for one From domain. Each method is
// taken from the topmost trusted field that reports it, and from that field
// alone: a receiving server adds its field above the ones that came with
// the mail, so a forged field further down never adds to what it said.
type verdicts struct {
	dmarc             *authres.DMARCResult
	dkimPass, spfPass string // an aligned domain that passed
	dkimFail, spfFail string // an aligned domain that failed
	claimed           map[string]bool
	server            string
}

// fromResults reads the trusted Authentication-Results fields; ok is false
// when there are none.
func (c *Checker) fromResults(h textproto.Header, domain string) (Result, bool) {
	if len(c.trusted) == 0 {
		return Result{}, false
	}
	v := verdicts{claimed: map[string]bool{}}
	found := false
	for _, field := range h.Values("Authentication-Results") {
		id, results, err := authres.Parse(stripComments(field))
		if err != nil || !c.trusted[strings.ToLower(id)] {
			continue
		}
		if !found {
			v.server, found = id, true
		}
		v.add(results, domain)
	}
	if !found {
		return Result{}, false
	}
	return v.result(domain), true
}

// add takes from one field the methods no field above reported.
func (v *verdicts) add(results []authres.Result, domain string) {
	here := map[string]bool{}
	for _, r := range results {
		method := methodOf(r)
		if method == "" || v.claimed[method] {
			continue
		}
		here[method] = true
		switch r := r.(type) {
		case *authres.DMARCResult:
			// A DMARC result speaks for the domain in its header.from; one
			// for another domain says nothing of this mail's From.
			if v.dmarc == nil && (r.From == "" || strings.EqualFold(strings.TrimSuffix(r.From, "."), domain)) {
				v.dmarc = r
			}
		case *authres.DKIMResult:
			v.dkim(r, domain)
		case *authres.SPFResult:
			v.spf(r, domain)
		}
	}
	for m := range here {
		v.claimed[m] = true
	}
}

func methodOf(r authres.Result) string {
	switch r.(type) {
	case *authres.DMARCResult:
		return "dmarc"
	case *authres.DKIMResult:
		return "dkim"
	case *authres.SPFResult:
		return "spf"
	}
	return ""
}

// stripComments removes RFC 5322 comments, "(...)", which a field may
// carry after any token (amavisd writes one after the authserv-id), and
// which the parser does not read. Quoted strings keep their parentheses.
func stripComments(s string) string {
	var b strings.Builder
	depth, quoted, escaped := 0, false, false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == '"' && depth == 0:
			quoted = !quoted
		case r == '(' && !quoted:
			depth++
			continue
		case r == ')' && !quoted && depth > 0:
			depth--
			continue
		}
		if depth == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (v *verdicts) dkim(r *authres.DKIMResult, domain string) {
	d := r.Domain
	if d == "" {
		d = addressDomain(r.Identifier)
	}
	if !aligned(d, domain) {
		return
	}
	switch {
	case r.Value == authres.ResultPass && v.dkimPass == "":
		v.dkimPass = d
	case failing(r.Value) && v.dkimFail == "":
		v.dkimFail = d
	}
}

func (v *verdicts) spf(r *authres.SPFResult, domain string) {
	d := addressDomain(r.From)
	if d == "" {
		d = strings.ToLower(r.From) // smtp.mailfrom may be a bare domain
	}
	if !aligned(d, domain) {
		return
	}
	switch {
	case r.Value == authres.ResultPass && v.spfPass == "":
		v.spfPass = d
	case failing(r.Value) && v.spfFail == "":
		v.spfFail = d
	}
}

func failing(v authres.ResultValue) bool {
	return v == authres.ResultFail || v == authres.ResultHardFail || v == authres.ResultSoftFail ||
		v == authres.ResultPermError || v == authres.ResultPolicy
}

func (v *verdicts) result(domain string) Result {
	by := fmt.Sprintf(" (%s)", v.server)
	switch {
	case v.dmarc != nil && v.dmarc.Value == authres.ResultPass:
		return Result{Status: Verified, Method: MethodDMARC, Detail: "dmarc=pass header.from=" + domain + by}
	case v.dmarc != nil && v.dmarc.Value == authres.ResultFail:
		return Result{Status: Failed, Method: MethodDMARC, Detail: "dmarc=fail header.from=" + domain + by}
	case v.dkimPass != "":
		return Result{Status: Verified, Method: MethodDKIM, Detail: "dkim=pass header.d=" + v.dkimPass + by}
	case v.spfPass != "":
		return Result{Status: Verified, Method: MethodSPF, Detail: "spf=pass smtp.mailfrom=" + v.spfPass + by}
	case v.dkimFail != "":
		return Result{Status: Failed, Method: MethodDKIM, Detail: "dkim=fail header.d=" + v.dkimFail + ", nothing of " + domain + " passed" + by}
	case v.spfFail != "":
		return Result{Status: Failed, Method: MethodSPF, Detail: "spf=fail smtp.mailfrom=" + v.spfFail + ", nothing of " + domain + " passed" + by}
	}
	return Result{Status: None, Detail: "no result for " + domain + by}
}
