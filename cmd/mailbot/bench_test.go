package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"mailbot/internal/bench"
	"mailbot/internal/imaptest"
	"mailbot/internal/pgtest"
	"mailbot/internal/smtptest"
)

// TestBenchCommands runs each benchmark small, to keep them working.
func TestBenchCommands(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{"DATABASE_URL": pgtest.URL(t)})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ingest", "-n", "40", "--json"}, "replies_per_s"},
		{[]string{"notify", "-n", "40", "--json"}, "latency_p99_ms"},
		{[]string{"web", "-n", "10", "--json"}, "transaction_1000_p99_ms"},
	} {
		var out bytes.Buffer
		if err := runBench(t.Context(), c.args, env, &out); err != nil {
			t.Fatalf("bench %v: %v", c.args, err)
		}
		var res bench.Result
		if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Figures[c.want] <= 0 {
			t.Errorf("bench %v printed %s; want a positive %s", c.args, out.String(), c.want)
		}
	}
	if err := runBench(t.Context(), []string{"nope"}, env, &bytes.Buffer{}); err == nil {
		t.Error("an unknown benchmark was accepted")
	}
}

// The bench targets servers it does not run itself when told to, and will
// not measure a mailbox that already holds mail.
func TestBenchExternalServers(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{"DATABASE_URL": pgtest.URL(t)})
	imapSrv, relay := imaptest.Start(t), smtptest.Start(t)
	imapFlags := []string{"--imap-addr", imapSrv.Addr, "--imap-tls", "none", "--imap-user", imapSrv.Username,
		"--imap-password", imapSrv.Password, "--imap-mailbox", "bench"}
	var out bytes.Buffer
	if err := runBench(t.Context(), append([]string{"ingest", "-n", "30"}, imapFlags...), env, &out); err != nil {
		t.Fatalf("ingest against an external IMAP server: %v", err)
	}
	if _, total := imaptest.Seen(t, imapSrv.Client(t)); total != 0 {
		t.Errorf("INBOX got %d messages; the bench was told to use the mailbox \"bench\"", total)
	}
	err := runBench(t.Context(), append([]string{"ingest", "-n", "30"}, imapFlags...), env, &out)
	if err == nil || !strings.Contains(err.Error(), "empty, dedicated mailbox") {
		t.Errorf("second run into the same mailbox: %v, want a refusal naming the fix", err)
	}
	fresh := envOf(map[string]string{"DATABASE_URL": pgtest.URL(t)})
	if err := runBench(t.Context(), []string{"notify", "-n", "30", "--smtp-addr", relay.Addr, "--smtp-tls", "none"}, fresh, &out); err != nil {
		t.Fatalf("notify against an external SMTP server: %v", err)
	}
	// The 30 of the burst, the 20 paced after it, and the 16 questions the
	// bench's world opens with.
	if got := len(relay.Messages()); got != 30+20+16 {
		t.Errorf("the external relay got %d notifications, want 66", got)
	}
}
