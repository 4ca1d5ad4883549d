package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"mailbot/threads"
	"mailbot/web"
)

const personUsage = `usage: mailbot person add --email ADDRESS --name NAME [--staff] [--id ID] [--locale en|es] [--time-zone ZONE] [--env-file FILE]

Adds a person who signs in with this address and a password, asked for
twice on a terminal or read from the first line of standard input. The
address counts as verified.

Examples:
  mailbot person add --email ana@firm.example --name "Ana Ruiz" --staff
  echo 'long password' | mailbot person add --email ana@firm.example --name "Ana Ruiz" --staff

--id is the person's id in the ledger, when the ledger will sync them too
(default: made from the address).
`

const staffUsage = `usage: mailbot staff grant|revoke [--env-file FILE] EMAIL

Gives the person with this address staff rights (the /admin pages), or
takes them away; it takes effect at their next request.

Examples:
  mailbot staff grant ana@firm.example
  mailbot staff revoke ana@firm.example
`

func runPerson(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	args, env, err := takeEnvFile(args, env)
	if err != nil {
		return err
	}
	return personFrom(ctx, args, env, os.Stdin, out)
}

func personFrom(ctx context.Context, args []string, env func(string) string, in io.Reader, out io.Writer) error {
	_, args, err := subcommand(args, out, personUsage, "add")
	if err != nil {
		return err
	}
	return personAdd(ctx, args, env, in, out)
}

// personAdd creates a person with a verified address and a password.
func personAdd(ctx context.Context, args []string, env func(string) string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("person add", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), personUsage+"\nFlags:\n")
		fs.PrintDefaults()
	}
	pi := threads.PersonInput{}
	var email string
	fs.StringVar(&email, "email", "", "the address they sign in with and get mail at")
	fs.StringVar(&pi.Name, "name", "", "their name as others see it")
	fs.StringVar(&pi.ExternalID, "id", "", "their id in the ledger (default: made from the address)")
	fs.StringVar(&pi.Locale, "locale", "en", "language of their pages and mail: en or es")
	fs.StringVar(&pi.TimeZone, "time-zone", "UTC", "IANA time zone their times are shown in")
	boolVar(fs, &pi.Staff, "staff", "may use /admin")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case email == "":
		return errors.New(`give the person's address: --email ana@firm.example (see --help)`)
	case strings.TrimSpace(pi.Name) == "":
		return errors.New(`give the person's name: --name "Ana Ruiz" (see --help)`)
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected %q: quote a name with spaces, --name \"Ana Ruiz\"", fs.Arg(0))
	}
	addr, err := threads.NormalizeEmail(email)
	if err != nil {
		return fmt.Errorf("--email %q is not a plain address such as ana@firm.example", email)
	}
	if pi.ExternalID == "" {
		pi.ExternalID = idFromAddress(addr)
	}
	pi.Emails = []threads.EmailAddress{{Address: addr, Verified: true}}
	store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	if p, err := store.PersonByEmail(ctx, addr); err == nil {
		return fmt.Errorf("%s already belongs to %s: set a password with `mailbot password %s`, staff rights with `mailbot staff grant %s`",
			addr, p.Name, addr, addr)
	}
	password, err := readPassword(in, os.Stderr)
	if err != nil {
		return err
	}
	hash, err := web.HashPassword(password)
	if err != nil {
		return err
	}
	p, err := store.CreatePerson(ctx, pi, hash)
	if err != nil {
		return err
	}
	role := ""
	if p.Staff {
		role = ", staff"
	}
	fmt.Fprintf(out, "added %s <%s> (id %s%s); they sign in with this address and the password given\n", p.Name, addr, p.ExternalID, role)
	return nil
}

var notInID = regexp.MustCompile(`[^A-Za-z0-9._:-]+`)

// idFromAddress makes a person id from an address: ana@firm.example
// becomes ana_at_firm.example.
func idFromAddress(addr string) string {
	id := strings.TrimLeft(notInID.ReplaceAllString(strings.Replace(addr, "@", "_at_", 1), "-"), "._:-")
	return id[:min(len(id), 128)]
}

func runStaff(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	args, env, err := takeEnvFile(args, env)
	if err != nil {
		return err
	}
	verb, args, err := subcommand(args, out, staffUsage, "grant", "revoke")
	if err != nil {
		return err
	}
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("name the person's address: mailbot staff %s ana@firm.example", verb)
	}
	store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	p, err := store.SetStaff(ctx, args[0], verb == "grant")
	if errors.Is(err, threads.ErrNotFound) {
		return fmt.Errorf("no person has the address %s: add one with `mailbot person add --email %s --name \"…\"`", args[0], args[0])
	}
	if err != nil {
		return err
	}
	if p.Staff {
		fmt.Fprintf(out, "%s is staff now\n", p.Name)
		return nil
	}
	fmt.Fprintf(out, "%s is no longer staff\n", p.Name)
	if ok, err := store.HasStaffLogin(ctx); err == nil && !ok {
		fmt.Fprintln(out, "nobody who can sign in is staff now: grant it with `mailbot staff grant EMAIL`")
	}
	return nil
}
