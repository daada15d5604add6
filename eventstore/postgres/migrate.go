package postgres

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/appraisal-hr/appraisal/migrations"
)

// Migrate applies every area's PostgreSQL migrations to the store's schema.
func (s *Store) Migrate(ctx context.Context, logger *slog.Logger) (migrations.Result, error) {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	return migrations.Apply(ctx, db, migrations.Postgres, logger)
}
