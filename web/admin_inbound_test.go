package web_test

import (
	"regexp"
	"strings"
	"testing"

	"mailbot/threads"
	"mailbot/web"
)

// countOf reads the count an entry of a filter list shows.
func countOf(t *testing.T, body, href string) string {
	t.Helper()
	m := regexp.MustCompile(`<a href="` + regexp.QuoteMeta(href) + `"[^>]*>[^<]*<span class="count">([0-9.,]+)</span>`).FindStringSubmatch(body)
	if m == nil {
		return "none"
	}
	return m[1]
}

// rowsOf returns the inbound log's rows of one verdict.
func rowsOf(body string, v threads.Verdict) []string {
	var out []string
	for _, row := range strings.Split(body, `<tr id="mail-`)[1:] {
		row, _, _ = strings.Cut(row, "</tr>")
		if strings.Contains(row, `data-verdict="`+string(v)+`"`) {
			out = append(out, row)
		}
	}
	return out
}

// The verdict filter lists each verdict found with how many, grouped by
// class and under the sender filter; each mail says why it got its verdict
// and offers Reprocess only where reading it again could end otherwise.
func TestAdminVerdictCountsAndActions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	pipe := adminSite(t, f, web.AdminOptions{})
	f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID, RecipientID: f.ana.ID,
		Body: "Receipt?", Source: threads.SourceWeb})
	token, _ := f.store.ReplyTokenFor(ctx, f.ana.ID, f.invoice.ID)
	to := "reply+" + token + "@reply.example.test"
	ingest(t, pipe, mail("ana@acme.test", to, "p1@acme.test", "Here it is."), threads.VerdictPosted)
	ingest(t, pipe, mail("ana@acme.test", to, "a1@acme.test", "I am away.", "Auto-Submitted: auto-replied"), threads.VerdictIgnoredAutoReply)
	ingest(t, pipe, mail("stranger@elsewhere.test", to, "s1@elsewhere.test", "Me too."), threads.VerdictRejectedSender)
	ingest(t, pipe, mail("ana@acme.test", "reply+abcdefghijklmnopqrstuvwxyz234567@reply.example.test", "b1@acme.test", "Hello?"), threads.VerdictRejectedBadToken)
	ingest(t, pipe, mail("ana@acme.test", "reply+zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz@reply.example.test", "b2@acme.test", "Hello?"), threads.VerdictRejectedBadToken)
	ingest(t, pipe, mail("ana@acme.test", "someone@elsewhere.test", "n1@acme.test", "Hello?"), threads.VerdictRejectedNoToken)

	admin := f.staffClient(t, f.accountant, "en")
	_, body, _ := admin.do("GET", "/admin/inbound", nil)
	for href, want := range map[string]string{
		"/admin/inbound":                                  "6",
		"/admin/inbound?verdict=posted":                   "1",
		"/admin/inbound?verdict=ignored":                  "1",
		"/admin/inbound?verdict=ignored_auto_reply":       "1",
		"/admin/inbound?verdict=rejected":                 "4",
		"/admin/inbound?verdict=rejected_bad_token":       "2",
		"/admin/inbound?verdict=rejected_no_token":        "1",
		"/admin/inbound?verdict=rejected_sender_mismatch": "1",
		"/admin/inbound?verdict=rejected_expired_token":   "none", // none came: not listed
		"/admin/inbound?verdict=failed":                   "none",
	} {
		if got := countOf(t, body, href); got != want {
			t.Errorf("%s counts %s, want %s", href, got, want)
		}
	}
	for _, v := range []threads.Verdict{threads.VerdictRejectedBadToken, threads.VerdictRejectedNoToken,
		threads.VerdictPosted, threads.VerdictIgnoredAutoReply} {
		for _, row := range rowsOf(body, v) {
			if strings.Contains(row, "Reprocess") {
				t.Errorf("a %s mail offers Reprocess, which cannot change it", v)
			}
			if !strings.Contains(row, "/download") || !strings.Contains(row, "View source") {
				t.Errorf("a %s mail has no source to read or download", v)
			}
		}
	}
	bad := rowsOf(body, threads.VerdictRejectedBadToken)
	if len(bad) != 2 || !strings.Contains(bad[0], "Unknown reply address") || !strings.Contains(bad[0], "belongs to no conversation") {
		t.Errorf("bad-token rows lack their name or reason: %q", bad)
	}
	sender := rowsOf(body, threads.VerdictRejectedSender)
	if len(sender) != 1 || !strings.Contains(sender[0], `<button type="submit" class="reprocess">Reprocess</button>`) ||
		!strings.Contains(sender[0], "add and verify it under People") {
		t.Errorf("the sender-mismatch row does not offer Reprocess with what to fix first: %q", sender)
	}

	// One verdict shown; the counts stay those of every verdict.
	_, body, _ = admin.do("GET", "/admin/inbound?verdict=rejected_bad_token", nil)
	if n := strings.Count(body, `<tr id="mail-`); n != 2 || countOf(t, body, "/admin/inbound?verdict=posted") != "1" ||
		!strings.Contains(body, `<a href="/admin/inbound?verdict=rejected_bad_token" aria-current="page">`) {
		t.Errorf("filtered by bad token: %d rows, or the counts or the current filter are wrong", n)
	}
	// The sender filter narrows the counts too, and verdict links keep it.
	_, body, _ = admin.do("GET", "/admin/inbound?sender=stranger", nil)
	if countOf(t, body, "/admin/inbound?sender=stranger") != "1" ||
		countOf(t, body, "/admin/inbound?sender=stranger&amp;verdict=rejected_sender_mismatch") != "1" ||
		countOf(t, body, "/admin/inbound?sender=stranger&amp;verdict=posted") != "none" {
		t.Error("the counts do not follow the sender filter")
	}
}
