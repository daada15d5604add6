package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lag describes what holds readers back.
type Lag struct {
	Unsealed      int64         // committed events not yet given a position
	OldestTxAge   time.Duration // age of the oldest transaction holding an xid (0: none)
	OldestTxPID   int32         // its backend pid
	OldestTxQuery string        // the start of its current query
	OldestTxDB    string        // the database it runs in
}

// Lag reports how many committed events wait for a position and the oldest
// append in flight, which holds the next seal (and so every append's return
// and every reader) back until it ends.
func (s *Store) Lag(ctx context.Context) (Lag, error) {
	var l Lag
	head, err := readHead(ctx, s.pool)
	if err != nil {
		return l, fmt.Errorf("lag: %w", err)
	}
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE (tx_id, seq) > ($1::xid8, $2::bigint)`,
		head.key.tx, head.key.seq).Scan(&l.Unsealed)
	if err != nil {
		return l, fmt.Errorf("lag: %w", err)
	}
	var ageMicros int64
	err = s.pool.QueryRow(ctx, `SELECT pid, (extract(epoch FROM now() - xact_start) * 1e6)::bigint,
		left(coalesce(query, ''), 200), coalesce(datname, '')
		FROM pg_stat_activity a WHERE backend_xid IS NOT NULL AND EXISTS (
			SELECT FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
				AND l.classid = (($1::bigint >> 32) & 4294967295)::oid AND l.objid = ($1::bigint & 4294967295)::oid)
		ORDER BY age(backend_xid) DESC LIMIT 1`, s.appendLock).Scan(&l.OldestTxPID, &ageMicros, &l.OldestTxQuery, &l.OldestTxDB)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("lag: %w", err)
	}
	l.OldestTxAge = time.Duration(ageMicros) * time.Microsecond
	return l, nil
}

func (s *Store) warnHeldBack(ctx context.Context, waited time.Duration) {
	l, err := s.Lag(ctx)
	if err != nil {
		s.opts.Logger.Warn("append waits for its seal; lag unknown", "schema", s.schema, "waited", waited, "err", err)
		return
	}
	s.opts.Logger.Warn("appends wait for their seal: an older append is still in flight",
		"schema", s.schema, "waited", waited, "unsealed", l.Unsealed,
		"oldest_tx_pid", l.OldestTxPID, "oldest_tx_age", l.OldestTxAge, "oldest_tx_db", l.OldestTxDB, "oldest_tx_query", l.OldestTxQuery)
}
