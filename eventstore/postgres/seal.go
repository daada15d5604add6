package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// sealBatch bounds one seal transaction.
const sealBatch = 2000

// key orders events globally: the writing transaction's id, then the insert
// sequence within the table.
type key struct {
	tx  uint64
	seq int64
}

func (k key) after(o key) bool { return k.tx > o.tx || (k.tx == o.tx && k.seq > o.seq) }

// ledgerHead is the last sealed position.
type ledgerHead struct {
	position int64
	key      key
	hash     []byte
}

// rowQuerier is a pool, a connection or a transaction.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readHead reads the last ledger row (the genesis head when there is none).
func readHead(ctx context.Context, q rowQuerier) (ledgerHead, error) {
	h := ledgerHead{hash: eventstore.GenesisHash}
	err := q.QueryRow(ctx, `SELECT position, tx_id, seq, ledger_hash FROM ledger ORDER BY position DESC LIMIT 1`).
		Scan(&h.position, &h.key.tx, &h.key.seq, &h.hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, nil
	}
	return h, err
}

// sealLocked seals everything below the watermark, batch by batch, and returns
// the head afterwards. The caller holds sealMu. When another process holds the
// advisory lock it is sealing; the head read then is the latest committed one.
func (s *Store) sealLocked(ctx context.Context) (ledgerHead, error) {
	for {
		head, n, err := s.sealOnce(ctx)
		if err != nil {
			return head, fmt.Errorf("seal: %w", err)
		}
		if n > 0 {
			s.sealed.Notify()
		}
		if n < sealBatch {
			return head, nil
		}
	}
}

// sealSQL is one seal as one statement (one round trip, its own
// transaction): take the sealer's advisory lock or do nothing; read the
// ledger head; number the unsealed events below the watermark in (tx_id, seq)
// order; chain their ledger hashes (appraisal_ledger_chain, a running
// aggregate); insert the ledger rows; notify listeners. The ledger is a pure
// function of the events in that order, so the statement commits without
// waiting for the disk (synchronous_commit off): a seal lost in a crash is
// redone identically. Should another process seal between this statement's
// snapshot and its lock, the ledger's unique keys make it fail, and it is
// retried.
const sealSQL = `WITH lock AS MATERIALIZED (
		SELECT pg_try_advisory_xact_lock($1) AS ok, set_config('synchronous_commit', 'off', true) AS async),
	last AS MATERIALIZED (
		SELECT position, tx_id, seq, ledger_hash FROM ledger ORDER BY position DESC LIMIT 1),
	head AS MATERIALIZED (
		SELECT coalesce(l.position, 0) AS position, coalesce(l.tx_id, '0'::xid8) AS tx_id, coalesce(l.seq, 0) AS seq,
			coalesce(l.ledger_hash, $2::bytea) AS ledger_hash
		FROM lock LEFT JOIN last l ON true
		WHERE lock.ok),
	todo AS MATERIALIZED (
		SELECT e.tx_id, e.seq, e.hash, h.position + row_number() OVER (ORDER BY e.tx_id, e.seq) AS position
		FROM head h CROSS JOIN LATERAL (
			SELECT tx_id, seq, hash FROM events
			WHERE (tx_id, seq) > (h.tx_id, h.seq) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
			ORDER BY tx_id, seq LIMIT $3) e),
	sealed AS (
		INSERT INTO ledger (position, tx_id, seq, ledger_hash)
		SELECT t.position, t.tx_id, t.seq,
			appraisal_ledger_chain(h.ledger_hash, t.position, t.hash) OVER (ORDER BY t.position ROWS UNBOUNDED PRECEDING)
		FROM todo t, head h
		RETURNING position, tx_id, seq, ledger_hash)
	SELECT s.position, s.tx_id, s.seq, s.ledger_hash, (SELECT pg_notify($4, max(position)::text) FROM sealed) IS NULL
	FROM sealed s
	UNION ALL
	SELECT l.position, l.tx_id, l.seq, l.ledger_hash, true FROM last l WHERE NOT EXISTS (SELECT FROM sealed)
	ORDER BY 1`

