package threads

import "strings"

// Verdict is what became of an inbound mail. The code is shared by the
// inbound log, the admin view and the rejection notice.
type Verdict string

// Verdicts, by class: posted, ignored_*, rejected_*, failed_*.
const (
	VerdictPosted            Verdict = "posted"
	VerdictIgnoredAutoReply  Verdict = "ignored_auto_reply"
	VerdictIgnoredBounce     Verdict = "ignored_bounce"
	VerdictIgnoredOwnMail    Verdict = "ignored_own_mail"
	VerdictIgnoredOther      Verdict = "ignored_other"
	VerdictRejectedNoToken   Verdict = "rejected_no_token"
	VerdictRejectedBadToken  Verdict = "rejected_bad_token"
	VerdictRejectedExpired   Verdict = "rejected_expired_token"
	VerdictRejectedRevoked   Verdict = "rejected_revoked_token"
	VerdictRejectedSender    Verdict = "rejected_sender_mismatch"
	VerdictRejectedForged    Verdict = "rejected_unauthenticated"
	VerdictRejectedNoAccess  Verdict = "rejected_no_access"
	VerdictRejectedKind      Verdict = "rejected_not_allowed_kind"
	VerdictRejectedEmpty     Verdict = "rejected_empty"
	VerdictRejectedTooLong   Verdict = "rejected_too_long"
	VerdictRejectedTooLarge  Verdict = "rejected_too_large"
	VerdictRejectedMalformed Verdict = "rejected_malformed"
	VerdictFailedTransient   Verdict = "failed_transient"
)

var verdictText = map[Verdict]string{
	VerdictPosted:            "posted to the conversation",
	VerdictIgnoredAutoReply:  "an automatic reply (out of office, auto-responder); not posted",
	VerdictIgnoredBounce:     "a delivery failure report; not posted",
	VerdictIgnoredOwnMail:    "one of this service's own emails coming back; not posted",
	VerdictIgnoredOther:      "not a reply (a report or notice); not posted",
	VerdictRejectedNoToken:   "it was not sent to a conversation's reply address",
	VerdictRejectedBadToken:  "its reply address does not belong to any conversation",
	VerdictRejectedExpired:   "its reply address has expired; reply to a newer email or answer on the web",
	VerdictRejectedRevoked:   "its reply address was revoked; reply to a newer email or answer on the web",
	VerdictRejectedSender:    "it was not sent from the address the conversation's email went to",
	VerdictRejectedForged:    "the sender's domain did not confirm it sent this email (DMARC, DKIM or SPF failed), so it may be forged; answer on the web, or ask your mail administrator",
	VerdictRejectedNoAccess:  "the sender no longer works on this company",
	VerdictRejectedKind:      "this kind of transaction does not allow conversations",
	VerdictRejectedEmpty:     "no reply text was found above the quoted email",
	VerdictRejectedTooLong:   "the reply text is longer than a message may be",
	VerdictRejectedTooLarge:  "the email is larger than the service accepts",
	VerdictRejectedMalformed: "the email could not be read",
	VerdictFailedTransient:   "a temporary failure; it will be processed again",
}

// Verdicts lists every verdict by class, in the order the admin view lists
// them.
func Verdicts() []Verdict {
	return []Verdict{VerdictPosted, VerdictIgnoredAutoReply, VerdictIgnoredBounce, VerdictIgnoredOwnMail,
		VerdictIgnoredOther, VerdictRejectedNoToken, VerdictRejectedBadToken, VerdictRejectedExpired,
		VerdictRejectedRevoked, VerdictRejectedSender, VerdictRejectedForged, VerdictRejectedNoAccess,
		VerdictRejectedKind, VerdictRejectedEmpty, VerdictRejectedTooLong, VerdictRejectedTooLarge,
		VerdictRejectedMalformed, VerdictFailedTransient}
}

// MayChange reports whether processing the mail again could end
// differently: the verdict rests on something outside the mail that can
// change after it came (the person's verified addresses, their membership,
// the transaction's kind, the sender's DNS or the sender-authentication
// settings, a passing failure). The others rest on the mail alone (its
// class, its reply address, its text, its size) or it was posted already,
// and read again it ends the same.
func (v Verdict) MayChange() bool {
	switch v {
	case VerdictRejectedSender, VerdictRejectedForged, VerdictRejectedNoAccess, VerdictRejectedKind, VerdictFailedTransient:
		return true
	}
	return false
}

// Explain says in words why a mail got this verdict.
func (v Verdict) Explain() string {
	if s, ok := verdictText[v]; ok {
		return s
	}
	return string(v)
}

// Class is the verdict's first word: posted, ignored, rejected or failed.
func (v Verdict) Class() string {
	class, _, _ := strings.Cut(string(v), "_")
	return class
}
