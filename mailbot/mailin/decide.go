package mailin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mailbot/mailbot/inbound"
	"mailbot/mailbot/replytext"
	"mailbot/threads"
)

// decision is what the pipeline will record, post and notify for a mail.
type decision struct {
	rec    threads.InboundRecord
	post   *threads.NewMessage
	notice *threads.RejectionNotice
}

// target is the conversation a mail was matched to, and who wrote it.
type target struct {
	personID, txnID, companyID int64
	recipientID                int64 // known when matched by a notification's Message-ID
	rc                         *threads.ReplyContext
}

// decide reads the mail and settles everything up to the post. Errors are
// transient: the store could not answer.
func (p *Pipeline) decide(ctx context.Context, in mail) (decision, error) {
	if in.tooLarge {
		return p.decideTooLarge(ctx, in)
	}
	m, err := inbound.Parse(in.raw, p.opts.Limits)
	if err != nil {
		return p.verdict(in, nil, threads.VerdictRejectedMalformed, err.Error()), nil
	}
	d := decision{rec: p.baseRecord(in, m)}
	c := inbound.ClassifyMail(m)
	d.rec.Class = string(c.Class)
	if own, err := p.isOwnMail(ctx, m); err != nil || own {
		return p.settle(d, threads.VerdictIgnoredOwnMail, "the service's own mail"), err
	}
	switch c.Class {
	case inbound.ClassBounce:
		return p.settleReport(d, m, in.envelope, threads.VerdictIgnoredBounce, c.Why), nil
	case inbound.ClassAutoReply:
		return p.settle(d, threads.VerdictIgnoredAutoReply, c.Why), nil
	case inbound.ClassOther:
		if c.Delay {
			return p.settleReport(d, m, in.envelope, threads.VerdictIgnoredOther, c.Why), nil
		}
		if !c.NewMessage {
			return p.settle(d, threads.VerdictIgnoredOther, c.Why), nil
		}
		// A person writing afresh to a transaction's address: their words
		// belong in its thread just as a reply's would.
	}
	return p.decideReply(ctx, d, m, in.raw, in.envelope)
}

// decideTooLarge records a mail over the size limit by its header, and
// tells a known sender of a reply or a new message, unless it is our own.
func (p *Pipeline) decideTooLarge(ctx context.Context, in mail) (decision, error) {
	m, _ := inbound.Parse(in.raw, p.opts.Limits)
	d := p.verdict(in, m, threads.VerdictRejectedTooLarge,
		fmt.Sprintf("%s; the limit is %s", threads.FormatSize(in.size), threads.FormatSize(p.opts.MaxSize)))
	if m == nil {
		return d, nil
	}
	c := inbound.ClassifyMail(m)
	d.rec.Class = string(c.Class)
	if c.Class != inbound.ClassReply && !c.NewMessage {
		return d, nil // a machine's mail (a report, a notice, a list's) is told nothing
	}
	if own, err := p.isOwnMail(ctx, m); err != nil || own {
		return d, err
	}
	var txnID int64
	if t, verdict, err := p.resolve(ctx, p.match.Candidates(m, in.envelope), m.From); err != nil {
		return d, err
	} else if verdict == "" {
		txnID = t.txnID
	}
	return p.withNotice(ctx, d, m, txnID)
}

