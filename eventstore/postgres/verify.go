package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/internal/chain"
)

// Verify implements eventstore.Store. It seals what can be sealed, then, in
// one repeatable-read snapshot, walks the ledger and the events together in
// (tx_id, seq) order: every ledger row must find its event and chain, every
// event below the sealed head must have a ledger row, events after it (just
// committed) are checked on their stream chains only.
func (s *Store) Verify(ctx context.Context) (eventstore.VerifyReport, error) {
	if _, err := s.sealNow(ctx, true); err != nil {
		return eventstore.VerifyReport{}, fmt.Errorf("verify: %w", err)
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return eventstore.VerifyReport{}, fmt.Errorf("verify: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	v := chain.New()
	if err := s.verifyLog(ctx, tx, v); err != nil {
		return eventstore.VerifyReport{}, fmt.Errorf("verify: %w", err)
	}
	return v.Report(), nil
}

func (s *Store) verifyLog(ctx context.Context, tx pgx.Tx, v *chain.Verifier) error {
	head, err := readHead(ctx, tx)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT `+eventColumns+`, e.tx_id, e.seq, l.position, l.ledger_hash
		FROM ledger l FULL JOIN events e ON e.tx_id = l.tx_id AND e.seq = l.seq
		ORDER BY coalesce(e.tx_id, l.tx_id), coalesce(e.seq, l.seq)`)
	if err != nil {
		return err
	}
	defer rows.Close()
	const eventCols = 13 // eventColumns, then tx_id, seq, position, ledger_hash
	for rows.Next() && !v.Failed() {
		var e eventstore.Event
		var k key
		var position *int64
		var ledgerHash []byte
		if rows.RawValues()[eventCols] == nil {
			// A ledger row without its event: nil destinations skip the NULLs.
			dest := make([]any, eventCols+4)
			dest[eventCols+2] = &position
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			v.Fail(*position, "", fmt.Sprintf("the event sealed at position %d is missing: it was removed", *position))
			break
		}
		if err := scanEvent(rows, &e, &k.tx, &k.seq, &position, &ledgerHash); err != nil {
			return err
		}
		switch {
		case position != nil:
			v.Sealed(*position, &e, ledgerHash)
		case head.key.after(k):
			v.Fail(v.Report().LastPosition+1, e.StreamID, fmt.Sprintf("event %s/%d is not where the ledger puts any event: it was inserted or moved behind the store", e.StreamID, e.Version))
		default:
			v.Unsealed(&e)
		}
	}
	return rows.Err()
}
