package schema_test

import (
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"mailbot/internal/pgtest"
	"mailbot/internal/schema"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestCheckAndMigrate(t *testing.T) {
	t.Parallel()
	db, err := sqlx.Connect("postgres", pgtest.EmptyURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	if err := schema.Check(ctx, db.DB); !errors.Is(err, schema.ErrBehind) {
		t.Fatalf("Check on an empty database = %v, want ErrBehind", err)
	}
	n, err := schema.Migrate(ctx, db.DB)
	if err != nil || n == 0 {
		t.Fatalf("Migrate = %d, %v; want some migrations applied", n, err)
	}
	if err := schema.Check(ctx, db.DB); err != nil {
		t.Fatalf("Check after Migrate = %v", err)
	}
	if n, err := schema.Migrate(ctx, db.DB); err != nil || n != 0 {
		t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
	}
	// A database migrated by a newer binary is refused too.
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	if err := schema.Check(ctx, db.DB); !errors.Is(err, schema.ErrAhead) {
		t.Fatalf("Check on a newer database = %v, want ErrAhead", err)
	}
}
