package projections

import (
	"context"
	"database/sql"
)

// On SQLite every query a batch or a read runs is parsed again unless it is
// prepared (the driver keeps no statement cache; parsing was about a fifth
// of a projection batch's CPU under HTTP load, and a batch parses while it
// holds the store's write lock), so they run as statements the SQLite store
// prepares once and keeps (sqlite.Store.Prepare). PostgreSQL's pgx driver
// caches prepared statements per connection itself, so queries go to it
// unchanged.

// prepared returns q (the handle or a transaction on it) running its
// queries as prepared statements on SQLite, or q itself on PostgreSQL.
func (db *DB) prepared(q querier) querier {
	if db.dialect != SQLite {
		return q
	}
	switch q := q.(type) {
	case *sql.Tx:
		return preparedTx{db: db, tx: q}
	case *sql.DB:
		return preparedDB{db: db}
	}
	return q
}

// preparedTx runs a transaction's queries as prepared statements.
type preparedTx struct {
	db *DB
	tx *sql.Tx
}

func (p preparedTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := p.db.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	return p.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

func (p preparedTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := p.db.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	return p.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

func (p preparedTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := p.db.prepare(ctx, q)
	if err != nil {
		// A *sql.Row cannot be built with an error from outside database/sql;
		// the unprepared query reports the same error when scanned.
		return p.tx.QueryRowContext(ctx, q, args...)
	}
	return p.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// preparedDB runs queries outside any transaction as prepared statements.
type preparedDB struct{ db *DB }

func (p preparedDB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := p.db.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (p preparedDB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := p.db.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (p preparedDB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := p.db.prepare(ctx, q)
	if err != nil {
		return p.db.sql.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
