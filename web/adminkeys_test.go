package web_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mailbot/threads"
	"mailbot/web"
)

// Staff make a key on /admin/keys (shown once, in the answer and never
// again), see when it was last used, and revoke it after confirming; the
// API refuses it from then on.
func TestAdminAPIKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	server, _ := web.New(f.store, web.Options{})
	mux := http.NewServeMux()
	web.NewAdmin(server, f.store, web.AdminOptions{}).Register(mux)
	web.NewAPI(f.store, nil).Register(mux)
	f.srv = httptest.NewServer(server.Register(mux))
	defer f.srv.Close()

	c := f.client(t)
	c.login("ana@acme.test", "/")
	if code, _, _ := c.do("POST", "/admin/keys", url.Values{"name": {"ledger"}}); code != http.StatusNotFound {
		t.Errorf("key made by someone who is not staff: %d, want 404", code)
	}
	f.store.UpsertPerson(ctx, threads.PersonInput{ExternalID: "ana", Name: "Ana Client", Staff: true,
		Emails: []threads.EmailAddress{{Address: "ana@acme.test", Verified: true}}})

	code, body, h := c.do("POST", "/admin/keys", url.Values{"name": {"ledger"}})
	key := regexp.MustCompile(`mbk_[A-Za-z0-9_-]+`).FindString(body)
	if code != http.StatusOK || key == "" || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d, key %q, Cache-Control %q", code, key, h.Get("Cache-Control"))
	}
	if code, _ := f.api(t, key, "GET", "/api/v1/people/ana/unread", ""); code != http.StatusOK {
		t.Errorf("API with the key made on the page: %d", code)
	}
	_, body, _ = c.do("GET", "/admin/keys", nil)
	if strings.Contains(body, key) || !strings.Contains(body, "ledger") || strings.Contains(body, "never") {
		t.Errorf("the list shows the key again, or not its name and last use:\n%s", body)
	}
	code, body, _ = c.do("POST", "/admin/keys", url.Values{"name": {"ledger"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), `a live key is already called "ledger"`) {
		t.Errorf("a second key named ledger: %d", code)
	}
	// Revoking asks first; the question, and a revocation posted without
	// confirming, change nothing.
	_, body, _ = c.do("GET", "/admin/keys/revoke?name=ledger", nil)
	if !strings.Contains(body, `id="confirm"`) || !strings.Contains(body, `value="ledger"`) {
		t.Errorf("no confirmation before revoking:\n%s", body)
	}
	if code, body, _ := c.do("POST", "/admin/keys/revoke", url.Values{"name": {"ledger"}}); code != http.StatusOK || !strings.Contains(body, `id="confirm"`) {
		t.Errorf("revoking without confirming: %d, want the question again", code)
	}
	if code, _ := f.api(t, key, "GET", "/api/v1/people/ana/unread", ""); code != http.StatusOK {
		t.Errorf("API after the question alone: %d", code)
	}
	code, _, h = c.do("POST", "/admin/keys/revoke", url.Values{"name": {"ledger"}, "confirm": {"yes"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/admin/keys?done=") {
		t.Fatalf("revoke: %d to %s", code, h.Get("Location"))
	}
	if _, body, _ := c.do("GET", h.Get("Location"), nil); !strings.Contains(body, "API key ledger revoked.") {
		t.Error("the keys page does not say the key was revoked")
	}
	if code, _ := f.api(t, key, "GET", "/api/v1/people/ana/unread", ""); code != http.StatusUnauthorized {
		t.Errorf("API with the revoked key: %d, want 401", code)
	}
	if code, _, _ := c.do("POST", "/admin/keys/revoke", url.Values{"name": {"ledger"}, "confirm": {"yes"}}); code != http.StatusNotFound {
		t.Errorf("revoking it again: %d, want 404", code)
	}
	if _, body, _ = c.do("GET", "/admin/keys", nil); !strings.Contains(body, "revoked ") {
		t.Error("the list does not say the key is revoked")
	}
}