func (p *Pipeline) decideReply(ctx context.Context, d decision, m *inbound.Message, raw []byte, envelope []string) (decision, error) {
	cands := p.match.Candidates(m, envelope)
	for _, c := range cands {
		if c.Token != "" {
			d.rec.TokenCandidates = append(d.rec.TokenCandidates, c.Token)
		} else {
			d.rec.TokenCandidates = append(d.rec.TokenCandidates, "mid:"+c.MailID)
		}
	}
	t, verdict, err := p.resolve(ctx, cands, m.From)
	if err != nil {
		return d, err
	}
	if verdict != "" {
		return p.withNotice(ctx, p.settle(d, verdict, ""), m, t.txnID)
	}
	d.rec.PersonID, d.rec.TransactionID = t.personID, t.txnID
	rc := t.rc
	if rc == nil {
		c, err := p.store.ReplyContext(ctx, t.personID, t.txnID, m.From)
		if err != nil {
			return d, err
		}
		rc = &c
	}
	switch {
	case m.FromCount != 1 || !rc.VerifiedSender:
		return p.withNotice(ctx, p.settle(d, threads.VerdictRejectedSender,
			"From is not a verified address of the conversation's recipient"), m, t.txnID)
	case !rc.Member:
		return p.withNotice(ctx, p.settle(d, threads.VerdictRejectedNoAccess, ""), m, t.txnID)
	}
	if t.recipientID == 0 {
		t.recipientID = rc.RecipientID
	}
	if t.recipientID == 0 {
		return p.withNotice(ctx, p.settle(d, threads.VerdictRejectedNoAccess, "no one to answer in this conversation"), m, t.txnID)
	}
	// Last, since it may ask DNS: everything else about the reply holds.
	auth := p.opts.SenderAuth.Check(ctx, raw, m.Header, m.From)
	d.rec.SenderAuth, d.rec.SenderAuthDetail = auth.Code(), auth.Detail
	if p.opts.AuthMode.Refuses(auth) {
		return p.withNotice(ctx, p.settle(d, threads.VerdictRejectedForged, auth.Detail), m, t.txnID)
	}
	return p.withPost(d, m, t), nil
}

// resolve finds the first candidate that names a live conversation. When
// none does, the verdict says why, from the most telling candidate, and the
// target is that of an expired or revoked token, if any. A candidate found
// through one of our Message-IDs obeys the token its email carried, so
// revoking or expiring a reply address stops both ways of naming it.
func (p *Pipeline) resolve(ctx context.Context, cands []inbound.Candidate, from string) (target, threads.Verdict, error) {
	if len(cands) == 0 {
		return target{}, threads.VerdictRejectedNoToken, nil
	}
	verdict := threads.VerdictRejectedBadToken
	var stale target
	for _, c := range cands {
		t, err := p.lookup(ctx, c, from)
		switch {
		case err == nil:
			return t, "", nil
		case errors.Is(err, threads.ErrTokenExpired) && verdict == threads.VerdictRejectedBadToken:
			verdict, stale = threads.VerdictRejectedExpired, t
		case errors.Is(err, threads.ErrTokenRevoked) && verdict == threads.VerdictRejectedBadToken:
			verdict, stale = threads.VerdictRejectedRevoked, t
		case errors.Is(err, threads.ErrTokenNotFound), errors.Is(err, threads.ErrNotFound),
			errors.Is(err, threads.ErrTokenExpired), errors.Is(err, threads.ErrTokenRevoked):
		default:
			return target{}, "", err
		}
	}
	return stale, verdict, nil
}

// lookup resolves one candidate: a token in an address, or one of our
// notifications' Message-IDs. Its errors are the store's token errors, with
// the target of an expired or revoked one.
func (p *Pipeline) lookup(ctx context.Context, c inbound.Candidate, from string) (target, error) {
	if c.MailID != "" {
		n, err := p.store.NotificationByMailID(ctx, c.MailID)
		return target{personID: n.RecipientID, txnID: n.TransactionID, companyID: n.CompanyID, recipientID: n.AuthorID}, err
	}
	rt, rc, err := p.store.TokenContext(ctx, c.Token, from)
	t := target{personID: rt.PersonID, txnID: rt.TransactionID, companyID: rt.CompanyID}
	if err == nil {
		t.rc = &rc
	}
	return t, err
}

