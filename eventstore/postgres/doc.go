// Package postgres is the PostgreSQL event store backend (pgx/v5 pool), the
// system of record for real deployments.
//
// # Global order without gaps
//
// Appends run concurrently and a bigserial commits out of order: a reader
// that advanced past position 7 could miss a 6 that commits later. Every
// event row therefore records the id of the transaction that wrote it (xid8)
// and an insertion sequence. A row is ordered by (tx_id, seq), and it may only
// be handed to readers once tx_id < pg_snapshot_xmin(pg_current_snapshot()):
// then every transaction with a smaller id has finished, so no row can ever
// appear before it in that order (watermill-sql's PostgreSQL schema uses the
// same watermark).
//
// (tx_id, seq) is not a convenient checkpoint, so a sealer turns it into
// dense positions: under a transaction-scoped advisory lock keyed by the
// schema (one sealer at a time across all processes) it takes the unsealed
// rows below the watermark in (tx_id, seq) order, numbers them after the last
// position and writes one ledger row per position with the global hash chain
// (eventstore.LedgerHash). Readers only read sealed rows, so a position, once
// seen, never has an earlier neighbour appear. Append waits for its events to
// be sealed, so it can return their positions; appends committing together
// are sealed together, like a group commit. The ledger row is the only thing
// the seal adds and it is a pure function of the events in (tx_id, seq) order,
// so the seal transaction commits with synchronous_commit off: a seal lost in a
// crash is redone identically.
//
// The limit of the watermark: any transaction holding an xid (in any schema of
// the cluster) holds sealing back until it ends, so a long-running writer
// delays every append's return and every reader. Lag reports the backlog and
// the oldest transaction's age, and a waiting Append logs a warning naming it.
//
// Each append is one INSERT of all its events, so a stale version, a
// duplicate id or a cancelled context leaves nothing behind. The unique
// (stream_id, version) key is the optimistic-concurrency check (only one
// writer can add version v+1), so there is no streams table to update; the
// ledger covers what a table of stream heads would (a stream's last event
// removed). The head hash an append chains to is read with the expected
// version, or remembered from this process's previous append to the stream.
package postgres
