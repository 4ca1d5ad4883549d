package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"mailbot/threads"
)

const apikeyUsage = `usage: mailbot apikey create|list|revoke [--env-file FILE] [NAME]

Keys of the JSON API (Authorization: Bearer KEY). A new key is printed
once, alone on standard output; only its hash is stored. The name says who
uses it; no two live keys share a name.

Examples:
  mailbot apikey create ledger        # prints mbk_…; keep it in the ledger's settings
  K=$(mailbot apikey create ledger)
  mailbot apikey list                 # name, created, last used (to the minute), revoked
  mailbot apikey revoke ledger        # requests with it are refused from now on
`

func runAPIKey(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	args, env, err := takeEnvFile(args, env)
	if err != nil {
		return err
	}
	return apikeyCmd(ctx, args, env, out, os.Stderr)
}

// apikeyCmd writes what a script wants (the key, the list) to out and
// remarks for the operator to note.
func apikeyCmd(ctx context.Context, args []string, env func(string) string, out, note io.Writer) error {
	verb, args, err := subcommand(args, out, apikeyUsage, "create", "list", "revoke")
	if err != nil {
		return err
	}
	if verb == "list" && len(args) > 0 || verb != "list" && (len(args) != 1 || strings.HasPrefix(args[0], "-")) {
		return fmt.Errorf("usage: mailbot apikey %s (see --help)", map[string]string{"create": "create NAME",
			"list": "list", "revoke": "revoke NAME"}[verb])
	}
	store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	switch verb {
	case "create":
		key, err := store.CreateAPIKey(ctx, args[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(out, key)
		fmt.Fprintf(note, "API key %q made; it is shown this once, keep it now\n", strings.TrimSpace(args[0]))
	case "revoke":
		err := store.RevokeAPIKey(ctx, args[0])
		if errors.Is(err, threads.ErrNotFound) {
			return fmt.Errorf("no live key is called %q: `mailbot apikey list` shows their names", args[0])
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "API key %q revoked; requests with it are refused from now on\n", args[0])
	default:
		keys, err := store.APIKeys(ctx)
		if err != nil {
			return err
		}
		printAPIKeys(out, keys)
	}
	return nil
}

func printAPIKeys(out io.Writer, keys []threads.APIKey) {
	if len(keys) == 0 {
		fmt.Fprintln(out, "no API keys; make one with `mailbot apikey create NAME`")
		return
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tCREATED\tLAST USED\tREVOKED")
	for _, k := range keys {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", k.Name, utcMinute(&k.CreatedAt, ""), utcMinute(k.LastUsed, "never"),
			utcMinute(k.RevokedAt, "-"))
	}
	w.Flush()
}

func utcMinute(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