func (p *Pipeline) withPost(d decision, m *inbound.Message, t target) decision {
	var text replytext.Result
	if sender := senderOf(m); m.HTMLOnly {
		text = replytext.ExtractHTMLWith(m.HTML, sender)
	} else {
		text = p.extract(m.Text, sender)
	}
	d.rec.Verdict = threads.VerdictPosted
	d.rec.Detail = strings.Join(m.Problems, "; ")
	d.post = &threads.NewMessage{TransactionID: t.txnID, AuthorID: t.personID, RecipientID: t.recipientID,
		Body: p.match.Redacted(cleanText(text.Reply)), Source: threads.SourceEmail,
		Elided:     clipText(p.match.Redacted(cleanText(text.Elided)), threads.MaxElidedBytes),
		SenderAuth: d.rec.SenderAuth, Files: postedFiles(m)}
	// A refusal at posting time (left the company meanwhile, kind, empty)
	// still deserves a notice; the sender is the verified person.
	d.notice = &threads.RejectionNotice{PersonID: t.personID, Address: m.From, TransactionID: t.txnID}
	return d
}

// cleanText makes text storable: valid UTF-8, no NUL bytes.
func cleanText(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// withNotice asks for a rejection notice when the sender is a known person
// writing from a verified address. The store links the transaction only if
// they may still see it.
func (p *Pipeline) withNotice(ctx context.Context, d decision, m *inbound.Message, txnID int64) (decision, error) {
	if m == nil || m.From == "" || p.match.FromUs(m) {
		return d, nil
	}
	person, err := p.store.PersonByEmail(ctx, m.From)
	if errors.Is(err, threads.ErrNotFound) || (err == nil && !person.HasVerifiedEmail(m.From)) {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	d.notice = &threads.RejectionNotice{PersonID: person.ID, Address: m.From, TransactionID: txnID}
	return d, nil
}

func (p *Pipeline) isOwnMail(ctx context.Context, m *inbound.Message) (bool, error) {
	if p.match.FromUs(m) {
		return true, nil
	}
	id, ok := p.match.OwnMailID(m)
	if !ok {
		return false, nil
	}
	return p.store.IsOwnMailID(ctx, id)
}

// settleReport records a delivery report, a failure (v is
// VerdictIgnoredBounce) or a delay warning; one addressed to the signed
// envelope sender of a notification marks that notification: bounced for a
// permanent failure, noted for a delay. A report with a forged or missing
// signature marks nothing.
func (p *Pipeline) settleReport(d decision, m *inbound.Message, envelope []string, v threads.Verdict, why string) decision {
	for _, tok := range p.match.BounceTokens(m, envelope) {
		id, err := p.store.ParseBounceToken(tok)
		if err != nil {
			continue
		}
		b := &threads.Bounce{OutboxID: id, Permanent: v == threads.VerdictIgnoredBounce && permanentFailure(m), Status: strings.Join(m.DeliveryStatus, ", "),
			Detail: strings.Join(m.Diagnostics, "; ")}
		if b.Detail == "" {
			b.Detail = clipText(m.Subject, 300)
		}
		d.rec.Bounce = b
		why = fmt.Sprintf("notification %d: %s %s", id, b.Status, b.Detail)
		break
	}
	return p.settle(d, v, why)
}

// permanentFailure reads a report: failed unless every recipient was only
// delayed (or relayed, delivered), or its status says a temporary failure.
func permanentFailure(m *inbound.Message) bool {
	for _, s := range m.DeliveryStatus {
		if strings.HasPrefix(s, "5") {
			return true
		}
	}
	for _, a := range m.DeliveryActions {
		if a == "failed" {
			return true
		}
	}
	return len(m.DeliveryActions) == 0 && len(m.DeliveryStatus) == 0
}

func (p *Pipeline) settle(d decision, v threads.Verdict, detail string) decision {
	d.rec.Verdict, d.rec.Detail = v, detail
	return d
}

// verdict is a decision for a mail that could not be read as a reply.
func (p *Pipeline) verdict(in mail, m *inbound.Message, v threads.Verdict, detail string) decision {
	return p.settle(decision{rec: p.baseRecord(in, m)}, v, detail)
}
