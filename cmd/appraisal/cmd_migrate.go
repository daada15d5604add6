package main

import (
	"context"
	"fmt"
	"io"
)

// runMigrate applies the migrations and says what it did in one line.
func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := defaultConfig()
	fs := newFlagSet("migrate", "Apply the database migrations (forward only) and exit. Running it again is a no-op.", &cfg, stdout)
	if err := fs.parse(args, &cfg); err != nil {
		return err
	}
	store, logger, err := storeFor(ctx, cfg, asIs)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := store.Migrate(ctx, logger)
	if err != nil {
		return err
	}
	if len(res.Applied) == 0 {
		fmt.Fprintf(stdout, "database is up to date at migration %d\n", res.To)
		return nil
	}
	fmt.Fprintf(stdout, "migrated from %d to %d (%d applied)\n", res.From, res.To, len(res.Applied))
	return nil
}
