package sqlite

import (
	"context"
	"fmt"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/internal/chain"
)

// verifyBatch bounds memory while walking the log.
const verifyBatch = 1000

// Verify implements eventstore.Store. It walks every event in position order
// inside one transaction, checking both chains and then the stream heads.
func (s *Store) Verify(ctx context.Context) (eventstore.VerifyReport, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return eventstore.VerifyReport{}, fmt.Errorf("verify: %w", err)
	}
	defer tx.Rollback()
	v := chain.New()
	after := int64(0)
	for !v.Failed() {
		events, ledger, err := scanEvents(tx.QueryContext(ctx, selectEventSQL+`WHERE position > ? ORDER BY position LIMIT ?`, after, verifyBatch))
		if err != nil {
			return eventstore.VerifyReport{}, fmt.Errorf("verify: read after %d: %w", after, err)
		}
		for i := range events {
			v.Sealed(events[i].Position, &events[i], ledger[i])
			after = events[i].Position
		}
		if len(events) < verifyBatch {
			break
		}
	}
	heads := make(map[string]chain.Head)
	rows, err := tx.QueryContext(ctx, `SELECT stream_id, version, head_hash FROM streams`)
	if err != nil {
		return eventstore.VerifyReport{}, fmt.Errorf("verify: read stream heads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var h chain.Head
		if err := rows.Scan(&id, &h.Version, &h.Hash); err != nil {
			return eventstore.VerifyReport{}, fmt.Errorf("verify: read stream heads: %w", err)
		}
		heads[id] = h
	}
	if err := rows.Err(); err != nil {
		return eventstore.VerifyReport{}, fmt.Errorf("verify: read stream heads: %w", err)
	}
	v.Heads(heads)
	return v.Report(), nil
}
