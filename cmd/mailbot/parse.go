package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
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
	as := fs.String("as", "eml", "what the input is: eml (a whole message), txt or html (a bare body)")
	asJSON := newBool(fs, "json", "print one JSON object")
	textOnly := newBool(fs, "text", "print only the extracted reply")
	classOnly := newBool(fs, "class", "print only the class: reply, auto-reply, bounce or other")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: mailbot parse [flags] FILE|-\n\nShows how the service reads a message, without touching the database.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("name one file, or - for standard input")
	}
	raw, err := readInput(fs.Arg(0))
	if err != nil {
		return err
	}
	rep, err := parseMessage(raw, *as, env("MAILBOT_REPLY_ADDRESS"))
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

func readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(os.Stdin, 64<<20))
	}
	return os.ReadFile(name)
}

func parseMessage(raw []byte, as, replyPattern string) (parseReport, error) {
	switch as {
	case "txt":
		r := replytext.Extract(string(raw))
		return parseReport{Class: string(inbound.ClassReply), Reply: r.Reply, Elided: r.Elided, Candidates: []inbound.Candidate{}}, nil
	case "html":
		r := replytext.ExtractHTML(string(raw))
		return parseReport{Class: string(inbound.ClassReply), Reply: r.Reply, Elided: r.Elided, HTMLOnly: true, Candidates: []inbound.Candidate{}}, nil
	case "eml":
	default:
		return parseReport{}, fmt.Errorf("--as %q: want eml, txt or html", as)
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
	r := replytext.Extract(m.Text)
	if m.HTMLOnly {
		r = replytext.ExtractHTML(m.HTML)
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
