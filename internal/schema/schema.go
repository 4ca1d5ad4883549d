// Package schema applies the embedded migrations and tells whether a
// database's schema is current.
package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"mailbot/migrations"
)

// ErrBehind means the database lacks migrations this binary has.
var ErrBehind = errors.New("database schema is behind: run `mailbot migrate` (or pass --migrate)")

// ErrAhead means the database has migrations this binary does not know.
var ErrAhead = errors.New("database schema is newer than this binary: upgrade mailbot")

func provider(db *sql.DB) (*goose.Provider, error) {
	// A session lock keeps several instances starting at once from applying
	// the same migration twice.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("schema: locker: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration, each in its own transaction, and
// returns how many it applied.
func Migrate(ctx context.Context, db *sql.DB) (int, error) {
	p, err := provider(db)
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("schema: migrate: %w", err)
	}
	return len(results), nil
}

// Check returns nil when the schema is exactly current, ErrBehind when
// migrations are pending and ErrAhead when the database is newer.
func Check(ctx context.Context, db *sql.DB) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("schema: read version: %w", err)
	}
	switch {
	case current < target:
		return fmt.Errorf("%w (database at version %d, binary at %d)", ErrBehind, current, target)
	case current > target:
		return fmt.Errorf("%w (database at version %d, binary at %d)", ErrAhead, current, target)
	}
	return nil
}
