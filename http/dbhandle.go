package http

import (
	"context"
	"database/sql"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections"
)

// OpenDB returns the store's own database through database/sql: the API's
// tables live beside the events (same schema, same backups). The handle comes
// from projections.Open, the one place that knows how each backend exposes
// its database. Queries in this package use $n placeholders, which both
// drivers accept.
func OpenDB(ctx context.Context, store eventstore.Store) (*sql.DB, error) {
	db, err := projections.Open(ctx, store)
	if err != nil {
		return nil, err
	}
	return db.SQL(), nil
}
