package inbound

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Addressing says how the service's reply addresses and Message-IDs look.
type Addressing struct {
	// ReplyPattern is the reply address with {token} where the token goes:
	// "reply+{token}@reply.example.com".
	ReplyPattern string
	// IDDomain is the domain of the Message-IDs the service sends.
	IDDomain string
	// OwnAddresses are the service's sender addresses.
	OwnAddresses []string
}

// Candidate is one place a mail names a conversation: a reply token, or one
// of the service's own Message-IDs (MailID, its local part).
type Candidate struct {
	Token  string `json:"token,omitempty"`
	MailID string `json:"mail_id,omitempty"`
	Field  string `json:"field"`
}

// Matcher finds candidates in mails.
type Matcher struct {
	reply       *regexp.Regexp
	refToken    *regexp.Regexp
	ownID       *regexp.Regexp
	secrets     *regexp.Regexp // reply addresses and mute links in text
	bounce      *regexp.Regexp // signed envelope senders of notifications
	own         map[string]bool
	replyDomain string
}

// RecipientFields are searched for reply addresses, in this order, after
// the SMTP envelope's recipients.
var RecipientFields = []string{"To", "Cc", "Delivered-To", "X-Original-To", "X-Forwarded-To", "Envelope-To", "X-Envelope-To"}

// NewMatcher compiles the addressing.
func NewMatcher(a Addressing) (*Matcher, error) {
	before, after, ok := strings.Cut(strings.ToLower(a.ReplyPattern), "{token}")
	at := strings.LastIndexByte(after, '@')
	if !ok || at < 0 || strings.Contains(after, "{token}") {
		return nil, fmt.Errorf("inbound: reply pattern %q needs one {token} before the @", a.ReplyPattern)
	}
	m := &Matcher{replyDomain: after[at+1:], own: map[string]bool{}}
	domain := regexp.QuoteMeta(m.replyDomain)
	if m.replyDomain == "*" { // any domain: for reading mail without a configuration
		domain = `[^@\s]+`
	}
	m.reply = regexp.MustCompile(`^` + regexp.QuoteMeta(before) + `([a-z2-7]{32})` + regexp.QuoteMeta(after[:at+1]) + domain + `$`)
	m.bounce = regexp.MustCompile(`^` + regexp.QuoteMeta(before) + `(b[0-9]{1,18}-[0-9a-f]{16})` + regexp.QuoteMeta(after[:at+1]) + domain + `$`)
	m.refToken = regexp.MustCompile(`^reply-([a-z2-7]{32})@` + domain + `$`)
	m.secrets = regexp.MustCompile(`(?i)(` + loose(before) + `|reply-)[a-z2-7]{32}` + loose(after[:at+1]) + looseDomain(m.replyDomain) +
		`|(?:https?://)?[^\s<>"']*/unsubscribe/[0-9]+` + loose(".") + `[0-9]+` + loose(".") + `[0-9a-f]{32}`)
	m.ownID = regexp.MustCompile(`^([0-9a-f]{32})@` + regexp.QuoteMeta(strings.ToLower(a.IDDomain)) + `$`)
	for _, addr := range a.OwnAddresses {
		m.own[strings.ToLower(addr)] = true
	}
	return m, nil
}

// Candidates lists, in order of trust, the tokens and own Message-IDs the
// mail names: first the envelope recipients, then the recipient fields,
// then In-Reply-To and References. Token case is ignored.
func (mt *Matcher) Candidates(m *Message, envelope []string) []Candidate {
	var out []Candidate
	seen := map[string]bool{}
	add := func(c Candidate) {
		key := c.Token + "|" + c.MailID
		if !seen[key] {
			seen[key] = true
			out = append(out, c)
		}
	}
	for _, addr := range envelope {
		if sub := mt.reply.FindStringSubmatch(strings.ToLower(addr)); sub != nil {
			add(Candidate{Token: sub[1], Field: "envelope"})
		}
	}
	for _, field := range RecipientFields {
		for _, addr := range m.Addresses(field) {
			if sub := mt.reply.FindStringSubmatch(addr); sub != nil {
				add(Candidate{Token: sub[1], Field: field})
			}
		}
	}
	for _, field := range []string{"In-Reply-To", "References"} {
		for _, id := range m.msgIDs(field) {
			id = strings.ToLower(id)
			if sub := mt.refToken.FindStringSubmatch(id); sub != nil {
				add(Candidate{Token: sub[1], Field: field})
			} else if sub := mt.ownID.FindStringSubmatch(id); sub != nil {
				add(Candidate{MailID: sub[1], Field: field})
			}
		}
	}
	return out
}

// loose matches s also where a link percent-encodes its punctuation
// (mailto:reply%2B…%40…), which a mail client or a browser decodes.
func loose(s string) string {
	var b strings.Builder
	for _, r := range s {
		q := regexp.QuoteMeta(string(r))
		if strings.ContainsRune("+@.-_", r) {
			q = fmt.Sprintf("(?:%s|%%%02x)", q, r)
		}
		b.WriteString(q)
	}
	return b.String()
}

func looseDomain(d string) string {
	if d == "*" {
		return `[^@\s]+`
	}
	return loose(d)
}

// Redacted replaces the service's reply addresses and unsubscribe links in
// text (they come back in the quoted history of replies) with a placeholder,
// so a thread never shows the other side something that acts for someone.
func (mt *Matcher) Redacted(text string) string {
	return mt.secrets.ReplaceAllStringFunc(text, func(s string) string {
		if strings.Contains(strings.ToLower(s), "/unsubscribe/") {
			return "[unsubscribe link removed]"
		}
		return "[reply address removed]"
	})
}

// BounceTokens lists the notification envelope senders (VERP) a mail is
// addressed to: a delivery failure report comes back to one of them.
func (mt *Matcher) BounceTokens(m *Message, envelope []string) []string {
	var out []string
	addrs := append([]string(nil), envelope...)
	addrs = append(addrs, m.Addresses(RecipientFields...)...)
	for _, a := range addrs {
		if tok, ok := mt.IsBounceAddress(a); ok && !slices.Contains(out, tok) {
			out = append(out, tok)
		}
	}
	return out
}

// IsBounceAddress reports whether addr is a notification's envelope sender
// (VERP) and returns its bounce token, unchecked.
func (mt *Matcher) IsBounceAddress(addr string) (string, bool) {
	sub := mt.bounce.FindStringSubmatch(strings.ToLower(strings.Trim(addr, "<> ")))
	if sub == nil {
		return "", false
	}
	return sub[1], true
}

// IsReplyAddress reports whether addr is a reply address and returns its token.
func (mt *Matcher) IsReplyAddress(addr string) (string, bool) {
	sub := mt.reply.FindStringSubmatch(strings.ToLower(strings.Trim(addr, "<> ")))
	if sub == nil {
		return "", false
	}
	return sub[1], true
}

// OwnMailID returns the local part of the mail's Message-ID when the
// service sent it, so a notification that comes back is never posted.
func (mt *Matcher) OwnMailID(m *Message) (string, bool) {
	if sub := mt.ownID.FindStringSubmatch(strings.ToLower(m.MessageID)); sub != nil {
		return sub[1], true
	}
	return "", false
}

// FromUs reports whether the mail claims to come from one of the service's
// own addresses or one of its reply addresses.
func (mt *Matcher) FromUs(m *Message) bool {
	_, reply := mt.IsReplyAddress(m.From)
	return mt.own[m.From] || reply
}
