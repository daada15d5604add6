package projections

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Elector decides which process runs a named worker (a projection, the
// relay). Acquire blocks until this process leads name or ctx ends; the
// returned context ends when leadership is lost, and release gives it up.
type Elector interface {
	Acquire(ctx context.Context, name string) (lead context.Context, release func(), err error)
	// Close ends every lease.
	Close()
}

// NewElector returns the elector fitting the database: PostgreSQL session
// advisory locks, or on SQLite (one process by design) immediate leadership.
func (db *DB) NewElector(logger *slog.Logger, interval time.Duration) Elector {
	if db.dialect != Postgres {
		return soleProcess{}
	}
	return &advisoryElector{config: db.connConfig, schema: db.schema, interval: interval, logger: logger,
		leases: map[int64]context.CancelFunc{}}
}

// soleProcess is the SQLite elector: an embedded database has one process.
type soleProcess struct{}

func (soleProcess) Acquire(ctx context.Context, _ string) (context.Context, func(), error) {
	lead, cancel := context.WithCancel(ctx)
	return lead, cancel, nil
}

func (soleProcess) Close() {}

// advisoryElector holds PostgreSQL session advisory locks on one dedicated
// connection, outside the pool, so that leadership lasts exactly as long as
// that session: when the process dies the server drops the session and its
// locks, and a waiting process's next try (every interval) takes over.
// Keys hash schema and name so stores in other schemas never collide.
type advisoryElector struct {
	config   *pgx.ConnConfig
	schema   string
	interval time.Duration
	logger   *slog.Logger

	mu      sync.Mutex
	conn    *pgx.Conn
	leases  map[int64]context.CancelFunc
	watched bool
}

// lockKey is the advisory-lock key of a worker name within a schema.
func lockKey(schema, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("appraisal\x00" + schema + "\x00" + name))
	return int64(h.Sum64())
}

func (e *advisoryElector) Acquire(ctx context.Context, name string) (context.Context, func(), error) {
	key := lockKey(e.schema, name)
	for {
		lead, cancel, err := e.try(ctx, key)
		if err != nil {
			e.logger.Warn("leader election", "worker", name, "err", err)
		}
		if lead != nil {
			e.logger.Info("leading", "worker", name)
			return lead, func() { e.release(key, cancel) }, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(e.interval):
		}
	}
}

// try takes the lock once without waiting; a nil context means not taken.
func (e *advisoryElector) try(ctx context.Context, key int64) (context.Context, context.CancelFunc, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		conn, err := pgx.ConnectConfig(ctx, e.config)
		if err != nil {
			return nil, nil, fmt.Errorf("connect for advisory locks: %w", err)
		}
		e.conn = conn
	}
	var ok bool
	if err := e.conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
		e.dropConnLocked()
		return nil, nil, fmt.Errorf("try advisory lock: %w", err)
	}
	if !ok {
		return nil, nil, nil
	}
	lead, cancel := context.WithCancel(ctx)
	e.leases[key] = cancel
	if !e.watched {
		e.watched = true
		go e.watch()
	}
	return lead, cancel, nil
}

// watch pings the lock session while any lease is held; when the session is
// gone the locks are gone too, so every lease ends.
func (e *advisoryElector) watch() {
	t := time.NewTicker(e.interval)
	defer t.Stop()
	for range t.C {
		e.mu.Lock()
		if len(e.leases) == 0 {
			e.watched = false
			e.mu.Unlock()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), e.interval+time.Second)
		err := e.conn.Ping(ctx)
		cancel()
		if err != nil {
			e.logger.Warn("advisory lock session lost; giving up leadership", "err", err)
			e.dropConnLocked()
		}
		e.mu.Unlock()
	}
}

// dropConnLocked closes the session and ends every lease; e.mu is held.
func (e *advisoryElector) dropConnLocked() {
	for key, cancel := range e.leases {
		cancel()
		delete(e.leases, key)
	}
	if e.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = e.conn.Close(ctx)
		cancel()
		e.conn = nil
	}
}

func (e *advisoryElector) release(key int64, cancel context.CancelFunc) {
	cancel()
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, held := e.leases[key]; !held || e.conn == nil {
		return
	}
	delete(e.leases, key)
	ctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	if _, err := e.conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
		e.dropConnLocked()
	}
}

// Close ends every lease and the lock session.
func (e *advisoryElector) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dropConnLocked()
}
