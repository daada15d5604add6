package sqlite

import (
	"context"
	"log/slog"

	"github.com/appraisal-hr/appraisal/migrations"
)

// Migrate applies every area's SQLite migrations.
func (s *Store) Migrate(ctx context.Context, logger *slog.Logger) (migrations.Result, error) {
	return migrations.Apply(ctx, s.db, migrations.SQLite, logger)
}
