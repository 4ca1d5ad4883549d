package mailin_test

import (
	"testing"

	"mailbot/threads"
)

// RFC 5322's obsolete syntax (4.5.3, which receivers must accept) allows
// white space before the colon: "From :" is a second From field, and a mail
// client or the receiver's DMARC check may show or judge that one. Two From
// fields never post; today the spaced one is dropped as "not a field" and
// the reply posts as the first.
func TestAttackSecondFromFieldWithSpaceBeforeColon(t *testing.T) {
	t.Parallel()
	for _, field := range []string{"From : Mallory <mallory@evil.test>\r\n", "FROM\t: Mallory <mallory@evil.test>\r\n"} {
		f := newFixture(t)
		res := f.ingest(t, f.raw(reply{extra: field}))
		if res.Verdict == threads.VerdictPosted {
			t.Errorf("%q: a mail with two From fields posted", field)
		}
	}
}
