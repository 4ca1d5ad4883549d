package threads

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Options configure a Store. A nil *Options means defaults, except that a
// token key is required for reply tokens.
type Options struct {
	// TokenKey derives reply tokens from their stored nonces; at least 32
	// bytes. Without it the store generates a random one, so tokens do not
	// survive a restart: set it in production.
	TokenKey []byte
	// TokenTTL is how long a reply token stays valid after its last use in
	// a notification. Default 180 days.
	TokenTTL time.Duration
	// Now returns the current time; tests move it.
	Now func() time.Time
	// Files bound what one message may carry.
	Files FileLimits
	// Bucket, when set, keeps file bodies; nil keeps them in Postgres.
	Bucket Bucket
	// DatabaseURL is the database's connection string, for the connection
	// that listens for notifications (WatchOutbox); db's pool cannot.
	DatabaseURL string
	// Locales are the languages a person may be given: those the pages
	// and emails are written in. Default en and es.
	Locales []string
}

// Store keeps the domain in Postgres.
type Store struct {
	db       *sqlx.DB
	stmts    stmts
	tokenKey []byte
	tokenTTL time.Duration
	now      func() time.Time

	fileLimits FileLimits
	bucket     Bucket
	dsn        string
	locales    []string
}

// MinTokenKeyLen is the shortest reply-token key the store accepts.
const MinTokenKeyLen = 32

// NewStore returns a store on db.
func NewStore(db *sqlx.DB, opts *Options) (*Store, error) {
	s := &Store{db: db, tokenTTL: 180 * 24 * time.Hour, now: time.Now, locales: []string{"en", "es"}}
	if opts != nil {
		if len(opts.Locales) > 0 {
			s.locales = opts.Locales
		}
		s.tokenKey = opts.TokenKey
		if opts.TokenTTL > 0 {
			s.tokenTTL = opts.TokenTTL
		}
		if opts.Now != nil {
			s.now = opts.Now
		}
		s.fileLimits, s.bucket, s.dsn = opts.Files, opts.Bucket, opts.DatabaseURL
	}
	if s.tokenKey == nil {
		s.tokenKey = make([]byte, MinTokenKeyLen)
		rand.Read(s.tokenKey)
	}
	if len(s.tokenKey) < MinTokenKeyLen {
		return nil, fmt.Errorf("threads: token key has %d bytes, want at least %d", len(s.tokenKey), MinTokenKeyLen)
	}
	return s, nil
}

// IdleConnections is how many connections to Postgres one process keeps
// open between uses.
const IdleConnections = 16

// Open connects to Postgres at url with the lib/pq driver and checks it answers.
func Open(ctx context.Context, dsn string) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", WithBinaryParameters(dsn))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// database/sql keeps only two idle connections by default: with more
	// goroutines at work (web requests, intake lanes, outbox workers) the
	// rest were closed after each use, and a fresh connection costs a
	// handshake and loses its prepared statements. Keep a working set. The
	// number open is not capped: a statement's first preparation takes a
	// second connection while its transaction holds one.
	db.SetMaxIdleConns(IdleConnections)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if strings.Contains(err.Error(), "SSL is not enabled on the server") {
			return nil, fmt.Errorf("connect to database: %w (a server without TLS needs sslmode=disable in DATABASE_URL)", err)
		}
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return db, nil
}

// WithBinaryParameters adds lib/pq's binary_parameters option to a
// connection string unless it has one: each query then takes one round trip
// to the server instead of two.
func WithBinaryParameters(dsn string) string {
	if strings.Contains(dsn, "binary_parameters") {
		return dsn
	}
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("binary_parameters", "yes")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(dsn) + " binary_parameters=yes"
}

// Ready says the database answers and, with check, passes it: the caller
// brings the check (such as the schema's version), since the store knows
// nothing of migrations. A database that does not answer is ErrUnreachable;
// check's error is returned as it is.
func (s *Store) Ready(ctx context.Context, check func(context.Context, *sql.DB) error) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	if check == nil {
		return nil
	}
	return check(ctx, s.db.DB)
}

// Close closes the database handle the store was made with.
func (s *Store) Close() error { return s.db.Close() }

// withTx runs fn in a transaction, committing when it returns nil and rolling
// back on an error or a panic.
func (s *Store) withTx(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// notFound turns sql.ErrNoRows into ErrNotFound and wraps anything else.
func notFound(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// isUniqueViolation reports whether err is Postgres's unique_violation on constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23505" &&
		(constraint == "" || pqErr.Constraint == constraint)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// wrapStore adds context to a database error; nil stays nil.
func wrapStore(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", what, err)
}
