package threads

import "github.com/jmoiron/sqlx"

// DBOf is a store's database handle, for tests that arrange or inspect
// rows no method reaches.
func DBOf(s *Store) *sqlx.DB { return s.db }
