package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"mailbot/web"
)

func runPassword(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	return passwordFrom(ctx, args, env, os.Stdin, out)
}

// passwordFrom sets the password of the person who owns a verified address,
// asked for on a terminal or read from the first line of in, so it stays out
// of the shell history, and ends the person's sessions.
func passwordFrom(ctx context.Context, args []string, env func(string) string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("password", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: mailbot password [--env-file FILE] EMAIL\n       echo 'new password' | mailbot password [--env-file FILE] EMAIL\n\nSets or resets the password of the person with this verified address,\nand signs them out everywhere.")
		fs.PrintDefaults()
	}
	envFile := envFileFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("name the person's email address")
	}
	env, err := withEnvFile(*envFile, env)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	password, err := readPassword(in, os.Stderr)
	if err != nil {
		return err
	}
	hash, err := web.HashPassword(password)
	if err != nil {
		return err
	}
	p, _, err := store.Credentials(ctx, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("no person has the verified address %s", fs.Arg(0))
	}
	if err := store.SetPasswordHash(ctx, p.ID, hash); err != nil {
		return err
	}
	fmt.Fprintf(out, "password set for %s; their sessions are ended\n", p.Name)
	return nil
}
