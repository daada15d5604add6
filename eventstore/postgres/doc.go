// Package postgres is the PostgreSQL event store backend (pgx/v5 pool), the
// system of record for real deployments.
//
// # Appends
//
// Each append is one INSERT of all its events (one transaction), so a stale
// version, a duplicate id or a cancelled context leaves nothing behind. The
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
// only be handed to readers once its tx_id is below the watermark, in the
// manner of watermill-sql's PostgreSQL schema (tx_id <
// pg_snapshot_xmin(pg_current_snapshot())): then every append with a smaller
// id has finished, so no row can ever appear before it in that order.
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
// # Only appends hold the watermark back
//
// pg_snapshot_xmin is the oldest transaction of the whole cluster that holds
// an xid: used as is, any write transaction (a projection's batch, another
// application's report, a test in another schema) would hold every append's
// return and every reader back for as long as it runs. So every append first
// takes the schema's appender lock, a shared advisory lock (appenders never
// wait for one another), before it has an xid; the sealer's watermark is the
// oldest xid in its snapshot's in-progress list that pg_locks does not show
// running without that lock. A transaction shown without it is some other
// writer and will never add events; one that ended since the snapshot keeps
// blocking until the next seal looks again, so the filter can only make the
// watermark later, never skip an append. Events must therefore be written
// through Append only.
//
// The remaining limit: a slow append holds sealing back until it ends, which
// delays every other append's return and every reader. Lag reports the
// backlog and the oldest append in flight, and the seal loop logs a warning
// naming it when appends have waited longer than Options.StuckAfter. Under
// many concurrent writers each append also waits about one commit latency for
// the appends that started before it.
package postgres
