package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	token := strings.Repeat("b", 32)
	eml := filepath.Join(dir, "reply.eml")
	os.WriteFile(eml, []byte("From: Dana Harbor <Dana@Client.test>\r\nTo: reply+"+strings.ToUpper(token)+"@reply.example.test\r\n"+
		"Subject: Re: Invoice A-1001\r\nMessage-ID: <1@client.test>\r\n\r\nThe spring order.\r\n\r\n"+
		"On Tue, Mar 3, 2026 at 9:14 AM Avery <a@mail.example.test> wrote:\r\n> What was it?\r\n"), 0o600)
	html := filepath.Join(dir, "body.html")
	os.WriteFile(html, []byte(`<p>Yes, paid.</p><p>On Tue, Avery &lt;a@b.test&gt; wrote:</p><blockquote>Paid?</blockquote>`), 0o600)
	txt := filepath.Join(dir, "body.txt")
	os.WriteFile(txt, []byte("Noted.\n\nSent from my iPhone\n"), 0o600)
	env := envOf(map[string]string{"MAILBOT_REPLY_ADDRESS": "reply+{token}@reply.example.test"})

	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := runParse(t.Context(), args, env, &out); err != nil {
			t.Fatalf("parse %v: %v", args, err)
		}
		return strings.TrimSpace(out.String())
	}
	if got := run("--class", eml); got != "reply" {
		t.Errorf("--class = %q", got)
	}
	if got := run("--text", eml); got != "The spring order." {
		t.Errorf("--text = %q", got)
	}
	var rep parseReport
	if err := json.Unmarshal([]byte(run("--json", eml)), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.From != "dana@client.test" || len(rep.Candidates) != 1 || rep.Candidates[0].Token != token ||
		rep.Candidates[0].Field != "To" || !strings.Contains(rep.Elided, "What was it?") {
		t.Errorf("--json = %+v", rep)
	}
	if got := run(eml); !strings.Contains(got, "class:      reply") || !strings.Contains(got, "candidate:  token bbbbbb… in To") {
		t.Errorf("report:\n%s", got)
	}
	if got := run("--text", "--as", "html", html); got != "Yes, paid." {
		t.Errorf("--as html --text = %q", got)
	}
	if got := run("--text", "--as", "txt", txt); got != "Noted." {
		t.Errorf("--as txt --text = %q", got)
	}
	var out bytes.Buffer
	if err := runParse(t.Context(), []string{"--as", "pdf", txt}, env, &out); err == nil {
		t.Error("--as pdf accepted")
	}
}
