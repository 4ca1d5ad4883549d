// Package migrations holds the ordered SQL migrations of the service's
// Postgres schema, embedded so the binary carries its own schema.
package migrations

import "embed"

// FS holds the migration files, named NNNNN_description.sql in the goose format.
//
//go:embed *.sql
var FS embed.FS
