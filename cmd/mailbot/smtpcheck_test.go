package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mailbot/internal/imaptest"
	"mailbot/internal/pgtest"
	"mailbot/internal/smtptest"
	"mailbot/threads"
)

// serve checks the relay at start: an untrusted certificate or a refused
// log-in stops it with one line naming what to set; with the relay's CA
// in MAILBOT_SMTP_CA_FILE and the right password it starts and sends,
// introducing itself with MAILBOT_FROM's domain.
func TestServeChecksTheRelay(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	relay := smtptest.StartWith(t, smtptest.Options{TLS: "starttls", Username: "relay", Password: "pw"})
	caFile := filepath.Join(t.TempDir(), "relay-ca.pem")
	if err := os.WriteFile(caFile, relay.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	env := with(serveEnv(url, relay.Addr), "MAILBOT_SMTP_TLS", "starttls", "MAILBOT_SMTP_USERNAME", "relay",
		"MAILBOT_SMTP_PASSWORD", "pw")
	for _, c := range []struct {
		env  map[string]string
		want []string
	}{
		{env, []string{"MAILBOT_SMTP_ADDR: the relay's certificate is not trusted (x509: ", "set MAILBOT_SMTP_CA_FILE or fix the relay"}},
		{with(env, "MAILBOT_SMTP_CA_FILE", caFile, "MAILBOT_SMTP_PASSWORD", "wrong"), []string{"MAILBOT_SMTP_USERNAME, MAILBOT_SMTP_PASSWORD", "535"}},
		{with(env, "MAILBOT_SMTP_CA_FILE", caFile, "MAILBOT_SMTP_TLS", "tls"), []string{"MAILBOT_SMTP_TLS: ", "TLS with the relay failed"}},
		{with(env, "MAILBOT_SMTP_CA_FILE", filepath.Join(t.TempDir(), "none.pem")), []string{"MAILBOT_SMTP_CA_FILE"}},
		{with(env, "MAILBOT_SMTP_CA_FILE", "/dev/null"), []string{"MAILBOT_SMTP_CA_FILE: no PEM certificate"}},
	} {
		err := runServe(t.Context(), nil, envOf(c.env), &bytes.Buffer{})
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("serve started or said more than one line: %v", err)
			continue
		}
		for _, want := range c.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("serve: %v, want one line with %q", err, want)
			}
		}
	}

	env = with(env, "MAILBOT_SMTP_CA_FILE", caFile, "MAILBOT_HTTP_ADDR", smtptest.FreeAddr(t))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, nil, envOf(env), &bytes.Buffer{}) }()
	waitHTTP(t, "http://"+env["MAILBOT_HTTP_ADDR"]+"/readyz")
	store, _, err := openDemoStore(t.Context(), url, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	people, _ := store.Members(t.Context(), 1)
	txn, _ := store.TransactionByExternalID(t.Context(), 1, "invoice-a")
	if _, err := store.PostMessage(t.Context(), threads.NewMessage{TransactionID: txn.ID, AuthorID: people[0].ID,
		RecipientID: people[1].ID, Body: "through a checked relay", Source: threads.SourceWeb}); err != nil {
		t.Fatal(err)
	}
	msgs := relay.WaitFor(1, 10*time.Second)
	if len(msgs) == 0 || msgs[0].Hello != "example.test" {
		t.Errorf("relay got %d messages, the first after EHLO %q; want EHLO example.test", len(msgs), hello(msgs))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve stopped with %v", err)
	}
}

func hello(msgs []smtptest.Message) string {
	if len(msgs) == 0 {
		return ""
	}
	return msgs[0].Hello
}