// sealOnce runs one seal and returns the ledger head after it and how many
// events it sealed. When it sealed nothing, the statement returns the head
// as it was (the last column tells which).
func (s *Store) sealOnce(ctx context.Context) (ledgerHead, int, error) {
	for attempt := 1; ; attempt++ {
		head, n, err := s.sealStatement(ctx)
		var pgErr *pgconn.PgError
		if attempt < 5 && errors.As(err, &pgErr) && pgErr.Code == "23505" {
			// Another process sealed these rows first: nothing lost, look again.
			continue
		}
		return head, n, err
	}
}

func (s *Store) sealStatement(ctx context.Context) (ledgerHead, int, error) {
	rows, err := s.pool.Query(ctx, sealSQL, s.lockID, eventstore.GenesisHash, sealBatch, s.channelName())
	if err != nil {
		return ledgerHead{}, 0, err
	}
	head := ledgerHead{hash: eventstore.GenesisHash}
	var firsts []sealedTx
	n := 0
	for rows.Next() {
		var unchanged bool
		if err := rows.Scan(&head.position, &head.key.tx, &head.key.seq, &head.hash, &unchanged); err != nil {
			rows.Close()
			return ledgerHead{}, 0, err
		}
		if unchanged {
			break
		}
		if len(firsts) == 0 || firsts[len(firsts)-1].tx != head.key.tx {
			firsts = append(firsts, sealedTx{tx: head.key.tx, position: head.position})
		}
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ledgerHead{}, 0, err
	}
	if n == 0 {
		return head, 0, nil
	}
	s.waiters.resolveAll(firsts)
	s.noteHead(head.position)
	return head, n, nil
}

// channelName is the channel without identifier quoting, as pg_notify wants it.
func (s *Store) channelName() string { return "appraisal_sealed_" + s.schema }

// trySeal seals unless another goroutine of this process is already doing so.
func (s *Store) trySeal(ctx context.Context) error {
	if !s.sealMu.TryLock() {
		return nil
	}
	defer s.sealMu.Unlock()
	_, err := s.sealLocked(ctx)
	return err
}

// sealNow seals everything sealable and returns the head after it.
func (s *Store) sealNow(ctx context.Context) (ledgerHead, error) {
	s.sealMu.Lock()
	defer s.sealMu.Unlock()
	return s.sealLocked(ctx)
}

// awaitSeal waits until the events written by transaction tx (last key k) are
// sealed and returns the position of the first. The sealer loop does the
// work, so appends committing together are sealed by one statement.
func (s *Store) awaitSeal(ctx context.Context, tx uint64, k key) (int64, error) {
	w := s.waiters.add(tx, k)
	// A lone writer seals right here (no hop to the loop); when others wait
	// too, the loop seals them all in one statement.
	if s.waiters.len() == 1 && s.sealMu.TryLock() {
		_, err := s.sealLocked(ctx)
		s.sealMu.Unlock()
		if err != nil {
			s.waiters.remove(tx)
			return 0, err
		}
	}
	select {
	case pos := <-w.done:
		return pos, nil
	default:
	}
	s.kickSealer()
	select {
	case pos := <-w.done:
		return pos, nil
	case <-ctx.Done():
		s.waiters.remove(tx)
		return 0, ctx.Err()
	}
}

