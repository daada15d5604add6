// Package postgres is the PostgreSQL event store backend (pgx/v5 pool), the
// system of record for real deployments.
//
// # Group commit
//
// Every event row carries its global position and ledger hash (the global
// hash chain, eventstore.LedgerHash), written in the append's own
// transaction, as on SQLite. Positions must become visible in order and
// without gaps, or a reader that moved past position 7 could miss a 6 that
// commits later. So a transaction that writes events holds the schema's
// append lock (a transaction-level advisory lock, keyed by the schema) from
// before its insert until its commit is visible: PostgreSQL releases a
// transaction's locks only after its commit is visible, so the next holder
// reads, and writes after, everything committed before it.
//
// One lock holder at a time would make every append wait for the commits of
// all those before it. Instead each process has one writer goroutine
// (writer.go): Append prepares its events (versions, stream hash chain) and
// queues them; the writer takes everything queued (up to 2,000 events or
// 8 MiB, one append per stream) and commits it as one transaction, then the
// appends queued meanwhile, and so on. Under load a commit carries many
// appends, so the database does one round trip, one commit and one
// flush for all of them: 32 concurrent single-event appends run at or above
// the rate of 32 bare INSERTs (BENCHMARKS.md).
//
// The writer knows where its last commit left the log, so a group is one
// round trip: the lock, a check that the log still ends there (position and
// ledger hash, appraisal_expect_head; another process may have written), the
// events' INSERT and a row in commits recording where the group ends, sent
// as one implicit transaction. When the check fails, or at start, the group
// is written in an explicit transaction that reads the head under the lock
// first. A group refused for one member's sake (a stale version, a
// duplicate id) is written again member by member, so that only the guilty
// append fails. An Append whose context ends before the writer took it is
// withdrawn and writes nothing; a group is cancelled only when all its
// callers have given up, so a lone cancelled append writes nothing either.
//
// A commit can fail without the database saying so: the connection is lost,
// or the group is cancelled or times out, after the COMMIT may have reached
// the server. Reporting that as a failure could tell a caller its accepted
// append was lost, and its retry would then be refused as stale. So the
// writer settles such a commit before it answers: on another connection it
// waits for the append lock (the group's transaction holds it until it has
// committed or rolled back) and looks for the group's events at the
// positions planned for them. Found, the appends succeed; absent, they fail
// and wrote nothing; if even that check fails, the error says the outcome is
// unknown.
//
// An append's conditions on other streams (AppendIf) are checked in its group
// under the lock, before the insert (appraisal_expect_versions); a group
// never holds both an append conditioned on a stream and an append to it.
//
// The unique (stream_id, version) key is the optimistic-concurrency check:
// only one writer can add version v+1. The head hash an append chains to is
// read with the expected version, or remembered from this process's previous
// append to the stream; a stale memory is refused by the same key.
//
// # Readers
//
// Readers need no lock and no watermark: committed positions are dense, so
// ReadAll is one range scan of the primary key. Every commit NOTIFYs the
// schema's channel, which wakes the subscriptions of every process; they
// also poll, in case a notification is lost.
//
// # Tamper evidence
//
// Verify walks the events in position order (event hash, stream chain,
// ledger chain), then compares the last row of commits with the last event,
// so that events cut from the end of the log are noticed too.
//
// # What holds appends back
//
// The append lock is held for the group's insert and commit only. A slow
// insert (a trigger, a lock on the table) or a slow commit holds every
// other append of the schema back until it ends; other write transactions
// of the cluster (projections, other applications) hold nothing back. Lag
// reports this process's queued appends and the oldest one's age, and the
// transaction holding the lock; Collector exports them to Prometheus, and a
// group still running after Options.StuckAfter is logged with the same
// facts.
//
// # Before migration 00002
//
// Earlier releases ordered events by (transaction id, sequence) and gave
// positions afterwards, in a separate ledger table written by a sealer.
// Migrate seals what such a release left unsealed, then migration 00002
// moves each position and ledger hash into its event row. Stop every
// process of the old release before upgrading: it does not take the append
// lock the way this one does.
package postgres
