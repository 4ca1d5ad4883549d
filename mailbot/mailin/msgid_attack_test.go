package mailin_test

import (
	"context"
	"testing"

	"mailbot/threads"
)

// A reply matched by our notification's Message-ID obeys the same rules as
// one matched by the reply address it carried. When the notification's
// author has left the company, the address way goes to the latest other
// author still there; the Message-ID way must decide the same, not refuse
// (or address the one who left).
func TestAttackMessageIDMatchWhenTheAuthorLeft(t *testing.T) {
	t.Parallel()
	outcome := func(byAddress bool) (threads.Verdict, int64) {
		f := newFixture(t)
		ctx := context.Background()
		blair := f.person(t, "acc2", "Blair Ledger", "blair@firm.test", threads.RoleAccountant)
		if _, err := f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: blair.ID,
			RecipientID: f.accountant.ID, Body: "I will look at this too.", Source: threads.SourceWeb}); err != nil {
			t.Fatal(err)
		}
		if err := f.store.RemoveMembership(ctx, f.company.ID, f.accountant.ID); err != nil {
			t.Fatal(err)
		}
		r := reply{}
		if !byAddress {
			r.to = "Harbor Books <books@client.test>" // the reply address was lost on the way
		}
		res := f.ingest(t, f.raw(r))
		var to int64
		f.db.Get(&to, `SELECT recipient_id FROM messages WHERE id = $1`, res.MessageID)
		if to == blair.ID {
			to = -1 // the same person in either fixture
		}
		return res.Verdict, to
	}
	va, ra := outcome(true)
	vm, rm := outcome(false)
	if va != vm || ra != rm {
		t.Fatalf("by reply address: %s (recipient %d); by Message-ID: %s (recipient %d)", va, ra, vm, rm)
	}
}
