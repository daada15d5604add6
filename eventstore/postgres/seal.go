package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// sealBatch bounds one seal transaction.
const sealBatch = 5000

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

func (s *Store) sealOnce(ctx context.Context) (ledgerHead, int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return ledgerHead{}, 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var locked bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, s.lockID).Scan(&locked); err != nil {
		return ledgerHead{}, 0, err
	}
	head, err := readHead(ctx, tx)
	if err != nil || !locked {
		return head, 0, err
	}
	rows, err := tx.Query(ctx, `SELECT tx_id, seq, hash FROM events
		WHERE (tx_id, seq) > ($1::xid8, $2::bigint) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
		ORDER BY tx_id, seq LIMIT $3`, head.key.tx, head.key.seq, sealBatch)
	if err != nil {
		return head, 0, err
	}
	var (
		positions []int64
		txs       []uint64
		seqs      []int64
		hashes    [][]byte
		firsts    []sealedTx
	)
	for rows.Next() {
		var k key
		var h []byte
		if err := rows.Scan(&k.tx, &k.seq, &h); err != nil {
			rows.Close()
			return head, 0, err
		}
		head.position++
		head.hash = eventstore.LedgerHash(head.hash, head.position, h)
		if len(txs) == 0 || txs[len(txs)-1] != k.tx {
			firsts = append(firsts, sealedTx{tx: k.tx, position: head.position})
		}
		head.key = k
		positions, txs, seqs, hashes = append(positions, head.position), append(txs, k.tx), append(seqs, k.seq), append(hashes, head.hash)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(positions) == 0 {
		return head, 0, err
	}
	// The ledger is recomputable from the events, so its commit need not wait
	// for the disk: a seal lost in a crash is redone with the same result.
	if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return head, 0, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO ledger (position, tx_id, seq, ledger_hash)
		SELECT * FROM unnest($1::bigint[], $2::xid8[], $3::bigint[], $4::bytea[])`, positions, txs, seqs, hashes); err != nil {
		return head, 0, err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, s.channelName(), strconv.FormatInt(head.position, 10)); err != nil {
		return head, 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return head, 0, err
	}
	s.recent.add(firsts)
	s.noteHead(head.position)
	return head, len(positions), nil
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

// awaitSeal waits until the events written by transaction tx (last key k) are
// sealed and returns the position of the first. Appenders that commit
// together queue on sealMu; the first one in seals them all.
func (s *Store) awaitSeal(ctx context.Context, tx uint64, k key) (int64, error) {
	start := time.Now()
	warned := false
	backoff := time.Millisecond
	for {
		if pos, ok := s.recent.get(tx); ok {
			return pos, nil
		}
		signal := s.sealed.Wait()
		s.sealMu.Lock()
		pos, ok := s.recent.get(tx)
		var head ledgerHead
		var err error
		if !ok {
			head, err = s.sealLocked(ctx)
		}
		s.sealMu.Unlock()
		switch {
		case ok:
			return pos, nil
		case err != nil:
			return 0, err
		case !k.after(head.key):
			// Sealed by another process: look the position up.
			return s.positionOf(ctx, tx)
		}
		if !warned && time.Since(start) > s.opts.StuckAfter {
			warned = true
			s.warnHeldBack(ctx, time.Since(start))
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-signal:
		case <-time.After(backoff):
			backoff = min(2*backoff, 50*time.Millisecond)
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

// recentSeals remembers where the last transactions sealed by this process
// start, so a waiting Append finds its position without a query.
type recentSeals struct {
	mu    sync.Mutex
	first map[uint64]int64
	order []uint64
}

const recentSealsCap = 1 << 14

func (r *recentSeals) add(txs []sealedTx) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.first == nil {
		r.first = make(map[uint64]int64)
	}
	for _, t := range txs {
		r.first[t.tx] = t.position
		r.order = append(r.order, t.tx)
	}
	if over := len(r.order) - recentSealsCap; over > 0 {
		for _, tx := range r.order[:over] {
			delete(r.first, tx)
		}
		r.order = append(r.order[:0], r.order[over:]...)
	}
}

func (r *recentSeals) get(tx uint64) (int64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.first[tx]
	return p, ok
}
