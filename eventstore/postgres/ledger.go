package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// logHead is the log's last position and its ledger hash.
type logHead struct {
	position int64
	hash     []byte
}

// rowQuerier is a pool, a connection or a transaction.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readHead reads the last event's position and ledger hash (the genesis
// head when there is none).
func readHead(ctx context.Context, q rowQuerier) (logHead, error) {
	return scanHead(q.QueryRow(ctx, `SELECT position, ledger_hash FROM events ORDER BY position DESC LIMIT 1`))
}

// readCommitHead reads where the last group commit ended.
func readCommitHead(ctx context.Context, q rowQuerier) (logHead, error) {
	return scanHead(q.QueryRow(ctx, `SELECT position, ledger_hash FROM commits ORDER BY position DESC LIMIT 1`))
}

func scanHead(row pgx.Row) (logHead, error) {
	h := logHead{hash: eventstore.GenesisHash}
	err := row.Scan(&h.position, &h.hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, nil
	}
	return h, err
}

// appendedChannel is the store's NOTIFY channel (suffixed with the schema):
// new positions, wake the readers.
const appendedChannel = "appraisal_appended_"

func (s *Store) channelName(prefix string) string { return prefix + s.schema }
