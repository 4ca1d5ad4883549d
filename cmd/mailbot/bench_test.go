package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"mailbot/internal/pgtest"
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
		{[]string{"notify", "-n", "40", "--json"}, "notifications_per_s"},
		{[]string{"web", "-n", "10", "--json"}, "transaction_1000_p99_ms"},
	} {
		var out bytes.Buffer
		if err := runBench(t.Context(), c.args, env, &out); err != nil {
			t.Fatalf("bench %v: %v", c.args, err)
		}
		var res benchResult
		if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Figures[c.want] <= 0 {
			t.Errorf("bench %v printed %s; want a positive %s", c.args, out.String(), c.want)
		}
	}
	if err := runBench(t.Context(), []string{"nope"}, env, &bytes.Buffer{}); err == nil {
		t.Error("an unknown benchmark was accepted")
	}
}
