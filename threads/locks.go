package threads

import (
	"context"
	"database/sql"
	"fmt"
)

// Lock is a Postgres session advisory lock, held on its own connection: when
// the process holding it dies, the connection closes and the lock is free.
type Lock struct {
	conn *sql.Conn
	key  string
}

// TryLock takes the named lock if it is free; ok is false when another
// session holds it.
func (s *Store) TryLock(ctx context.Context, key string) (*Lock, bool, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, wrapStore("lock connection", err)
	}
	var ok bool
	err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(('x' || substr(md5($1), 1, 16))::bit(64)::bigint)`, key).Scan(&ok)
	if err != nil || !ok {
		conn.Close()
		return nil, false, wrapStore("try lock", err)
	}
	return &Lock{conn: conn, key: key}, true, nil
}

// Alive reports an error when the lock's connection is gone, and with it the
// lock.
func (l *Lock) Alive(ctx context.Context) error {
	if err := l.conn.PingContext(ctx); err != nil {
		return fmt.Errorf("lock %s lost: %w", l.key, err)
	}
	return nil
}

// Release frees the lock and its connection.
func (l *Lock) Release() {
	l.conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(('x' || substr(md5($1), 1, 16))::bit(64)::bigint)`, l.key)
	l.conn.Close()
}
