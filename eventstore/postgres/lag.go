package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lag describes what appends wait for. Readers never wait: they read
// committed positions only.
type Lag struct {
	Queued          int           // this process's appends not yet committed
	OldestAppendAge time.Duration // how long the oldest of them has waited (0: none)
	// The transaction holding the schema's append lock (of any process),
	// which the next group commit of every process waits for; a group holds
	// it for its insert and commit. Zero when none.
	LockHolderPID   int32
	LockHolderAge   time.Duration
	LockHolderQuery string // the start of its current query
	LockHolderDB    string // the database it runs in
}

// Lag reports this process's queued appends and the append transaction that
// holds the schema's append lock.
func (s *Store) Lag(ctx context.Context) (Lag, error) {
	l := s.queued()
	var ageMicros int64
	err := s.pool.QueryRow(ctx, `SELECT a.pid, (extract(epoch FROM now() - a.xact_start) * 1e6)::bigint,
		left(coalesce(a.query, ''), 200), coalesce(a.datname, '')
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
			AND l.classid = (($1::bigint >> 32) & 4294967295)::oid AND l.objid = ($1::bigint & 4294967295)::oid
		LIMIT 1`, s.appendLock).Scan(&l.LockHolderPID, &ageMicros, &l.LockHolderQuery, &l.LockHolderDB)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("lag: %w", err)
	}
	l.LockHolderAge = time.Duration(ageMicros) * time.Microsecond
	return l, nil
}

// queued counts the appends waiting for the writer or in its group commits.
func (s *Store) queued() Lag {
	w := &s.writer
	w.mu.Lock()
	defer w.mu.Unlock()
	l := Lag{Queued: len(w.queue) + len(w.inFlight)}
	var oldest time.Time
	for _, list := range [][]*appendReq{w.queue, w.inFlight} {
		for _, r := range list {
			if oldest.IsZero() || r.since.Before(oldest) {
				oldest = r.since
			}
		}
	}
	if !oldest.IsZero() {
		l.OldestAppendAge = time.Since(oldest)
	}
	return l
}

// warnHeldBack logs a group commit that has taken longer than StuckAfter.
func (s *Store) warnHeldBack(ctx context.Context, waited time.Duration) {
	l, err := s.Lag(ctx)
	if err != nil {
		s.opts.Logger.Warn("an append group commit is slow; lag unknown", "schema", s.schema, "waited", waited, "err", err)
		return
	}
	s.opts.Logger.Warn("an append group commit is slow",
		"schema", s.schema, "waited", waited, "queued", l.Queued, "oldest_append_age", l.OldestAppendAge,
		"lock_holder_pid", l.LockHolderPID, "lock_holder_age", l.LockHolderAge, "lock_holder_db", l.LockHolderDB, "lock_holder_query", l.LockHolderQuery)
}
