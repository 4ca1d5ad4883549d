// Package pgtest gives tests real Postgres databases: each test gets a fresh
// database with the current schema, on the server TEST_DATABASE_URL names or
// else on a throwaway cluster started from the local server binaries.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"mailbot/internal/aptinstall"
	"mailbot/internal/envbool"
	"mailbot/internal/pgcluster"
	"mailbot/internal/schema"
	"mailbot/threads"
)

type server struct {
	admin    *sqlx.DB // connection to a maintenance database
	baseURL  *url.URL
	template string
	prefix   string
	cluster  *pgcluster.Cluster
	dir      string
}

var (
	srv     *server
	counter atomic.Int64
	// Concurrent CREATE DATABASE from one template can fail while another
	// copy reads it, so copies are made one at a time.
	createMu sync.Mutex
)

// Main runs the package's tests with a database server; call it from TestMain.
// When no server can be had it fails, saying what to install or set.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	s, err := start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: no database for the tests:", err)
		fmt.Fprintln(os.Stderr, "pgtest: set TEST_DATABASE_URL to a Postgres server where the tests may create databases, or install the PostgreSQL server binaries (Debian: apt-get install postgresql)")
		return 1
	}
	srv = s
	code := m.Run()
	s.close()
	return code
}

func start(ctx context.Context) (*server, error) {
	s := &server{prefix: fmt.Sprintf("mbtest_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)}
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		durable, err := durableCommits()
		if err != nil {
			return nil, err
		}
		dir, err := os.MkdirTemp("", "mailbot-pg-")
		if err != nil {
			return nil, err
		}
		s.dir = dir
		opts := pgcluster.Options{Dir: dir, Fast: !durable}
		s.cluster, err = pgcluster.Start(ctx, opts)
		if errors.Is(err, pgcluster.ErrNoBinaries) && InstallServer() == nil {
			s.cluster, err = pgcluster.Start(ctx, opts)
		}
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if err := s.cluster.StopWhenGone(os.Getpid()); err != nil {
			s.close()
			return nil, err
		}
		raw = s.cluster.URL("postgres")
	}
	u, err := url.Parse(raw)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("TEST_DATABASE_URL: %w", err)
	}
	s.baseURL = u
	if s.admin, err = sqlx.ConnectContext(ctx, "postgres", raw); err != nil {
		s.close()
		return nil, err
	}
	if err := s.makeTemplate(ctx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// durableCommits reads PGTEST_DURABLE: on keeps fsync on, for benchmarks of
// durable commits.
func durableCommits() (bool, error) {
	s := os.Getenv("PGTEST_DURABLE")
	if s == "" {
		return false, nil
	}
	v, ok := envbool.Parse(s)
	if !ok {
		return false, fmt.Errorf("PGTEST_DURABLE must be %s, not %q", envbool.Spellings, s)
	}
	return v, nil
}

func (s *server) makeTemplate(ctx context.Context) error {
	s.template = s.prefix + "_template"
	if _, err := s.admin.ExecContext(ctx, `CREATE DATABASE `+s.template); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	db, err := sqlx.ConnectContext(ctx, "postgres", s.urlFor(s.template))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := schema.Migrate(ctx, db.DB); err != nil {
		return err
	}
	return nil
}

func (s *server) urlFor(name string) string {
	u := *s.baseURL
	u.Path = "/" + name
	return u.String()
}

func (s *server) close() {
	if s.admin != nil && s.cluster == nil {
		dropAll(s.admin, s.prefix)
	}
	if s.admin != nil {
		s.admin.Close()
	}
	if s.cluster != nil {
		s.cluster.Stop(context.Background(), true)
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// installPostgres installs the server binaries where the tests may: as root
// on a Debian-like system. Elsewhere the caller's error says what to install.
func InstallServer() error {
	return aptinstall.Install("postgresql", func() bool {
		m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
		return len(m) > 0
	})
}

// dropAll removes the databases this run made on a shared server.
func dropAll(admin *sqlx.DB, prefix string) {
	var names []string
	admin.Select(&names, `SELECT datname FROM pg_database WHERE datname LIKE $1`, prefix+"%")
	for _, n := range names {
		admin.Exec(`DROP DATABASE IF EXISTS ` + n + ` WITH (FORCE)`)
	}
}

// URL creates a fresh database with the current schema and returns its
// connection string; the database is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	return create(t, srv.template)
}

// EmptyURL is URL without the schema: a database no migration has touched.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return create(t, "template0")
}

func create(t testing.TB, template string) string {
	t.Helper()
	if srv == nil {
		t.Fatal("pgtest: call pgtest.Main(m) from TestMain")
	}
	name := fmt.Sprintf("%s_%d", srv.prefix, counter.Add(1))
	createMu.Lock()
	_, err := srv.admin.ExecContext(context.Background(), `CREATE DATABASE `+name+` TEMPLATE `+template)
	createMu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		srv.admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return srv.urlFor(name)
}

var (
	sharedMu sync.Mutex
	shared   = map[string]string{}
)

// SharedURL is a database with the current schema that lives until the
// package's tests end, one per key: for benchmarks that seed much data once.
func SharedURL(tb testing.TB, key string) (url string, fresh bool) {
	tb.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if u, ok := shared[key]; ok {
		return u, false
	}
	name := fmt.Sprintf("%s_shared_%d", srv.prefix, counter.Add(1))
	createMu.Lock()
	_, err := srv.admin.ExecContext(context.Background(), `CREATE DATABASE `+name+` TEMPLATE `+srv.template)
	createMu.Unlock()
	if err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	shared[key] = srv.urlFor(name)
	return shared[key], true
}

// DB is URL opened with sqlx; it is closed when the test ends.
func DB(t testing.TB) *sqlx.DB {
	t.Helper()
	return Open(t, URL(t))
}

// Open opens url with sqlx, for a test that reaches rows the code under test
// keeps to itself; it is closed when the test ends.
func Open(t testing.TB, url string) *sqlx.DB {
	t.Helper()
	db, err := threads.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
