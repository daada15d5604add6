package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// sealBatch bounds one seal statement.
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

// sealer is this process's side of sealing. One process at a time is the
// sealer of a schema: it holds a session advisory lock on a connection of
// its own for as long as that connection lives, so it knows the ledger head
// without reading it, and a seal is two cheap statements. Other processes ask
// it to seal with a NOTIFY and take over when its connection (and so the
// lock) goes away. Guarded by Store.sealMu.
type sealer struct {
	conn   *pgx.Conn
	leader bool
	head   ledgerHead // the ledger head, while leader
}

// sealLocked seals every committed event and returns the head after
// it. The caller holds sealMu. A process that is not the sealer asks the
// sealer to seal (when ask is set) and returns the head it reads.
func (s *Store) sealLocked(ctx context.Context, ask bool) (ledgerHead, error) {
	if err := s.lead(ctx); err != nil {
		s.dropLead()
		return ledgerHead{}, fmt.Errorf("seal: %w", err)
	}
	if !s.sealer.leader {
		if ask {
			if _, err := s.sealer.conn.Exec(ctx, `SELECT pg_notify($1, '')`, s.channelName(askChannel)); err != nil {
				s.dropLead()
				return ledgerHead{}, fmt.Errorf("seal: ask the sealer: %w", err)
			}
		}
		head, err := readHead(ctx, s.sealer.conn)
		if err != nil {
			s.dropLead()
			return head, fmt.Errorf("seal: read head: %w", err)
		}
		s.noteHead(head.position)
		return head, nil
	}
	for {
		n, err := s.sealBatch(ctx)
		if err != nil {
			s.dropLead()
			return ledgerHead{}, fmt.Errorf("seal: %w", err)
		}
		if n < sealBatch {
			return s.sealer.head, nil
		}
	}
}

// lead connects the sealer and tries to become the schema's sealer.
func (s *Store) lead(ctx context.Context) error {
	if s.sealer.conn == nil {
		conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
		if err != nil {
			return err
		}
		s.sealer.conn = conn
	}
	if s.sealer.leader {
		return nil
	}
	if err := s.sealer.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, s.lockID).Scan(&s.sealer.leader); err != nil {
		return err
	}
	if !s.sealer.leader {
		return nil
	}
	head, err := readHead(ctx, s.sealer.conn)
	s.sealer.head = head
	return err
}

// dropLead closes the sealer's connection, which releases the lock: after
// any error the sealer starts again from what the database says.
func (s *Store) dropLead() {
	if s.sealer.conn != nil {
		s.sealer.conn.Close(context.Background())
	}
	s.sealer = sealer{}
}

