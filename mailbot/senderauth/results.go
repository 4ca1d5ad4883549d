package senderauth

import (
	"fmt"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"
)

// verdicts gathers the trusted results for one From domain, each method
// taken from the topmost field that reports it: a receiving server adds its
// field above the ones that came with the mail.
type verdicts struct {
	dmarc             *authres.DMARCResult
	dkimPass, spfPass string // an aligned domain that passed
	dkimFail, spfFail string // an aligned domain that failed
	seenDKIM, seenSPF bool
	server            string
}

// fromResults reads the trusted Authentication-Results fields; ok is false
// when there are none.
func (c *Checker) fromResults(h textproto.Header, domain string) (Result, bool) {
	if len(c.trusted) == 0 {
		return Result{}, false
	}
	var v verdicts
	found := false
	for _, field := range h.Values("Authentication-Results") {
		id, results, err := authres.Parse(field)
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

func (v *verdicts) add(results []authres.Result, domain string) {
	for _, r := range results {
		switch r := r.(type) {
		case *authres.DMARCResult:
			if v.dmarc == nil {
				v.dmarc = r
			}
		case *authres.DKIMResult:
			v.dkim(r, domain)
		case *authres.SPFResult:
			v.spf(r, domain)
		}
	}
}

func (v *verdicts) dkim(r *authres.DKIMResult, domain string) {
	d := r.Domain
	if d == "" {
		d = addressDomain(r.Identifier)
	}
	if !aligned(d, domain) {
		return
	}
	v.seenDKIM = true
	switch {
	case r.Value == authres.ResultPass && v.dkimPass == "":
		v.dkimPass = d
	case failing(r.Value) && v.dkimFail == "":
		v.dkimFail = d
	}
}

func (v *verdicts) spf(r *authres.SPFResult, domain string) {
	if v.seenSPF { // one SPF check per mail: the topmost is the receiver's
		return
	}
	d := addressDomain(r.From)
	if d == "" {
		d = strings.ToLower(r.From) // smtp.mailfrom may be a bare domain
	}
	if !aligned(d, domain) {
		return
	}
	v.seenSPF = true
	switch {
	case r.Value == authres.ResultPass:
		v.spfPass = d
	case failing(r.Value):
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
