package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"mailbot/internal/imaptest"
	"mailbot/internal/pgtest"
	"mailbot/internal/smtptest"
	"mailbot/threads"
	"mailbot/web"
)

// TestServeSendsNotifications runs serve as configured by the environment and
// checks that a posted message reaches the SMTP relay without waiting for a
// poll, and that /metrics counts it.
func TestServeSendsNotifications(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	relay := smtptest.Start(t)
	httpAddr := smtptest.FreeAddr(t)
	env := with(serveEnv(url, relay.Addr), "MAILBOT_HTTP_ADDR", httpAddr)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, nil, envOf(env), &bytes.Buffer{}) }()
	waitHTTP(t, "http://"+httpAddr+"/readyz")

	store, _, err := openDemoStore(t.Context(), url, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	people, _ := store.Members(t.Context(), 1)
	txn, _ := store.TransactionByExternalID(t.Context(), 1, "invoice-a")
	if _, err := store.PostMessage(t.Context(), threads.NewMessage{TransactionID: txn.ID, AuthorID: people[0].ID,
		RecipientID: people[1].ID, Body: "ping", Source: threads.SourceWeb}); err != nil {
		t.Fatal(err)
	}
	// The demo seed queued notifications of its own; wait for this one.
	deadline := time.Now().Add(10 * time.Second)
	for !received(relay, "ping") {
		if time.Now().After(deadline) {
			t.Fatalf("relay received %d messages, none of them the new one", len(relay.Messages()))
		}
		relay.WaitFor(len(relay.Messages())+1, 100*time.Millisecond)
	}
	resp, err := http.Get("http://" + httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "mailbot_outbox_sent_total") || !strings.Contains(string(body), "mailbot_outbox_lag_seconds") ||
		!strings.Contains(string(body), "mailbot_inbound_seconds") {
		t.Errorf("/metrics lacks the outbox or inbound metrics:\n%.500s", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve stopped with %v", err)
	}
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 200 in time", url)
}

func received(relay *smtptest.Server, text string) bool {
	for _, m := range relay.Messages() {
		if bytes.Contains(m.Data, []byte(text)) {
			return true
		}
	}
	return false
}

// serve waits for a database it cannot reach yet, and reports at once one
// that refuses it.
func TestOpenDatabaseWaitsOnlyForUnreachable(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := newLogger(&logs)
	_, err := openDatabase(t.Context(), "postgres://mailbot@"+smtptest.FreeAddr(t)+"/mailbot?sslmode=disable&connect_timeout=2", 600*time.Millisecond, log)
	if err == nil || !strings.Contains(logs.String(), "waiting for the database") {
		t.Errorf("unreachable server: err %v, log %q; want retries, then the error", err, logs.String())
	}
	logs.Reset()
	url := strings.Replace(pgtest.URL(t), "/mbtest_", "/no_such_db_", 1)
	if _, err := openDatabase(t.Context(), url, time.Minute, log); err == nil || strings.Contains(logs.String(), "waiting") {
		t.Errorf("missing database: err %v, log %q; want the error at once", err, logs.String())
	}
}

// With MAILBOT_IMAP_AUTH=xoauth2 the intake trades the refresh token for an
// access token at the token endpoint and logs in with XOAUTH2.
func TestIMAPOAuthSettings(t *testing.T) {
	t.Parallel()
	imapSrv := imaptest.Start(t)
	imapSrv.SetToken("access-from-endpoint")
	var grants []string
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id, _, _ := r.BasicAuth()
		grants = append(grants, r.PostForm.Get("grant_type")+" "+r.PostForm.Get("refresh_token")+" "+id)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"access-from-endpoint","token_type":"Bearer","expires_in":3600}`)
	}))
	defer tokens.Close()
	url := pgtest.URL(t)
	env := with(serveEnv(url, "127.0.0.1:25"), "MAILBOT_IMAP_ADDR", imapSrv.Addr, "MAILBOT_IMAP_TLS", "none",
		"MAILBOT_IMAP_USERNAME", imapSrv.Username, "MAILBOT_IMAP_AUTH", "xoauth2",
		"MAILBOT_IMAP_OAUTH_TOKEN_URL", tokens.URL, "MAILBOT_IMAP_OAUTH_CLIENT_ID", "ledger-app",
		"MAILBOT_IMAP_OAUTH_CLIENT_SECRET", "s3cret", "MAILBOT_IMAP_OAUTH_REFRESH_TOKEN", "1//refresh")
	cfg, err := loadConfig(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	db, err := threads.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	store, _ := threads.NewStore(db, nil)
	if _, err := newIntakes(t.Context(), cfg.In, store, newLogger(io.Discard)); err != nil {
		t.Fatalf("intake with XOAUTH2: %v", err)
	}
	if len(grants) != 1 || grants[0] != "refresh_token 1//refresh ledger-app" || imapSrv.OAuthLogins.Load() != 1 {
		t.Errorf("token requests %q, XOAUTH2 logins %d; want one refresh grant and one login", grants, imapSrv.OAuthLogins.Load())
	}
	_, err = loadConfig(envOf(with(env, "MAILBOT_IMAP_OAUTH_TOKEN_URL", "")))
	if err == nil || !strings.Contains(err.Error(), "MAILBOT_IMAP_OAUTH_TOKEN_URL") {
		t.Errorf("xoauth2 without a token endpoint: %v", err)
	}
}

// /readyz tells anyone only a short reason; the detail (the database's host
// and port, the schema versions) goes to the log.
func TestReadyzShowsOnlyAReason(t *testing.T) {
	t.Parallel()
	gone := smtptest.FreeAddr(t)
	down, err := sqlx.Open("postgres", "postgres://mailbot@"+gone+"/mailbot?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	ahead := pgtest.DB(t)
	if _, err := ahead.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		db             *sqlx.DB
		reason, detail string
	}{{down, "database", gone}, {ahead, "schema", "99999"}} {
		store, _ := threads.NewStore(c.db, nil)
		var logs bytes.Buffer
		h, err := handler(store, web.Options{Logger: newLogger(&logs)}, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		body := rec.Body.String()
		if rec.Code != http.StatusServiceUnavailable || body != "not ready: "+c.reason+"\n" {
			t.Errorf("/readyz: %d %q, want 503 \"not ready: %s\"", rec.Code, body, c.reason)
		}
		if !strings.Contains(logs.String(), c.detail) {
			t.Errorf("the log lacks the detail %q: %s", c.detail, logs.String())
		}
	}
}
