package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"mailbot/internal/pgtest"
	"mailbot/threads"
)

// Retention settings take days or durations, 0 for forever, and refuse
// anything else with a line naming the variable.
func TestRetentionSettings(t *testing.T) {
	t.Parallel()
	base := serveEnv("postgres://x@127.0.0.1:1/x", "127.0.0.1:25")
	day := 24 * time.Hour
	cfg, err := loadConfig(envOf(base))
	if err != nil || cfg.Retention != (threads.Retention{RawMail: 90 * day, Outbox: 30 * day}) {
		t.Errorf("defaults: %+v, %v; want 90 and 30 days", cfg.Retention, err)
	}
	for v, want := range map[string]time.Duration{"7d": 7 * day, "36h": 36 * time.Hour, "0": 0, "0d": 0} {
		cfg, err := loadConfig(envOf(with(base, "MAILBOT_RETAIN_RAW", v)))
		if err != nil || cfg.Retention.RawMail != want {
			t.Errorf("MAILBOT_RETAIN_RAW=%s: %v, %v; want %v", v, cfg.Retention.RawMail, err, want)
		}
	}
	for _, v := range []string{"30m", "-1d", "ninety days", "1.5d"} {
		_, err := loadConfig(envOf(with(base, "MAILBOT_RETAIN_OUTBOX", v)))
		if err == nil || !strings.Contains(err.Error(), "MAILBOT_RETAIN_OUTBOX must be a number of days") {
			t.Errorf("MAILBOT_RETAIN_OUTBOX=%s: %v", v, err)
		}
	}
}

// serve's retention loop runs the pass periodically and stops with ctx.
func TestRetentionLoop(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	store, err := openStore(t.Context(), envOf(map[string]string{"DATABASE_URL": url}))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	db := pgtest.Open(t, url)
	db.MustExec(`INSERT INTO people (external_id, name) VALUES ('p1', 'Rowan Vale')`)
	expire := func() {
		db.MustExec(`INSERT INTO sessions (token_hash, person_id, expires_at)
			SELECT sha256(random()::text::bytea), id, now() - interval '1 minute' FROM people`)
	}
	expire()
	ctx, cancel := context.WithCancel(t.Context())
	stop := startRetention(ctx, store, threads.Retention{}, 20*time.Millisecond, newLogger(io.Discard))
	waitFor(t, func() bool { return count(t, db, "sessions") == 0 })
	expire() // and again, a period later
	waitFor(t, func() bool { return count(t, db, "sessions") == 0 })
	cancel()
	stop()
}

func count(t *testing.T, db *sqlx.DB, table string) int {
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
