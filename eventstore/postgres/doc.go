// Package postgres is the PostgreSQL event store backend (pgx/v5 pool), the
// system of record for real deployments.
//
// # Appends
//
// Each append is one INSERT of all its events (one transaction; COPY inside a
// transaction from 16 events on), so a stale version, a duplicate id or a
// cancelled context leaves nothing behind. The
// unique (stream_id, version) key is the optimistic-concurrency check: only
// one writer can add version v+1. The head hash an append chains to is read
// with the expected version, or remembered from this process's previous
// append to the stream; a stale memory is refused by the same key.
//
// # Global order without gaps
//
// Appends run concurrently, and a bigserial commits out of order: a reader
// that advanced past position 7 could miss a 6 that commits later. Every
// event row therefore records the id of the transaction that wrote it (xid8)
// and an insertion sequence. Rows are ordered by (tx_id, seq), and a row may
// only be handed to readers once tx_id < pg_snapshot_xmin(pg_current_snapshot()):
// then every transaction with a smaller id has finished, so no row can ever
// appear before it in that order (watermill-sql's PostgreSQL schema uses the
// same watermark).
//
// (tx_id, seq) is not a convenient checkpoint, so a sealer turns that order
// into dense positions: it numbers the unsealed rows below the watermark after
// the last position and writes one ledger row per position carrying the
// global hash chain (eventstore.LedgerHash). Readers only read sealed rows,
// so a position, once seen, never has an earlier neighbour appear; ReadAll
// reads them with one range scan of the events' primary key.
//
// One process at a time seals a schema: it holds a session advisory lock
// (keyed by the schema) on a connection of its own, so it knows the ledger
// head without reading it, and a seal is two statements: read the rows to
// seal, insert their ledger rows. Other processes ask it to seal by NOTIFY and
// take over as soon as its connection, and so the lock, goes away. Append
// waits for its events to be sealed so that it can return their positions;
// appends committing together are sealed together, like a group commit. The
// ledger is a pure function of the events in (tx_id, seq) order, so its
// insert commits with synchronous_commit off: a seal lost in a crash is redone
// identically. Every seal NOTIFYs the schema's channel, which wakes the
// subscriptions; they also poll, in case a notification is lost.
//
// # The limit of the watermark
//
// Any transaction holding an xid, in any database of the cluster, holds
// sealing back until it ends: a long-running writer delays every append's
// return and every reader. Lag reports the backlog and the oldest
// transaction, and the seal loop logs a warning naming it when appends have
// waited longer than Options.StuckAfter. Under many concurrent writers the
// same effect costs each append about one extra commit latency. Run the
// projections' and other applications' long write transactions elsewhere, or
// keep them short: on a shared cluster they show up directly as append
// latency. (Filtering the watermark to append transactions only, through an
// advisory lock every append holds and pg_locks, was tried and dropped: under
// a 32-writer stress run it sealed past a committed append.)
package postgres
