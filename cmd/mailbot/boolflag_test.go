package main

import (
	"bytes"
	"strings"
	"testing"
)

// On/off flags take the spellings the environment takes.
func TestOnOffFlags(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--env", "--env=yes", "--env=ON", "--env=1"} {
		var out bytes.Buffer
		if err := runServe(t.Context(), []string{arg}, envOf(nil), &out); err != nil || !strings.Contains(out.String(), "DATABASE_URL") {
			t.Errorf("serve %s: err %v, want the variables listed", arg, err)
		}
	}
	err := runServe(t.Context(), []string{"--env=maybe"}, envOf(nil), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "-env") || !strings.Contains(err.Error(), "yes/no") {
		t.Errorf("serve --env=maybe: err %v, want one naming the flag and the spellings", err)
	}
	// Off means off: serve goes on to read its settings.
	if err := runServe(t.Context(), []string{"--env=no"}, envOf(nil), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "DATABASE_URL is not set") {
		t.Errorf("serve --env=no: err %v, want serve to start and miss DATABASE_URL", err)
	}
}