// MAILBOT_SMTP_AUTH=xoauth2 logs in to the relay with an access token from
// the IMAP intake's OAuth settings, and both share one token source.
func TestSMTPOAuthSettings(t *testing.T) {
	t.Parallel()
	relay := smtptest.StartWith(t, smtptest.Options{TLS: "tls", Username: "notifications@example.test",
		Password: "unused", Token: "access-from-endpoint"})
	imapSrv := imaptest.Start(t)
	imapSrv.SetToken("access-from-endpoint")
	var grants atomic.Int64
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		grants.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"access-from-endpoint","token_type":"Bearer","expires_in":3600}`)
	}))
	defer tokens.Close()
	caFile := filepath.Join(t.TempDir(), "relay-ca.pem")
	os.WriteFile(caFile, relay.CertPEM, 0o600)
	url := pgtest.URL(t)
	env := with(serveEnv(url, relay.Addr), "MAILBOT_SMTP_TLS", "tls", "MAILBOT_SMTP_CA_FILE", caFile,
		"MAILBOT_SMTP_AUTH", "xoauth2", "MAILBOT_SMTP_USERNAME", "notifications@example.test",
		"MAILBOT_IMAP_ADDR", imapSrv.Addr, "MAILBOT_IMAP_TLS", "none", "MAILBOT_IMAP_USERNAME", imapSrv.Username,
		"MAILBOT_IMAP_AUTH", "xoauth2", "MAILBOT_IMAP_OAUTH_TOKEN_URL", tokens.URL, "MAILBOT_IMAP_OAUTH_CLIENT_ID", "ledger-app",
		"MAILBOT_IMAP_OAUTH_CLIENT_SECRET", "s3cret", "MAILBOT_IMAP_OAUTH_REFRESH_TOKEN", "1//refresh")
	cfg, err := loadConfig(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkRelay(t.Context(), cfg.SMTP); err != nil {
		t.Fatalf("relay check with XOAUTH2: %v", err)
	}
	db, err := threads.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	store, _ := threads.NewStore(db, nil)
	if _, err := newIntakes(t.Context(), cfg.In, store, newLogger(io.Discard)); err != nil {
		t.Fatalf("intake with XOAUTH2: %v", err)
	}
	if relay.OAuthLogins.Load() != 1 || imapSrv.OAuthLogins.Load() != 1 || grants.Load() != 1 {
		t.Errorf("%d SMTP and %d IMAP XOAUTH2 logins on %d token requests; want 1, 1 and 1",
			relay.OAuthLogins.Load(), imapSrv.OAuthLogins.Load(), grants.Load())
	}
	relay2 := smtptest.StartWith(t, smtptest.Options{TLS: "tls", Username: "notifications@example.test", Password: "unused", Token: "other"})
	cfg.SMTP.Addr, cfg.SMTP.RootCAs = relay2.Addr, relay2.CertPool
	err = checkRelay(t.Context(), cfg.SMTP)
	if err == nil || !strings.Contains(err.Error(), "MAILBOT_SMTP_AUTH=xoauth2") || strings.Contains(err.Error(), "\n") {
		t.Errorf("relay refusing the token: %v, want one line naming MAILBOT_SMTP_AUTH=xoauth2", err)
	}
	_, err = loadConfig(envOf(with(env, "MAILBOT_SMTP_USERNAME", "")))
	if err == nil || !strings.Contains(err.Error(), "MAILBOT_SMTP_USERNAME") {
		t.Errorf("xoauth2 without a user name: %v", err)
	}
}

// With MAILBOT_TLS_CERT_FILE and MAILBOT_TLS_KEY_FILE serve speaks HTTPS and
// sends Strict-Transport-Security; over plain HTTP it sends none.
func TestServeHTTPS(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	relay := smtptest.Start(t)
	certFile, keyFile, pool := smtptest.CertFiles(t, t.TempDir())
	for _, tc := range []struct {
		env    []string
		scheme string
	}{
		{[]string{"MAILBOT_TLS_CERT_FILE", certFile, "MAILBOT_TLS_KEY_FILE", keyFile}, "https"},
		{nil, "http"},
	} {
		addr := smtptest.FreeAddr(t)
		env := with(serveEnv(url, relay.Addr), append(tc.env, "MAILBOT_HTTP_ADDR", addr)...)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- runServe(ctx, nil, envOf(env), &bytes.Buffer{}) }()
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		resp := waitGet(t, client, tc.scheme+"://"+addr+"/healthz")
		hsts := resp.Header.Get("Strict-Transport-Security")
		if (tc.scheme == "https") != (hsts != "") {
			t.Errorf("%s: Strict-Transport-Security %q", tc.scheme, hsts)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve stopped with %v", err)
		}
	}
	err := runServe(t.Context(), nil, envOf(with(serveEnv(url, relay.Addr), "MAILBOT_TLS_CERT_FILE", certFile)), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "MAILBOT_TLS_KEY_FILE") {
		t.Errorf("a certificate without its key: %v", err)
	}
}

func waitGet(t *testing.T, client *http.Client, url string) *http.Response {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			return resp
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
