package http

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// ErrNoDatabaseHandle is returned for a store that exposes no database.
var ErrNoDatabaseHandle = errors.New("event store exposes no database handle")

// OpenDB returns the store's own database through database/sql: the API's
// tables live beside the events (same schema, same backups). SQLite stores
// expose DB() *sql.DB, PostgreSQL stores Pool() *pgxpool.Pool. Queries in this
// package use $n placeholders, which both drivers accept.
func OpenDB(store eventstore.Store) (*sql.DB, error) {
	switch s := store.(type) {
	case interface{ Pool() *pgxpool.Pool }:
		return stdlib.OpenDBFromPool(s.Pool()), nil
	case interface{ DB() *sql.DB }:
		return s.DB(), nil
	}
	return nil, fmt.Errorf("%T: %w", store, ErrNoDatabaseHandle)
}
