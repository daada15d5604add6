package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/internal/follow"
	"github.com/appraisal-hr/appraisal/migrations"
)

// Options tune a Store. The zero value is usable.
type Options struct {
	// Upcasters convert old event schema versions on read.
	Upcasters *eventstore.Upcasters
	// Logger receives warnings (appends held back by a slow one, a lost listener).
	Logger *slog.Logger
	// PollInterval is the subscriptions' safety net should a notification be
	// lost (default 1s).
	PollInterval time.Duration
	// StuckAfter is how long a group commit may take before the writer logs
	// which append transaction holds the schema's append lock (default 5s).
	StuckAfter time.Duration
}

// Store is the PostgreSQL event store.
type Store struct {
	pool       *pgxpool.Pool
	schema     string
	appendLock int64 // advisory lock each group commit holds until it is visible, per schema
	opts       Options

	writer   writer
	appended follow.Broadcast
	heads    headCache
	// commitFault is set by tests only, before the first append.
	commitFault *commitFault

	stop context.CancelFunc
	done sync.WaitGroup
}

var _ eventstore.Store = (*Store)(nil)

// Open connects to the database at url (pgx pool settings such as
// pool_max_conns and search_path may be given in it) and starts listening for
// new positions. It does not migrate: run migrations.Apply first.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse database url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	s, err := newStore(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func newStore(ctx context.Context, pool *pgxpool.Pool, opts Options) (*Store, error) {
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.StuckAfter <= 0 {
		opts.StuckAfter = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	var current *string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&current); err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	// NULL when no schema of the search_path exists: say so, rather than
	// the driver's "cannot scan NULL".
	if current == nil {
		return nil, errors.New("postgres: connect: no schema of the search_path exists")
	}
	schema := *current
	s := &Store{
		pool:       pool,
		schema:     schema,
		appendLock: migrations.LockID("append", schema),
		opts:       opts,
	}
	s.writer.init()
	lctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.done.Add(2)
	go s.listen(lctx)
	go s.writeLoop(lctx)
	return s, nil
}

// Pool is the underlying pool, for read models that must commit their rows
// and checkpoint in one transaction on the same database and schema.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema is the schema the store's tables live in (the connection's
// current_schema), which keys its NOTIFY channel and advisory locks.
func (s *Store) Schema() string { return s.schema }

// Close stops the listener and the writer (appends still queued fail with
// ErrClosed; a group commit in flight completes) and closes the pool.
func (s *Store) Close() error {
	s.stop()
	s.done.Wait()
	s.pool.Close()
	return nil
}

// listen keeps one connection LISTENing for new positions committed by any
// process and wakes the local subscriptions; it reconnects until Close.
func (s *Store) listen(ctx context.Context) {
	defer s.done.Done()
	for ctx.Err() == nil {
		err := s.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.opts.Logger.Warn("event store listener lost; reconnecting", "schema", s.schema, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (s *Store) listenOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channelName(appendedChannel)}.Sanitize()); err != nil {
		return err
	}
	// Anything committed while we were not listening is picked up by this wake.
	s.appended.Notify()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		s.appended.Notify()
	}
}
