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

func TestParseBatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("Noted.\n\nOn Mon, Avery wrote:\n> Paid?\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "b.html"), []byte(`<p>Yes.</p><blockquote>Paid?</blockquote>`), 0o600)
	os.WriteFile(filepath.Join(dir, "c.eml"), []byte("From: Dana <dana@client.test>\r\nSubject: Re: x\r\n\r\nDone.\r\n"), 0o600)
	env := envOf(nil)
	var out bytes.Buffer
	if err := runParse(t.Context(), []string{"--as", "auto", dir, filepath.Join(dir, "missing.txt")}, env, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []struct{ file, reply, err string }{{"a.txt", "Noted.", ""}, {"b.html", "Yes.", ""}, {"c.eml", "Done.", ""}, {"missing.txt", "", "no such file"}}
	if len(lines) != len(want) {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	for i, w := range want {
		var got batchLine
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatal(err)
		}
		if filepath.Base(got.File) != w.file || got.Reply != w.reply || !strings.Contains(got.Error, w.err) {
			t.Errorf("line %d = %+v, want %+v", i, got, w)
		}
	}
	list := filepath.Join(dir, "list")
	os.WriteFile(list, []byte(filepath.Join(dir, "a.txt")+"\n"), 0o600)
	out.Reset()
	if err := runParse(t.Context(), []string{"--as", "auto", "--files-from", list}, env, &out); err != nil || !strings.Contains(out.String(), `"reply":"Noted."`) {
		t.Errorf("--files-from: %v %s", err, out.String())
	}
}
