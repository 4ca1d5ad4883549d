// Command mailbot runs the service: its web pages and API, its mail in and
// out, its schema migrations and its demo.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // time zones of people, even where the system has none

	"mailbot/mailbot/inbound"
)

const usage = `mailbot: conversations about ledger transactions, by web and by email

Usage:
  mailbot demo [flags]      run everything locally with demo data, no set-up needed
  mailbot serve [--migrate] run the service as configured by environment variables
  mailbot migrate           apply pending database migrations (needs DATABASE_URL)
  mailbot ingest            record one mail from standard input (for pipe delivery)
  mailbot parse FILE|DIR|-  show how the service reads a message, without a database
  mailbot password EMAIL    set a person's password (asked for, or read from standard input)
  mailbot person add        add a person who signs in (--email, --name, --staff)
  mailbot staff grant|revoke EMAIL  give or take away staff rights (/admin)
  mailbot apikey create|list|revoke [NAME]  keys of the JSON API
  mailbot bench ingest|notify|web   measure the service in process (-n, --json)

serve, migrate, ingest and password take --env-file FILE: settings as KEY=VALUE
lines (the file systemd's EnvironmentFile names), for where the environment
has none, such as Postfix's pipe delivery.

Run 'mailbot COMMAND -h' for a command's flags.
`

type command struct {
	run func(ctx context.Context, args []string, env func(string) string, out io.Writer) error
}

var commands = map[string]command{
	"demo":     {runDemo},
	"serve":    {runServe},
	"migrate":  {runMigrate},
	"parse":    {runParse},
	"ingest":   {runIngest},
	"password": {runPassword},
	"person":   {runPerson},
	"staff":    {runStaff},
	"apikey":   {runAPIKey},
	"bench":    {runBench},
}

func main() {
	inbound.InstallCharsetReader()
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		if os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
			fmt.Print(usage)
			return
		}
		fmt.Fprintf(os.Stderr, "mailbot: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.run(ctx, os.Args[2:], os.Getenv, os.Stdout)
	var exit *exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, &exit):
		fmt.Fprintf(os.Stderr, "mailbot %s: %v\n", os.Args[1], err)
		os.Exit(exit.code)
	default:
		fmt.Fprintf(os.Stderr, "mailbot %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func newLogger(out io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
