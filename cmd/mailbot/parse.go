package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"strings"

	"mailbot/mailbot/inbound"
	"mailbot/mailbot/replytext"
)

// parseReport is how the service reads one message.
type parseReport struct {
	Class      string              `json:"class"`
	Why        string              `json:"why,omitempty"`
	From       string              `json:"from,omitempty"`
	Subject    string              `json:"subject,omitempty"`
	MessageID  string              `json:"message_id,omitempty"`
	Candidates []inbound.Candidate `json:"candidates"`
	HTMLOnly   bool                `json:"html_only,omitempty"`
	Problems   []string            `json:"problems,omitempty"`
	Reply      string              `json:"reply"`
	Elided     string              `json:"elided"`
}

func runParse(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("parse", flag.ContinueOnError)
	as := fs.String("as", "eml", "what the input is: eml (a whole message), txt or html (a bare body), auto (by file name: .txt, .html, else eml)")
	asJSON := newBool(fs, "json", "print one JSON object")
	textOnly := newBool(fs, "text", "print only the extracted reply")
	classOnly := newBool(fs, "class", "print only the class: reply, auto-reply, bounce or other")
	sender := fs.String("sender", "", "who wrote a bare body, as in a From field (\"Dana Harbor <dana@example.com>\"); an eml's own From otherwise")
	filesFrom := fs.String("files-from", "", "read the names of the inputs from this file, one a line (- for standard input)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: mailbot parse [flags] FILE|DIR|- ...\n\nShows how the service reads a message, without touching the database.\n"+
			"Given several inputs, a directory or --files-from, it prints one JSON line per file.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *as {
	case "eml", "txt", "html", "auto":
	default:
		return fmt.Errorf("--as %q: want eml, txt, html or auto", *as)
	}
	var hint *replytext.Options
	if *sender != "" {
		hint = senderOptions(*sender)
	}
	names, batch, err := parseInputs(fs.Args(), *filesFrom)
	if err != nil {
		fs.Usage()
		return err
	}
	pattern := env("MAILBOT_REPLY_ADDRESS")
	if batch {
		return parseBatch(ctx, names, *as, pattern, hint, out)
	}
	raw, err := readInput(names[0])
	if err != nil {
		return err
	}
	rep, err := parseMessage(raw, inputKind(*as, names[0]), pattern, hint)
	if err != nil {
		return err
	}
	switch {
	case *classOnly:
		fmt.Fprintln(out, rep.Class)
	case *textOnly:
		fmt.Fprintln(out, rep.Reply)
	case *asJSON:
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	default:
		printReport(out, rep)
	}
	return nil
}

// parseInputs lists the files to read; batch says there are several (or a
// directory or a list), which are printed as one JSON line each.
func parseInputs(args []string, filesFrom string) (names []string, batch bool, err error) {
	if filesFrom != "" {
		list, err := readInput(filesFrom)
		if err != nil {
			return nil, false, err
		}
		for _, l := range strings.Split(string(list), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				names = append(names, l)
			}
		}
		batch = true
	}
	for _, a := range args {
		st, err := os.Stat(a)
		if a == "-" || err != nil || !st.IsDir() {
			names = append(names, a)
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, false, err
		}
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				names = append(names, filepath.Join(a, e.Name()))
			}
		}
		batch = true
	}
	if len(names) == 0 && !batch {
		return nil, false, fmt.Errorf("name a file, a directory, or - for standard input")
	}
	return names, batch || len(names) > 1, nil
}

// batchLine is one input of a batch: its name, and the report or why it
// could not be read.
type batchLine struct {
	File  string `json:"file"`
	Error string `json:"error,omitempty"`
	parseReport
}

