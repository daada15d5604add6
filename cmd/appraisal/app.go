package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/postgres"
	"github.com/appraisal-hr/appraisal/eventstore/sqlite"
	"github.com/appraisal-hr/appraisal/migrations"
	"github.com/appraisal-hr/appraisal/projections/readside"
)

// openedStore is the event store together with the backend it runs on:
// exactly one of SQLite and Postgres is set. Read models reach the same
// database through SQLite.DB() or Postgres.Pool(), so that their rows and
// checkpoint commit in one transaction beside the events.
type openedStore struct {
	eventstore.Store
	SQLite   *sqlite.Store
	Postgres *postgres.Store
}

// Migrate applies every area's migrations for the backend in use.
func (o *openedStore) Migrate(ctx context.Context, logger *slog.Logger) (migrations.Result, error) {
	if o.Postgres != nil {
		return o.Postgres.Migrate(ctx, logger)
	}
	return o.SQLite.Migrate(ctx, logger)
}

// access says how a command may treat the database it opens.
type access int

const (
	// migrated creates the database if needed and migrates it (serve,
	// rebuild, token, export).
	migrated access = iota
	// asIs creates the database if needed but leaves its schema alone
	// (migrate, which reports what it applies itself).
	asIs
	// existing only reads: the database must already exist, so a mistyped
	// path is refused instead of leaving an empty file behind (verify, replay).
	existing
)

// storeFor is the start of every command that works on the database: the
// process logger, then the store opened as the command's access allows.
func storeFor(ctx context.Context, cfg Config, a access) (*openedStore, *slog.Logger, error) {
	logger := newLogger(cfg, os.Stderr)
	if a == existing && !cfg.IsPostgres() {
		if _, err := os.Stat(cfg.DatabaseURL); err != nil {
			return nil, nil, fmt.Errorf("no database at %s: %w", cfg.DatabaseURL, err)
		}
	}
	open := connectStore
	if a == migrated {
		open = openStore
	}
	store, err := open(ctx, cfg, logger)
	return store, logger, err
}

// readSideFor is storeFor plus the read side over it, for the one-shot
// commands that read or rebuild read models (replay, rebuild); the caller
// closes the store.
func readSideFor(ctx context.Context, cfg Config, a access) (*openedStore, *readside.ReadSide, error) {
	store, logger, err := storeFor(ctx, cfg, a)
	if err != nil {
		return nil, nil, err
	}
	rs, err := readside.New(ctx, backendOf(store), readside.Config{Logger: logger})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, rs, nil
}

// connectTimeout bounds how long start-up waits for PostgreSQL to answer.
const connectTimeout = 30 * time.Second

// openStore connects to the configured database (retrying PostgreSQL while it
// starts) and migrates it: the start-up sequence of every command that uses
// the store.
func openStore(ctx context.Context, cfg Config, logger *slog.Logger) (*openedStore, error) {
	store, err := connectStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	res, err := store.Migrate(ctx, logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	if len(res.Applied) > 0 {
		logger.Info("database migrated", "from", res.From, "to", res.To, "applied", len(res.Applied))
	}
	return store, nil
}

// connectStore opens the store without migrating it.
func connectStore(ctx context.Context, cfg Config, logger *slog.Logger) (*openedStore, error) {
	if !cfg.IsPostgres() {
		s, err := sqlite.Open(ctx, cfg.DatabaseURL, sqlite.Options{Logger: logger})
		if err != nil {
			return nil, err
		}
		return &openedStore{Store: s, SQLite: s}, nil
	}
	deadline := time.Now().Add(connectTimeout)
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 4*time.Second) {
		s, err := postgres.Open(ctx, withPoolDefault(cfg.DatabaseURL), postgres.Options{Logger: logger})
		if err == nil {
			return &openedStore{Store: s, Postgres: s}, nil
		}
		if !transient(err) {
			return nil, err
		}
		if time.Now().Add(wait).After(deadline) {
			return nil, fmt.Errorf("database not reachable after %s: %w", connectTimeout, err)
		}
		logger.Warn("database not reachable yet; retrying", "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// transient tells whether waiting may cure a failed open: the server did not
// answer, or answered that it is still starting (SQLSTATE 57P03). A wrong
// password, a missing database or schema fails at once.
func transient(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "57P03"
	}
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr)
}

// defaultPoolConns is the PostgreSQL pool size serve needs: the read side
// holds up to 8 connections at once (leader locks, projection batches, the
// index) beside the API's own; pgxpool's default is max(4, CPUs).
const defaultPoolConns = "16"

// withPoolDefault adds pool_max_conns to a postgres:// URL that does not set
// it; a value the operator gave wins.
func withPoolDefault(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Query().Has("pool_max_conns") {
		return dsn // a bad URL is reported by postgres.Open
	}
	q := u.Query()
	q.Set("pool_max_conns", defaultPoolConns)
	u.RawQuery = q.Encode()
	return u.String()
}