func (s *Store) kickSealer() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// sealLoop runs while the store is open: kicked by each committed append, it
// seals, hands positions to the waiting appends and, while some still wait
// because an older transaction holds the watermark back, tries again with a
// growing pause, logging once when that lasts longer than StuckAfter.
func (s *Store) sealLoop(ctx context.Context) {
	defer s.done.Done()
	var stuckSince time.Time
	pause := time.Millisecond
	for {
		var retry <-chan time.Time
		if s.waiters.len() > 0 {
			retry = time.After(pause)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
			pause = time.Millisecond
		case <-retry:
			pause = min(2*pause, 20*time.Millisecond)
		}
		if s.waiters.len() == 0 {
			continue
		}
		head, err := s.sealNow(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.opts.Logger.Warn("event store seal failed; retrying", "schema", s.schema, "err", err)
			}
			continue
		}
		s.resolveSealedElsewhere(ctx, head)
		switch {
		case s.waiters.len() == 0:
			stuckSince = time.Time{}
		case stuckSince.IsZero():
			stuckSince = time.Now()
		case time.Since(stuckSince) > s.opts.StuckAfter:
			s.warnHeldBack(ctx, time.Since(stuckSince))
			stuckSince = time.Now()
		}
	}
}

// resolveSealedElsewhere answers waiters whose events were sealed without
// this process seeing it (by another process, or just before they waited).
func (s *Store) resolveSealedElsewhere(ctx context.Context, head ledgerHead) {
	for _, tx := range s.waiters.sealedBy(head.key) {
		if pos, err := s.positionOf(ctx, tx); err == nil {
			s.waiters.resolve(tx, pos)
		}
	}
}

func (s *Store) positionOf(ctx context.Context, tx uint64) (int64, error) {
	var pos int64
	err := s.pool.QueryRow(ctx, `SELECT position FROM ledger WHERE tx_id = $1 ORDER BY seq LIMIT 1`, tx).Scan(&pos)
	return pos, err
}

// Lag describes what holds readers back.
type Lag struct {
	Unsealed      int64         // committed events not yet given a position
	OldestTxAge   time.Duration // age of the oldest transaction holding an xid (0: none)
	OldestTxPID   int32         // its backend pid
	OldestTxQuery string        // the start of its current query
	OldestTxDB    string        // the database it runs in
}

// Lag reports how many committed events wait for a position and which
// transaction holds the watermark back. Any transaction with an xid in the
// whole cluster counts, which is the limit of the xid8 watermark.
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
		FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
		ORDER BY age(backend_xid) DESC LIMIT 1`).Scan(&l.OldestTxPID, &ageMicros, &l.OldestTxQuery, &l.OldestTxDB)
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
	s.opts.Logger.Warn("append waits for its seal: an older transaction holds the watermark back",
		"schema", s.schema, "waited", waited, "unsealed", l.Unsealed,
		"oldest_tx_pid", l.OldestTxPID, "oldest_tx_age", l.OldestTxAge, "oldest_tx_db", l.OldestTxDB, "oldest_tx_query", l.OldestTxQuery)
}

// sealedTx is where one transaction's events start in the ledger.
type sealedTx struct {
	tx       uint64
	position int64
}

// waiter is an append waiting for its position.
type waiter struct {
	last key
	done chan int64
}

// waiters are the appends of this process waiting for their seal, by
// transaction id.
type waiters struct {
	mu sync.Mutex
	m  map[uint64]*waiter
}

func (ws *waiters) add(tx uint64, last key) *waiter {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.m == nil {
		ws.m = make(map[uint64]*waiter)
	}
	w := &waiter{last: last, done: make(chan int64, 1)}
	ws.m[tx] = w
	return w
}

func (ws *waiters) remove(tx uint64) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	delete(ws.m, tx)
}

func (ws *waiters) len() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return len(ws.m)
}

// resolve hands a waiter its first position.
func (ws *waiters) resolve(tx uint64, position int64) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if w, ok := ws.m[tx]; ok {
		w.done <- position
		delete(ws.m, tx)
	}
}

// resolveAll hands out the positions of a seal.
func (ws *waiters) resolveAll(sealed []sealedTx) {
	for _, t := range sealed {
		ws.resolve(t.tx, t.position)
	}
}

// sealedBy lists the waiting transactions whose events are at or below head.
func (ws *waiters) sealedBy(head key) []uint64 {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	var txs []uint64
	for tx, w := range ws.m {
		if !w.last.after(head) {
			txs = append(txs, tx)
		}
	}
	return txs
}
