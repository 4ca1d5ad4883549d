package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"mailbot/internal/schema"
	"mailbot/threads"
)

func runMigrate(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	envFile := envFileFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	env, err := withEnvFile(*envFile, env)
	if err != nil {
		return err
	}
	url, err := databaseURL(env)
	if err != nil {
		return err
	}
	db, err := threads.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := schema.Migrate(ctx, db.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "applied %d migration(s); schema is current\n", n)
	return nil
}
