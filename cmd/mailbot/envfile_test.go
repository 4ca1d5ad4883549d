package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"mailbot/internal/pgtest"
)

func TestParseEnvFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want, err string
	}{
		{"plain", "A=1\nB_2=two words\n", "A=1 B_2=two words", ""},
		{"comments and blanks", "# settings\n\n; old style\n  A = 1  \n", "A=1", ""},
		{"quotes", "A=\"x y\"\nB='z'\nC=\"unmatched'\n", "A=x y B=z C=\"unmatched'", ""},
		{"export", "export A=1\n", "A=1", ""},
		{"no expansion", "A=$HOME/x\nB=postgres://u:p@h/db?sslmode=disable\n", "A=$HOME/x B=postgres://u:p@h/db?sslmode=disable", ""},
		{"CRLF", "A=1\r\nB=2\r\n", "A=1 B=2", ""},
		{"empty value", "A=\n", "A=", ""},
		{"no equals", "A=1\nDATABASE_URL\n", "", "line 2 is not KEY=VALUE"},
		{"bad name", "1A=x\n", "", "line 1 is not KEY=VALUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars, err := parseEnvFile([]byte(tt.in))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for k, v := range vars {
				got = append(got, k+"="+v)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != tt.want {
				t.Errorf("got %q, want %q", strings.Join(got, " "), tt.want)
			}
		})
	}
}

func TestWithEnvFileEnvironmentWins(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mailbot.env")
	os.WriteFile(path, []byte("A=file\nB=file\n"), 0o600)
	env, err := withEnvFile(path, envOf(map[string]string{"A": "environment"}))
	if err != nil {
		t.Fatal(err)
	}
	if env("A") != "environment" || env("B") != "file" || env("C") != "" {
		t.Errorf("A=%q B=%q C=%q", env("A"), env("B"), env("C"))
	}
	if _, err := withEnvFile(filepath.Join(t.TempDir(), "missing.env"), env); err == nil || !strings.HasPrefix(err.Error(), "--env-file: ") {
		t.Errorf("missing file: %v", err)
	}
}

// Postfix's pipe delivery runs ingest with an empty environment: the file
// carries every setting.
func TestIngestEnvFile(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	raw := seededReply(t, url, "Piped in with settings from a file.")
	var file strings.Builder
	for k, v := range serveEnv(url, "127.0.0.1:25") {
		fmt.Fprintf(&file, "%s=%s\n", k, v)
	}
	path := filepath.Join(t.TempDir(), "mailbot.env")
	if err := os.WriteFile(path, []byte("# mailbot\n"+file.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	none := envOf(nil)
	var out bytes.Buffer
	if err := ingestFrom(t.Context(), []string{"--env-file", path, "--to", "x@reply.example.test"}, none, bytes.NewReader(raw), &out); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if !strings.Contains(out.String(), ": posted") {
		t.Errorf("output %q", out.String())
	}
	// A file it cannot read keeps the mail with the MTA (exit 75).
	err := ingestFrom(t.Context(), []string{"--env-file", path + ".missing"}, none, bytes.NewReader(raw), &out)
	var exit *exitError
	if !errors.As(err, &exit) || exit.code != exTempFail {
		t.Errorf("ingest with a missing settings file: %v, want exit status 75", err)
	}
}

// The operator commands with subcommands take --env-file anywhere among
// their arguments.
func TestTakeEnvFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mailbot.env")
	os.WriteFile(file, []byte("DATABASE_URL=postgres://from-file/x\n"), 0o600)
	env := func(string) string { return "" }
	for _, args := range [][]string{
		{"grant", "--env-file", file, "a@b.test"},
		{"--env-file=" + file, "grant", "a@b.test"},
		{"grant", "-env-file", file, "a@b.test"},
	} {
		rest, got, err := takeEnvFile(args, env)
		if err != nil || strings.Join(rest, " ") != "grant a@b.test" || got("DATABASE_URL") != "postgres://from-file/x" {
			t.Errorf("%q: rest %q, DATABASE_URL %q, %v", args, rest, got("DATABASE_URL"), err)
		}
	}
	if _, _, err := takeEnvFile([]string{"grant", "--env-file"}, env); err == nil {
		t.Error("--env-file without a file was taken")
	}
}
