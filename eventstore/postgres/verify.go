package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/internal/chain"
)

// Verify implements eventstore.Store. In one repeatable-read snapshot it
// walks the events in position order, checking each event's hash, its
// stream chain and the global ledger chain, then that the log ends where the
// last group commit recorded it did.
func (s *Store) Verify(ctx context.Context) (eventstore.VerifyReport, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return eventstore.VerifyReport{}, fmt.Errorf("verify: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	v := chain.New()
	if err := verifyLog(ctx, tx, v); err != nil {
		return eventstore.VerifyReport{}, fmt.Errorf("verify: %w", err)
	}
	return v.Report(), nil
}

func verifyLog(ctx context.Context, tx pgx.Tx, v *chain.Verifier) error {
	rows, err := tx.Query(ctx, `SELECT `+eventColumns+`, ledger_hash FROM events ORDER BY position`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() && !v.Failed() {
		var e eventstore.Event
		var ledgerHash []byte
		if err := scanEvent(rows, &e, &ledgerHash); err != nil {
			return err
		}
		v.Sealed(e.Position, &e, ledgerHash)
	}
	rows.Close()
	if err := rows.Err(); err != nil || v.Failed() {
		return err
	}
	head, err := readCommitHead(ctx, tx)
	if err != nil {
		return fmt.Errorf("read the last commit: %w", err)
	}
	v.LogHead(head.position, head.hash)
	return nil
}
