package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Dialect names a backend and, with it, a folder of migrations.
type Dialect string

// The two backends.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// ErrDatabaseNewer is returned when the database records a migration this
// binary does not know: it was migrated by a newer release.
var ErrDatabaseNewer = errors.New("database schema is newer than this binary")

// FS returns the migration files of one backend, rooted at its folder.
func FS(d Dialect) (fs.FS, error) {
	switch d {
	case Postgres, SQLite:
		return fs.Sub(files, string(d))
	default:
		return nil, fmt.Errorf("migrations: unknown dialect %q", d)
	}
}

// Result says what Apply did.
type Result struct {
	From    int64   // schema version before
	To      int64   // schema version after
	Applied []int64 // versions applied by this call, in order
}

// Apply brings db up to the newest migration of dialect d. Running it again is
// a no-op. On PostgreSQL it holds a session advisory lock keyed by the current
// schema, so that several processes starting together migrate once and tests
// in separate schemas do not wait for each other.
func Apply(ctx context.Context, db *sql.DB, d Dialect, logger *slog.Logger) (Result, error) {
	p, err := newProvider(ctx, db, d, logger)
	if err != nil {
		return Result{}, err
	}
	from, err := p.GetDBVersion(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("migrations: read schema version: %w", err)
	}
	sources := p.ListSources()
	newest := sources[len(sources)-1].Version
	if from > newest {
		return Result{From: from, To: from}, fmt.Errorf("%w: the database is at migration %d, this binary knows up to %d; upgrade the binary", ErrDatabaseNewer, from, newest)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return Result{From: from}, fmt.Errorf("migrations: apply %s migrations: %w", d, err)
	}
	res := Result{From: from, To: from}
	for _, r := range results {
		res.Applied = append(res.Applied, r.Source.Version)
		res.To = r.Source.Version
	}
	return res, nil
}

// ApplyUpTo applies the migrations of dialect d up to and including version,
// as a release that carried only those would: for tests of an upgrade.
func ApplyUpTo(ctx context.Context, db *sql.DB, d Dialect, version int64) error {
	p, err := newProvider(ctx, db, d, nil)
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrations: apply %s migrations up to %d: %w", d, version, err)
	}
	return nil
}

// Version is the newest migration db records (0 for an empty database).
func Version(ctx context.Context, db *sql.DB, d Dialect) (int64, error) {
	p, err := newProvider(ctx, db, d, nil)
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrations: read schema version: %w", err)
	}
	return v, nil
}

func newProvider(ctx context.Context, db *sql.DB, d Dialect, logger *slog.Logger) (*goose.Provider, error) {
	fsys, err := FS(d)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	dialect := goose.DialectSQLite3
	if d == Postgres {
		dialect = goose.DialectPostgres
		var schema string
		if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return nil, fmt.Errorf("migrations: read current schema: %w", err)
		}
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(LockID("migrate", schema)), lock.WithLockTimeout(1, 600))
		if err != nil {
			return nil, fmt.Errorf("migrations: advisory lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: load %s migrations: %w", d, err)
	}
	return p, nil
}

// LockID derives a PostgreSQL advisory-lock key from a purpose and a schema, so
// that every schema (one per test, one per deployment) has its own locks.
func LockID(purpose, schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("appraisal:" + purpose + ":" + schema))
	return int64(h.Sum64())
}
