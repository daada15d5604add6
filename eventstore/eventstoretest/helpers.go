package eventstoretest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/appraisal-hr/appraisal/eventstore/sqlite"
	"github.com/appraisal-hr/appraisal/migrations"
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
	if _, err := migrations.Apply(ctx, s.DB(), migrations.SQLite, nil); err != nil {
		t.Fatalf("migrate sqlite store: %v", err)
	}
	return s
}
