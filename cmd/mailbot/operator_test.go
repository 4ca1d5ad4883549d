package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"mailbot/internal/pgtest"
	"mailbot/web"
)

// testSite serves the service's web pages and API on the database at
// databaseURL.
func testSite(t *testing.T, databaseURL string) *httptest.Server {
	t.Helper()
	store, err := openStore(t.Context(), envOf(map[string]string{"DATABASE_URL": databaseURL}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h, err := handler(store, web.Options{}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	site := httptest.NewServer(h)
	t.Cleanup(site.Close)
	return site
}

// The first staff person, made by the command on an empty database, signs
// in and reaches /admin; staff rights come and go by address.
func TestPersonAndStaffCommands(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.URL(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL})
	var out bytes.Buffer
	add := func(password string, args ...string) error {
		out.Reset()
		return personFrom(t.Context(), append([]string{"add"}, args...), env, strings.NewReader(password), &out)
	}
	if err := add("a long password\n", "--email", "Lena@Firm.example", "--name", "Lena Marsh", "--staff"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Lena Marsh <lena@firm.example> (id lena_at_firm.example, staff)") {
		t.Errorf("person add said %q", out.String())
	}
	site := testSite(t, dbURL)
	if code := adminAfterSignIn(t, site.URL, "lena@firm.example", "a long password"); code != http.StatusOK {
		t.Errorf("/admin for the new staff person: %d, want 200", code)
	}
	for _, c := range []struct {
		password string
		args     []string
		want     string
	}{
		{"another password\n", []string{"--email", "lena@firm.example", "--name", "Lena Two"}, "mailbot password lena@firm.example"},
		{"another password\n", []string{"--name", "Lena Two"}, "--email"},
		{"another password\n", []string{"--email", "two@firm.example"}, "--name"},
		{"another password\n", []string{"--email", "Lena <two@firm.example>", "--name", "Lena Two"}, "not a plain address"},
		{"another password\n", []string{"--email", "two@firm.example", "--name", "Lena", "Two"}, `--name "Ana Ruiz"`},
		{"another password\n", []string{"--email", "two@firm.example", "--name", "Lena Two", "--id", "lena_at_firm.example"}, "belongs to someone already"},
		{"short\n", []string{"--email", "two@firm.example", "--name", "Lena Two"}, "at least 8"},
		{"", []string{"--email", "two@firm.example", "--name", "Lena Two"}, "standard input"},
	} {
		err := add(c.password, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("person add %q: %v, want one line with %q", c.args, err, c.want)
		}
	}
	staff := func(args ...string) error {
		out.Reset()
		return runStaff(t.Context(), args, env, &out)
	}
	if err := staff("revoke", "LENA@firm.example"); err != nil || !strings.Contains(out.String(), "no longer staff") ||
		!strings.Contains(out.String(), "mailbot staff grant") {
		t.Errorf("staff revoke: %v, %q", err, out.String())
	}
	if code := adminAfterSignIn(t, site.URL, "lena@firm.example", "a long password"); code != http.StatusNotFound {
		t.Errorf("/admin after staff revoke: %d, want 404", code)
	}
	if err := staff("grant", "lena@firm.example"); err != nil || out.String() != "Lena Marsh is staff now\n" {
		t.Errorf("staff grant: %v, %q", err, out.String())
	}
	if err := staff("grant", "nobody@firm.example"); err == nil || !strings.Contains(err.Error(), "mailbot person add --email nobody@firm.example") {
		t.Errorf("staff grant of an unknown address: %v", err)
	}
	if err := staff("promote", "lena@firm.example"); err == nil || !strings.Contains(err.Error(), "grant, revoke") {
		t.Errorf("staff promote: %v", err)
	}
}

// adminAfterSignIn signs in with the login form and returns the status of
// /admin.
func adminAfterSignIn(t *testing.T, site, email, password string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(site+"/login", url.Values{"email": {email}, "password": {password}, "next": {"/admin"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp, err = client.Get(site + "/admin"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A key made by the command works on the API, is listed with its last use,
// and once revoked is refused.
func TestAPIKeyCommands(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.URL(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL})
	var out, note bytes.Buffer
	apikey := func(args ...string) error {
		out.Reset()
		note.Reset()
		return apikeyCmd(t.Context(), args, env, &out, &note)
	}
	if err := apikey("list"); err != nil || !strings.Contains(out.String(), "mailbot apikey create NAME") {
		t.Errorf("list with no keys: %v, %q", err, out.String())
	}
	if err := apikey("create", "ledger"); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(out.String())
	if !strings.HasPrefix(key, "mbk_") || strings.Contains(key, "\n") || !strings.Contains(note.String(), "shown this once") {
		t.Fatalf("create printed %q, noted %q; want the key alone, and a note", out.String(), note.String())
	}
	site := testSite(t, dbURL)
	if code := apiStatus(t, site.URL, key); code != http.StatusNotFound { // authenticated; no such person
		t.Errorf("API with the new key: %d, want 404", code)
	}
	if err := apikey("list"); err != nil || !lineWith(out.String(), "ledger", "UTC", "-") || strings.Contains(out.String(), "never") {
		t.Errorf("list after a use: %v\n%s", err, out.String())
	}
	if err := apikey("create", "ledger"); err == nil || !strings.Contains(err.Error(), "revoke it first") {
		t.Errorf("a second key named ledger: %v", err)
	}
	if err := apikey("revoke", "ledger"); err != nil || !strings.Contains(out.String(), "revoked") {
		t.Errorf("revoke: %v, %q", err, out.String())
	}
	if code := apiStatus(t, site.URL, key); code != http.StatusUnauthorized {
		t.Errorf("API with the revoked key: %d, want 401", code)
	}
	if err := apikey("list"); err != nil || lineWith(out.String(), "ledger", " - ") {
		t.Errorf("list after revoking: %v\n%s", err, out.String())
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"revoke", "ledger"}, "mailbot apikey list"},
		{[]string{"create"}, "create NAME"},
		{[]string{"list", "extra"}, "usage: mailbot apikey list"},
		{[]string{"rotate"}, "create, list, revoke"},
		{nil, "create, list, revoke"},
	} {
		if err := apikey(c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("apikey %q: %v, want %q", c.args, err, c.want)
		}
	}
	if err := apikey("--help"); err == nil || !strings.Contains(out.String(), "K=$(mailbot apikey create ledger)") {
		t.Errorf("--help: %v, %q", err, out.String())
	}
}

func apiStatus(t *testing.T, site, key string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", site+"/api/v1/people/nobody/unread", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// lineWith reports whether one line of s has every part.
func lineWith(s string, parts ...string) bool {
	for line := range strings.SplitSeq(s, "\n") {
		has := true
		for _, p := range parts {
			has = has && strings.Contains(line, p)
		}
		if has {
			return true
		}
	}
	return false
}
