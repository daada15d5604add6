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
// event row therefore records the id of the transaction that wrote it (xid8,
// pg_current_xact_id()) and an insertion sequence, and rows are ordered by
// (tx_id, seq), as in watermill-sql's PostgreSQL schema. A row is handed to
// readers only once no row can ever appear before it in that order.
//
// watermill-sql decides that with the watermark tx_id <
// pg_snapshot_xmin(pg_current_snapshot()). Its limit is that xmin belongs to
// the whole cluster: any write transaction, of any schema or application (a
// projection's batch, a report, another engineer's test), holds every reader
// back, and since Append returns positions, every append too. On the shared
// development cluster that cut single-client appends to about 35 events/s.
// The store uses a barrier instead, which only appends can hold: every append
// takes the schema's append lock, a shared advisory lock, in its transaction
// before it writes (so before it has an xid) and keeps it until its commit is
// visible; a seal takes the same lock exclusively. When the seal gets it, no
// append is in flight and none can start, so every event that exists is
// visible to the seal's next statement, and every later append will get a
// larger xid and so sort after everything sealed now. Appends never wait for
// one another, only, briefly, for a seal (two statements).
//
// (tx_id, seq) is not a convenient checkpoint, so the seal turns that order
// into dense positions: it numbers the unsealed rows after the last position
// and writes one ledger row per position carrying the global hash chain
// (eventstore.LedgerHash). Readers only read sealed rows, with one range scan
// of the events' primary key.
//
// One process at a time seals a schema: it holds a session advisory lock
// (keyed by the schema) on a connection of its own, so it knows the ledger
// head without reading it. Other processes ask it to seal by NOTIFY and take
// over as soon as its connection, and so the lock, goes away. Append waits for
// its events to be sealed so that it can return their positions; appends
// committing together are sealed together, like a group commit. The ledger
// is a pure function of the events in (tx_id, seq) order, so its insert
// commits with synchronous_commit off: a seal lost in a crash is redone
// identically. Every seal NOTIFYs the schema's channel, which wakes the
// subscriptions; they also poll, in case a notification is lost.
//
// # The limit of the barrier
//
// A slow append holds the next seal back until it ends, and with it every
// other append's return, new appends' start and every reader. Lag reports the
// backlog and the oldest append in flight, Collector exports both to
// Prometheus, and the seal loop logs a warning naming the append when others
// have waited longer than Options.StuckAfter. Under many concurrent writers
// each append waits about one commit latency for the appends that began
// before it, then for the seal. Events must be written through Append only:
// a row written without the append lock could be sealed past.
package postgres
