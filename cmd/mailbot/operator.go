package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"mailbot/threads"
)

// openStore opens the store the operator commands work on; they need
// nothing but DATABASE_URL.
func openStore(ctx context.Context, env func(string) string) (*threads.Store, error) {
	url, err := databaseURL(env)
	if err != nil {
		return nil, err
	}
	db, err := threads.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	store, err := threads.NewStore(db, nil)
	if err != nil {
		db.Close()
		return nil, err
	}
	return store, nil
}

// readPassword asks twice, without echo, when in is a terminal; else it
// reads the first line of in (echo 'secret' | mailbot …), so a password
// stays out of the command line and the shell history.
func readPassword(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return promptPassword(int(f.Fd()), prompt)
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("give the password on standard input: echo 'the password' | mailbot …")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func promptPassword(fd int, prompt io.Writer) (string, error) {
	var typed [2]string
	for i, ask := range []string{"Password: ", "Again: "} {
		fmt.Fprint(prompt, ask)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		typed[i] = string(b)
	}
	if typed[0] != typed[1] {
		return "", errors.New("the two passwords differ; run the command again")
	}
	return typed[0], nil
}

// subcommand splits "VERB args…" and refuses a verb not in verbs.
func subcommand(args []string, out io.Writer, usage string, verbs ...string) (string, []string, error) {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(out, usage)
		return "", nil, flag.ErrHelp
	}
	for _, v := range verbs {
		if len(args) > 0 && args[0] == v {
			return v, args[1:], nil
		}
	}
	if len(args) == 0 {
		return "", nil, fmt.Errorf("name one of: %s (see --help)", strings.Join(verbs, ", "))
	}
	return "", nil, fmt.Errorf("unknown %q: use one of %s (see --help)", args[0], strings.Join(verbs, ", "))
}
