package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"mailbot/internal/pgtest"
	"mailbot/internal/schema"
	"mailbot/internal/smtptest"
	"mailbot/mailbot/inbound"
)

func TestMain(m *testing.M) {
	inbound.InstallCharsetReader()
	pgtest.Main(m)
}

const testKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// serveEnv is a complete configuration for serve against databaseURL and an
// SMTP relay at smtpAddr.
func serveEnv(databaseURL, smtpAddr string) map[string]string {
	return map[string]string{
		"DATABASE_URL": databaseURL, "MAILBOT_TOKEN_KEY": testKey, "MAILBOT_HTTP_ADDR": "127.0.0.1:0",
		"MAILBOT_BASE_URL": "https://app.example.test", "MAILBOT_FROM": "notifications@example.test",
		"MAILBOT_REPLY_ADDRESS": "reply+{token}@reply.example.test", "MAILBOT_SMTP_ADDR": smtpAddr,
		"MAILBOT_SMTP_TLS": "none",
	}
}

func with(env map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestServeConfigErrorsNameTheFix(t *testing.T) {
	t.Parallel()
	good := with(serveEnv("postgres://x@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", "127.0.0.1:25"), "MAILBOT_DB_WAIT", "0")
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "DATABASE_URL is not set"},
		{with(good, "MAILBOT_TOKEN_KEY", ""), "MAILBOT_TOKEN_KEY is not set"},
		{with(good, "MAILBOT_TOKEN_KEY", "abcd"), "openssl rand -hex 32"},
		{with(good, "MAILBOT_SMTP_ADDR", ""), "MAILBOT_SMTP_ADDR is not set"},
		{with(good, "MAILBOT_SMTP_WORKERS", "many"), "MAILBOT_SMTP_WORKERS must be a number"},
		{with(good, "MAILBOT_SMTP_RETRY_FOR", "2 days"), "MAILBOT_SMTP_RETRY_FOR must be a duration"},
		{with(good, "MAILBOT_TRUSTED_PROXIES", "10.0.0.0/8, 10.0.0.0/33"), `MAILBOT_TRUSTED_PROXIES: "10.0.0.0/33" is not a CIDR`},
		{with(good, "MAILBOT_TRUSTED_PROXIES", "proxy.internal"), "MAILBOT_TRUSTED_PROXIES"},
		{with(good, "MAILBOT_DKIM_DOMAIN", "example.test"), "DKIM needs"},
		{with(good, "MAILBOT_DKIM_DOMAIN", "e.test", "MAILBOT_DKIM_SELECTOR", "s", "MAILBOT_DKIM_KEY_FILE", "/nonexistent"), "MAILBOT_DKIM_KEY_FILE"},
		{with(good, "MAILBOT_SENDER_AUTH", "strict"), "MAILBOT_SENDER_AUTH"},
		{good, "connect to database"},
	}
	for _, c := range cases {
		err := runServe(t.Context(), nil, envOf(c.env), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("env %v: err = %v, want one line containing %q", c.env, err, c.want)
		}
	}
	// Mail settings are checked before anything starts.
	url := pgtest.URL(t)
	for _, env := range []map[string]string{
		with(serveEnv(url, "127.0.0.1:25"), "MAILBOT_REPLY_ADDRESS", "reply@example.test"),
		with(serveEnv(url, "127.0.0.1:25"), "MAILBOT_BASE_URL", "app.example.test"),
		with(serveEnv(url, "127.0.0.1:25"), "MAILBOT_SMTP_TLS", "ssl"),
	} {
		if err := runServe(t.Context(), nil, envOf(env), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "MAILBOT_") {
			t.Errorf("bad mail settings: err = %v, want one naming the variables", err)
		}
	}
}

func TestTrustedProxiesSetting(t *testing.T) {
	t.Parallel()
	env := with(serveEnv("postgres://x@127.0.0.1:1/x", "127.0.0.1:25"), "MAILBOT_TRUSTED_PROXIES", "10.1.2.3/8, 192.0.2.1 ,,2001:db8::1/32, ::ffff:198.51.100.7")
	cfg, err := loadConfig(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(cfg.TrustedProxies); got != "[10.0.0.0/8 192.0.2.1/32 2001:db8::/32 198.51.100.7/32]" {
		t.Errorf("trusted proxies %s", got)
	}
}

func TestServeRefusesSchemaBehind(t *testing.T) {
	t.Parallel()
	env := envOf(serveEnv(pgtest.EmptyURL(t), smtptest.Start(t).Addr))
	err := runServe(t.Context(), nil, env, &bytes.Buffer{})
	if !errors.Is(err, schema.ErrBehind) || !strings.Contains(err.Error(), "mailbot migrate") {
		t.Fatalf("serve on an unmigrated database: err = %v, want ErrBehind naming `mailbot migrate`", err)
	}
	// With --migrate it starts, and stops cleanly when told to.
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := runServe(ctx, []string{"--migrate"}, env, &out); err != nil {
		t.Fatalf("serve --migrate: %v", err)
	}
	if !strings.Contains(out.String(), "web server listening") {
		t.Errorf("serve output: %s", out.String())
	}
	// A database without staff gets one line saying how to make some.
	if !strings.Contains(out.String(), "mailbot person add --email") {
		t.Errorf("serve on a database with no staff did not say how to make one:\n%s", out.String())
	}
	ctx2, cancel2 := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel2()
	if err := runServe(ctx2, nil, env, &bytes.Buffer{}); err != nil {
		t.Fatalf("serve after migration: %v", err)
	}
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{"DATABASE_URL": pgtest.EmptyURL(t)})
	var out bytes.Buffer
	if err := runMigrate(t.Context(), nil, env, &out); err != nil || !strings.Contains(out.String(), "schema is current") {
		t.Fatalf("migrate: %v, %s", err, out.String())
	}
	if err := runMigrate(t.Context(), nil, envOf(nil), &out); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("migrate without DATABASE_URL: %v", err)
	}
}

func TestDemoSeedIsIdempotent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url := pgtest.URL(t)
	for run := range 2 {
		store, world, err := openDemoStore(t.Context(), url, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(world.People) != 6 || len(world.Companies) != 2 || len(world.Transactions) != 15 {
			t.Errorf("run %d: %d people, %d companies, %d transactions", run, len(world.People), len(world.Companies), len(world.Transactions))
		}
		thread, err := store.Thread(t.Context(), world.People[0].Person.ID, world.Transactions[0].ID)
		if err != nil || len(thread) != 3 || len(thread[2].Files) != 2 {
			t.Errorf("run %d: seeded conversation has %d messages, %v", run, len(thread), err)
		} else if f := thread[2].Files; f[0].ContentType != "image/png" || f[1].ContentType != "application/pdf" {
			t.Errorf("run %d: the seeded receipt is %s and %s, want a PNG and a PDF", run, f[0].ContentType, f[1].ContentType)
		}
		store.Close()
	}
}

// The README's table of settings names every variable the service reads.
func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range configVars {
		if !strings.Contains(string(readme), "| `"+v.name+"` | "+v.def+" |") {
			t.Errorf("README lacks the row for %s (default %q); paste `mailbot serve --env`", v.name, v.def)
		}
	}
}
