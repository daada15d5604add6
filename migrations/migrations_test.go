package migrations_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/migrations"
)

var fileName = regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)

// numbers lists one backend's migration numbers, checking each file's form.
func numbers(t *testing.T, d migrations.Dialect) []string {
	t.Helper()
	fsys, err := migrations.FS(d)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var nums []string
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			t.Errorf("%s/%s: name is not NNNNN_name.sql", d, e.Name())
			continue
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(body), "-- +goose Up") || strings.Contains(string(body), "-- +goose Down") {
			t.Errorf("%s/%s: want a forward-only migration (an Up section and no Down)", d, e.Name())
		}
		nums = append(nums, m[1])
	}
	return nums
}

func TestBothBackendsHaveTheSameMigrationNumbers(t *testing.T) {
	pg, lite := numbers(t, migrations.Postgres), numbers(t, migrations.SQLite)
	if !slices.Equal(pg, lite) {
		t.Fatalf("migration numbers differ:\npostgres %v\nsqlite   %v", pg, lite)
	}
	if len(pg) == 0 {
		t.Fatal("no migrations embedded")
	}
}

func TestSQLite(t *testing.T) {
	testMigrations(t, eventstoretest.NewSQLite(t).DB(), migrations.SQLite, "?")
}

func TestPostgres(t *testing.T) {
	store := eventstoretest.NewPostgres(t)
	db := stdlib.OpenDBFromPool(store.Pool())
	t.Cleanup(func() { db.Close() })
	testMigrations(t, db, migrations.Postgres, "$1")
}

// testMigrations runs on a database the helper already migrated once.
func testMigrations(t *testing.T, db *sql.DB, d migrations.Dialect, param string) {
	ctx := context.Background()
	t.Run("migrating again is a no-op", func(t *testing.T) {
		res, err := migrations.Apply(ctx, db, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Applied) != 0 || res.From != res.To || res.To == 0 {
			t.Fatalf("second migrate did something: %+v", res)
		}
	})
	t.Run("a database newer than the binary is refused with a clear message", func(t *testing.T) {
		if _, err := db.ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (`+param+`, true)`, 99999); err != nil {
			t.Fatal(err)
		}
		_, err := migrations.Apply(ctx, db, d, nil)
		if !errors.Is(err, migrations.ErrDatabaseNewer) {
			t.Fatalf("want ErrDatabaseNewer, got %v", err)
		}
		if !strings.Contains(err.Error(), "99999") || !strings.Contains(err.Error(), "upgrade the binary") {
			t.Fatalf("message does not say what is wrong: %v", err)
		}
	})
}
