package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// Dialect names the SQL database behind a DB.
type Dialect int

// The two supported dialects.
const (
	SQLite Dialect = iota
	Postgres
)

// ErrUnsupportedStore is returned by Open for a store that exposes neither a
// *sql.DB nor a pgx pool.
var ErrUnsupportedStore = errors.New("event store exposes no database handle for read models")

// DB is the read-model database: the event store's own database seen through
// database/sql, so that every projection has one code path for both backends.
// Queries are written with ? placeholders and rebound for PostgreSQL.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	// schema keys advisory locks and notification channels on PostgreSQL,
	// so that stores in different schemas of one database never interfere.
	schema string
	// connConfig opens the dedicated leader-election connection (PostgreSQL).
	connConfig *pgx.ConnConfig
	// poolSize is the pgx pool's connection limit (0 on SQLite).
	poolSize int
	// writeLock, on SQLite, is the event store's in-process write lock, held
	// around batch transactions (see sqlite.Store.WriteLock); nil when
	// the store has none.
	writeLock sync.Locker
	// prepare returns a statement prepared once, on SQLite (stmts.go).
	prepare func(ctx context.Context, q string) (*sql.Stmt, error)
	// lz4: the PostgreSQL server compresses with lz4 (version 14 and
	// later, built with it); batches of a generation being rebuilt then
	// compress its documents with it (batchTx.begin).
	lz4 bool
	// known is what this process knows its projections' documents hold.
	known knownSets
	// begins counts the batch transactions begun (batchTx), for tests.
	begins atomic.Int64
}

// Open returns the read-model database of an event store backend: SQLite
// backends expose DB() *sql.DB, PostgreSQL backends Pool() *pgxpool.Pool.
func Open(ctx context.Context, store eventstore.Store) (*DB, error) {
	switch s := store.(type) {
	case interface{ Pool() *pgxpool.Pool }:
		return OpenPostgres(ctx, s.Pool())
	case interface {
		DB() *sql.DB
		Prepare(ctx context.Context, q string) (*sql.Stmt, error)
	}:
		db := &DB{sql: s.DB(), dialect: SQLite, prepare: s.Prepare}
		if l, ok := store.(interface{ WriteLock() sync.Locker }); ok {
			db.writeLock = l.WriteLock()
		}
		return db, nil
	default:
		return nil, fmt.Errorf("%T: %w", store, ErrUnsupportedStore)
	}
}

// ForReadModels is the DB a Runner's read models use, given db, the
// store's DB from Open: on a store that keeps a separate handle for rows
// the log can rebuild (sqlite.Store.ReadModels, which commits without an
// fsync of its own), that handle, with its statement cache and the store's
// write lock; otherwise db itself. Rows the log cannot rebuild (tokens,
// idempotency records, the notification outbox) stay on db.
func (db *DB) ForReadModels(ctx context.Context, store eventstore.Store) (*DB, error) {
	s, ok := store.(interface {
		ReadModels(context.Context) (*sql.DB, func(context.Context, string) (*sql.Stmt, error), error)
	})
	if !ok {
		return db, nil
	}
	handle, prepare, err := s.ReadModels(ctx)
	if err != nil {
		return nil, err
	}
	return &DB{sql: handle, dialect: db.dialect, writeLock: db.writeLock, prepare: prepare}, nil
}

// OpenPostgres wraps a pgx pool; the pool's search_path decides the schema.
func OpenPostgres(ctx context.Context, pool *pgxpool.Pool) (*DB, error) {
	db := &DB{sql: stdlib.OpenDBFromPool(pool), dialect: Postgres, connConfig: pool.Config().ConnConfig,
		poolSize: int(pool.Config().MaxConns)}
	if err := db.sql.QueryRowContext(ctx, "SELECT current_schema()").Scan(&db.schema); err != nil {
		return nil, fmt.Errorf("read current schema: %w", err)
	}
	// No row before version 14, which has no such setting.
	err := db.sql.QueryRowContext(ctx, `SELECT 'lz4' = ANY(enumvals) FROM pg_settings
		WHERE name = 'default_toast_compression'`).Scan(&db.lz4)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read compression methods: %w", err)
	}
	return db, nil
}

// SQL is the underlying handle.
func (db *DB) SQL() *sql.DB { return db.sql }

// PoolSize is the PostgreSQL pool's connection limit (0 on SQLite).
func (db *DB) PoolSize() int { return db.poolSize }

// Dialect tells which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Rebind adapts a query written with ? placeholders to the dialect, for
// packages that keep their own tables in this database.
func (db *DB) Rebind(q string) string { return db.rebind(q) }

// rebind turns ? placeholders into $1, $2, ... on PostgreSQL. Queries in this
// package never contain a literal question mark.
func (db *DB) rebind(q string) string {
	if db.dialect != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// forUpdate locks the selected row on PostgreSQL; SQLite serialises writers
// already, so the clause is dropped there.
func (db *DB) forUpdate() string {
	if db.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
