package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/migrations"
)

// positionInEvents is the migration from which every event row carries its
// position (see migrations/postgres/00002_position_in_events.sql).
const positionInEvents = 2

// Migrate applies every area's PostgreSQL migrations to the store's schema.
// A log written before migration 00002 (positions in a ledger table, given
// after the commit) first has the events that version left without a
// position sealed; a crash before the migration is recorded repeats this
// harmlessly.
func (s *Store) Migrate(ctx context.Context, logger *slog.Logger) (migrations.Result, error) {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	from, err := migrations.Version(ctx, db, migrations.Postgres)
	if err != nil {
		return migrations.Result{}, err
	}
	if from > 0 && from < positionInEvents {
		n, err := s.sealLeftovers(ctx)
		if err != nil {
			return migrations.Result{From: from, To: from}, fmt.Errorf("migrate: seal the events the previous version left without a position: %w", err)
		}
		if n > 0 && logger != nil {
			logger.Info("sealed events the previous version left without a position", "events", n)
		}
	}
	return migrations.Apply(ctx, db, migrations.Postgres, logger)
}

// sealLeftovers gives ledger positions to the events a store before
// migration 00002 committed but did not live to seal. That version sealed in
// (tx_id, seq) order behind a barrier, so they are the events after the last
// sealed one in that order; its appends took the append lock shared, so
// holding it exclusively waits for any still running.
func (s *Store) sealLeftovers(ctx context.Context) (int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, lockSQL, s.appendLock); err != nil {
		return 0, err
	}
	var (
		position       int64
		ledger         = eventstore.GenesisHash
		lastTx         uint64
		lastSeq        int64
		positions, seq []int64
		txs            []uint64
		hashes         [][]byte
	)
	err = tx.QueryRow(ctx, `SELECT position, ledger_hash, tx_id, seq FROM ledger ORDER BY position DESC LIMIT 1`).
		Scan(&position, &ledger, &lastTx, &lastSeq)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, err
	}
	rows, err := tx.Query(ctx, `SELECT tx_id, seq, hash FROM events WHERE (tx_id, seq) > ($1::xid8, $2::bigint) ORDER BY tx_id, seq`,
		lastTx, lastSeq)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var t uint64
		var q int64
		var h []byte
		if err := rows.Scan(&t, &q, &h); err != nil {
			rows.Close()
			return 0, err
		}
		position++
		ledger = eventstore.LedgerHash(ledger, position, h)
		positions, txs, seq, hashes = append(positions, position), append(txs, t), append(seq, q), append(hashes, ledger)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(positions) == 0 {
		return 0, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO ledger (position, tx_id, seq, ledger_hash)
		SELECT * FROM unnest($1::bigint[], $2::xid8[], $3::bigint[], $4::bytea[])`, positions, txs, seq, hashes)
	if err != nil {
		return 0, err
	}
	return len(positions), tx.Commit(ctx)
}
