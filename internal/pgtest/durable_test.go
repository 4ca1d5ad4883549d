package pgtest

import (
	"strings"
	"testing"
)

func TestDurableCommitsSetting(t *testing.T) {
	for v, want := range map[string]bool{"": false, "1": true, "yes": true, "ON": true, "true": true, "0": false, "off": false} {
		t.Setenv("PGTEST_DURABLE", v)
		if got, err := durableCommits(); got != want || err != nil {
			t.Errorf("PGTEST_DURABLE=%q: %v, %v; want %v", v, got, err, want)
		}
	}
	t.Setenv("PGTEST_DURABLE", "fsync")
	if _, err := durableCommits(); err == nil || !strings.Contains(err.Error(), "PGTEST_DURABLE") {
		t.Errorf("PGTEST_DURABLE=fsync: err %v, want one naming the variable", err)
	}
}
