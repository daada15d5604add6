package eventstoretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/postgres"
	"github.com/appraisal-hr/appraisal/eventstore/sqlite"
)

// Environment variables that bring PostgreSQL into the tests.
const (
	DatabaseURLEnv     = "APPRAISAL_TEST_DATABASE_URL"
	RequirePostgresEnv = "APPRAISAL_REQUIRE_POSTGRES"
)

// NewSQLite returns a migrated SQLite store in a fresh file under t.TempDir(),
// closed when the test ends. Every migration of every area is applied, so read
// models can be tested on it too.
func NewSQLite(t testing.TB) *sqlite.Store {
	t.Helper()
	return NewSQLiteWith(t, sqlite.Options{})
}

// NewSQLiteWith is NewSQLite with options (upcasters, poll interval).
func NewSQLiteWith(t testing.TB, opts sqlite.Options) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "appraisal.db"), opts)
	if err != nil {
		t.Fatalf("open sqlite store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate sqlite store: %v", err)
	}
	return s
}

// PostgresURL returns APPRAISAL_TEST_DATABASE_URL. Without it the test is
// skipped with a message saying how to enable it, or fails when
// APPRAISAL_REQUIRE_POSTGRES=1 (as CI sets it).
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(DatabaseURLEnv)
	if u != "" {
		return u
	}
	msg := "PostgreSQL tests need " + DatabaseURLEnv + " (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)"
	if os.Getenv(RequirePostgresEnv) == "1" {
		t.Fatal(msg + ", and " + RequirePostgresEnv + "=1 makes them mandatory")
	}
	t.Skip(msg)
	return ""
}

// NewPostgres returns a migrated PostgreSQL store in a fresh schema of the test
// database (search_path set in its connection string), so tests of several
// packages can run at once; the schema is dropped when the test ends.
func NewPostgres(t testing.TB) *postgres.Store {
	t.Helper()
	return NewPostgresWith(t, postgres.Options{})
}

// NewPostgresWith is NewPostgres with options.
func NewPostgresWith(t testing.TB, opts postgres.Options) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	dsn := FreshSchema(t)
	s, err := postgres.Open(ctx, dsn, opts)
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate postgres store: %v", err)
	}
	return s
}

// FreshSchema creates an empty schema dropped after the test and returns a
// connection string whose search_path is that schema.
func FreshSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	exec(t, base, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { exec(t, base, "DROP SCHEMA "+schema+" CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", DatabaseURLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", DatabaseURLEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// ReadWholeLog reads the whole log in pages of 2,000 events, as a catch-up
// does (the baseline of the rebuild benchmarks), and returns how many
// events it read.
func ReadWholeLog(ctx context.Context, s eventstore.Store) (int64, error) {
	var after, n int64
	for {
		page, err := s.ReadAll(ctx, after, 2000)
		if err != nil || len(page) == 0 {
			return n, err
		}
		n += int64(len(page))
		after = page[len(page)-1].Position
	}
}
