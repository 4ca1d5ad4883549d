package threads

import (
	"context"
	"database/sql"
	"sync"

	"github.com/jmoiron/sqlx"
)

// stmts caches prepared statements for the queries on the mail and post
// paths: Postgres then plans them once per connection instead of at every
// call, which was half their cost.
type stmts struct {
	mu sync.Mutex
	m  map[string]*sqlx.Stmt
}

// prepared returns the statement for query, prepared once for the store and
// bound to tx when tx is set.
func (s *Store) prepared(ctx context.Context, tx *sqlx.Tx, query string) (*sqlx.Stmt, error) {
	s.stmts.mu.Lock()
	st, ok := s.stmts.m[query]
	if !ok {
		var err error
		if st, err = s.db.PreparexContext(ctx, query); err != nil {
			s.stmts.mu.Unlock()
			return nil, wrapStore("prepare", err)
		}
		if s.stmts.m == nil {
			s.stmts.m = map[string]*sqlx.Stmt{}
		}
		s.stmts.m[query] = st
	}
	s.stmts.mu.Unlock()
	if tx != nil {
		return tx.StmtxContext(ctx, st), nil
	}
	return st, nil
}

// getPrepared runs a one-row query through its prepared statement.
func (s *Store) getPrepared(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	st, err := s.prepared(ctx, tx, query)
	if err != nil {
		return err
	}
	return st.GetContext(ctx, dest, args...)
}

// selectPrepared runs a query through its prepared statement and scans
// every row into dest, a pointer to a slice.
func (s *Store) selectPrepared(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	st, err := s.prepared(ctx, tx, query)
	if err != nil {
		return err
	}
	return st.SelectContext(ctx, dest, args...)
}

// execPrepared runs a statement through its prepared form.
func (s *Store) execPrepared(ctx context.Context, tx *sqlx.Tx, query string, args ...any) error {
	_, err := s.execPreparedResult(ctx, tx, query, args...)
	return err
}

// execPreparedResult is execPrepared for a caller that counts the rows.
func (s *Store) execPreparedResult(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (sql.Result, error) {
	st, err := s.prepared(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}
