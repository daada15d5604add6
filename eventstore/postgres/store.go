package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
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
	// StuckAfter is how long appends wait for their seal before the seal loop
	// logs which append in flight holds it back (default 5s).
	StuckAfter time.Duration
}

// Store is the PostgreSQL event store.
type Store struct {
	pool       *pgxpool.Pool
	schema     string
	lockID     int64 // advisory lock of the sealer, per schema
	appendLock int64 // advisory lock every append holds (shared) and each seal takes (exclusive), per schema
	opts       Options

	sealMu   sync.Mutex // guards sealer
	sealer   sealer
	known    atomic.Int64 // highest sealed position this process has seen
	lastSeal atomic.Int64 // when this process last sealed events (unix ns)
	sealed   follow.Broadcast
	kick     chan struct{} // wakes the seal loop
	waiters  waiters
	heads    headCache

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
		lockID:     migrations.LockID("seal", schema),
		appendLock: migrations.LockID("append", schema),
		opts:       opts,
		kick:       make(chan struct{}, 1),
	}
	lctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.done.Add(2)
	go s.listen(lctx)
	go s.sealLoop(lctx)
	return s, nil
}

// Pool is the underlying pool, for read models that must commit their rows
// and checkpoint in one transaction on the same database and schema.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema is the schema the store's tables live in (the connection's
// current_schema), which keys its NOTIFY channel and advisory locks.
func (s *Store) Schema() string { return s.schema }

// Close stops the listener and closes the pool.
func (s *Store) Close() error {
	s.stop()
	s.done.Wait()
	s.pool.Close()
	return nil
}

// listen keeps one connection LISTENing for new positions sealed by any
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
	for _, prefix := range []string{sealedChannel, askChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channelName(prefix)}.Sanitize()); err != nil {
			return err
		}
	}
	// Anything sealed while we were not listening is picked up by this wake.
	s.sealed.Notify()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel == s.channelName(askChannel) {
			s.kickSealer()
			continue
		}
		s.sealed.Notify()
	}
}