// sealBatch gives positions to the next unsealed events in (tx_id, seq)
// order, chaining their ledger hashes, behind a barrier: it first takes the
// append lock exclusively, which waits for every append in flight to end
// (each holds the lock, shared, from before it has a transaction id until its
// commit is visible) and holds new ones back before they get an id. Inside
// the barrier every event that exists is visible, and every later append will
// get a larger transaction id, so nothing can ever be inserted before what is
// sealed now. Only appends hold sealing back, not the other write transactions
// of the cluster (projections, other applications), as pg_snapshot_xmin would.
// The ledger is a pure function of the events in that order, so its insert
// commits without waiting for the disk (synchronous_commit off): a seal lost
// in a crash is redone identically. It returns how many events it sealed.
func (s *Store) sealBatch(ctx context.Context) (int, error) {
	conn := s.sealer.conn
	locked := true
	defer func() {
		if locked {
			// Closing the connection (dropLead) releases the barrier if this fails.
			if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, s.appendLock); err != nil {
				s.dropLead()
			}
		}
	}()
	// One round trip: the read runs after the lock is granted, so its
	// snapshot is taken inside the barrier.
	head := s.sealer.head
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_lock($1)`, s.appendLock)
	b.Queue(`SELECT tx_id, seq, hash FROM events WHERE (tx_id, seq) > ($1::xid8, $2::bigint)
		ORDER BY tx_id, seq LIMIT $3`, head.key.tx, head.key.seq, sealBatch)
	results := conn.SendBatch(ctx, b)
	defer results.Close()
	if _, err := results.Exec(); err != nil {
		return 0, err
	}
	rows, err := results.Query()
	if err != nil {
		return 0, err
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
			return 0, err
		}
		head.position++
		head.hash = eventstore.LedgerHash(head.hash, head.position, h)
		head.key = k
		if len(txs) == 0 || txs[len(txs)-1] != k.tx {
			firsts = append(firsts, sealedTx{tx: k.tx, position: head.position})
		}
		positions, txs, seqs, hashes = append(positions, head.position), append(txs, k.tx), append(seqs, k.seq), append(hashes, head.hash)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if err := results.Close(); err != nil || len(positions) == 0 {
		return 0, err
	}
	// The barrier ends with the insert: appends do not read the ledger.
	_, err = conn.Exec(ctx, `WITH sealed AS (
			INSERT INTO ledger (position, tx_id, seq, ledger_hash)
			SELECT * FROM unnest($1::bigint[], $2::xid8[], $3::bigint[], $4::bytea[]))
		SELECT set_config('synchronous_commit', 'off', true), pg_notify($5, $6), pg_advisory_unlock($7)`,
		positions, txs, seqs, hashes, s.channelName(sealedChannel), strconv.FormatInt(head.position, 10), s.appendLock)
	if err != nil {
		return 0, err
	}
	locked = false
	s.lastSeal.Store(time.Now().UnixNano())
	s.sealer.head = head
	s.noteHead(head.position)
	s.waiters.resolveAll(firsts)
	s.sealed.Notify()
	return len(positions), nil
}

// The store's NOTIFY channels, each suffixed with the schema.
const (
	sealedChannel = "appraisal_sealed_" // new positions: wake the readers
	askChannel    = "appraisal_seal_"   // committed events wait: wake the sealer
)

func (s *Store) channelName(prefix string) string { return prefix + s.schema }

// sealNow seals (or asks the sealer to) and returns the head after it.
func (s *Store) sealNow(ctx context.Context, ask bool) (ledgerHead, error) {
	s.sealMu.Lock()
	defer s.sealMu.Unlock()
	return s.sealLocked(ctx, ask)
}

// trySeal is the readers' seal, for events whose append did not live to seal
// them: it seals unless another goroutine of this process is doing so, or a
// seal ran within the poll interval (a seal is a barrier for appends, and
// appends seal for themselves while they run).
func (s *Store) trySeal(ctx context.Context) error {
	if time.Since(time.Unix(0, s.lastSeal.Load())) < s.opts.PollInterval || !s.sealMu.TryLock() {
		return nil
	}
	defer s.sealMu.Unlock()
	_, err := s.sealLocked(ctx, false)
	return err
}

// awaitSeal waits until the events written by transaction tx (last key k) are
// sealed and returns the position of the first.
func (s *Store) awaitSeal(ctx context.Context, tx uint64, k key) (int64, error) {
	w := s.waiters.add(tx, k)
	// A lone writer seals right here (no hop to the loop); when others wait
	// too, the loop seals them all with one statement.
	if s.waiters.len() == 1 && s.sealMu.TryLock() {
		head, err := s.sealLocked(ctx, true)
		s.sealMu.Unlock()
		if err == nil {
			s.resolveSealedElsewhere(ctx, head)
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

// sealLoop runs while the store is open. Kicked by committed appends and by
// other processes asking, it seals and hands positions to the waiting
// appends; while some still wait because an older append is in flight
// (or another process seals), it tries again with a growing
// pause, logging when that lasts longer than StuckAfter.
func (s *Store) sealLoop(ctx context.Context) {
	defer s.done.Done()
	defer func() {
		s.sealMu.Lock()
		s.dropLead()
		s.sealMu.Unlock()
	}()
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
			pause = min(2*pause, 5*time.Millisecond)
		}
		head, err := s.sealNow(ctx, s.waiters.len() > 0)
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