func parseBatch(ctx context.Context, names []string, as, pattern string, hint *replytext.Options, out io.Writer) error {
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		line := batchLine{File: name}
		raw, err := readInput(name)
		if err == nil {
			line.parseReport, err = parseMessage(raw, inputKind(as, name), pattern, hint)
		}
		if err != nil {
			line.Error = err.Error()
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return w.Flush()
}

// inputKind resolves --as auto from the file name.
func inputKind(as, name string) string {
	if as != "auto" {
		return as
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".text":
		return "txt"
	case ".html", ".htm":
		return "html"
	}
	return "eml"
}

func senderOptions(from string) *replytext.Options {
	if a, err := mail.ParseAddress(from); err == nil {
		return &replytext.Options{SenderName: a.Name, SenderAddress: a.Address}
	}
	return &replytext.Options{SenderName: from}
}

func readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(os.Stdin, 64<<20))
	}
	return os.ReadFile(name)
}

func parseMessage(raw []byte, as, replyPattern string, hint *replytext.Options) (parseReport, error) {
	switch as {
	case "txt":
		r := replytext.ExtractWith(string(raw), hint)
		return parseReport{Class: string(inbound.ClassReply), Reply: r.Reply, Elided: r.Elided, Candidates: []inbound.Candidate{}}, nil
	case "html":
		r := replytext.ExtractHTMLWith(string(raw), hint)
		return parseReport{Class: string(inbound.ClassReply), Reply: r.Reply, Elided: r.Elided, HTMLOnly: true, Candidates: []inbound.Candidate{}}, nil
	case "eml":
	default:
		return parseReport{}, fmt.Errorf("--as %q: want eml, txt, html or auto", as)
	}
	m, err := inbound.Parse(raw, inbound.Limits{})
	if err != nil {
		return parseReport{Class: string(inbound.ClassOther), Why: err.Error(), Candidates: []inbound.Candidate{}}, nil
	}
	if replyPattern == "" {
		replyPattern = "reply+{token}@*"
	}
	matcher, err := inbound.NewMatcher(inbound.Addressing{ReplyPattern: replyPattern})
	if err != nil {
		return parseReport{}, fmt.Errorf("MAILBOT_REPLY_ADDRESS: %w", err)
	}
	class, why := inbound.Classify(m)
	if hint == nil {
		hint = &replytext.Options{SenderName: m.FromName, SenderAddress: m.From}
	}
	r := replytext.ExtractWith(m.Text, hint)
	if m.HTMLOnly {
		r = replytext.ExtractHTMLWith(m.HTML, hint)
	}
	rep := parseReport{Class: string(class), Why: why, From: m.From, Subject: m.Subject, MessageID: m.MessageID,
		Candidates: matcher.Candidates(m, nil), HTMLOnly: m.HTMLOnly, Problems: m.Problems, Reply: r.Reply, Elided: r.Elided}
	if rep.Candidates == nil {
		rep.Candidates = []inbound.Candidate{}
	}
	return rep, nil
}

func printReport(out io.Writer, r parseReport) {
	fmt.Fprintf(out, "class:      %s", r.Class)
	if r.Why != "" {
		fmt.Fprintf(out, " (%s)", r.Why)
	}
	fmt.Fprintf(out, "\nfrom:       %s\nsubject:    %s\nmessage-id: %s\n", r.From, r.Subject, r.MessageID)
	for _, c := range r.Candidates {
		if c.Token != "" {
			fmt.Fprintf(out, "candidate:  token %s… in %s\n", c.Token[:6], c.Field)
		} else {
			fmt.Fprintf(out, "candidate:  our Message-ID %s in %s\n", c.MailID, c.Field)
		}
	}
	if len(r.Candidates) == 0 {
		fmt.Fprintln(out, "candidate:  none")
	}
	for _, p := range r.Problems {
		fmt.Fprintf(out, "problem:    %s\n", p)
	}
	fmt.Fprintf(out, "--- reply%s ---\n%s\n--- elided ---\n%s\n", map[bool]string{true: " (from HTML)"}[r.HTMLOnly], r.Reply, strings.TrimSpace(r.Elided))
}
