// Package eventstore is the append-only log every fact of Appraisal lives in.
//
// Streams are per aggregate; Append is atomic per stream with optimistic
// concurrency; ReadAll and Subscribe give every committed event exactly once in
// global order, never skipping one whose transaction committed late. Events are
// hash-chained so that Verify can name the first event altered, removed,
// inserted or reordered behind the store's back. Two backends implement Store:
// PostgreSQL (pgx/v5) and embedded SQLite (modernc.org/sqlite); both pass the
// one conformance suite in eventstoretest.
//
// API at a glance (for the other areas):
//
//	store, err := sqlite.Open(ctx, "./appraisal.db", sqlite.Options{Upcasters: u})
//	store.DB() *sql.DB                     // same database, for read models + checkpoint in one tx
//	store, err := postgres.Open(ctx, "postgres://...", postgres.Options{Upcasters: u})
//	store.Pool() *pgxpool.Pool             // same database (search_path already set)
//	store.Schema() string                  // the schema the store lives in
//	store.Migrate(ctx, logger)             // both backends: every area's migrations (migrations.Apply)
//	(*postgres.Store).Lag(ctx)             // backlog held back by the oldest open transaction
//	(*postgres.Store).Collector()          // the same as Prometheus gauges, for serve's registry
//	eventstoretest.NewSQLite(t) *sqlite.Store     // migrated store in t.TempDir()
//	eventstoretest.NewPostgres(t) *postgres.Store // migrated store in a fresh schema, dropped after the test;
//	                                              // skips (or fails under APPRAISAL_REQUIRE_POSTGRES=1)
//	                                              // without APPRAISAL_TEST_DATABASE_URL
//	eventstoretest.Run(t, eventstoretest.SQLiteBackend()) // the conformance suite
//	var u eventstore.Upcasters; u.Register("type", 1, func(old json.RawMessage) (json.RawMessage, error))
//
// Subscribe returns ctx.Err() when its context ends, or the handler's error.
// On PostgreSQL an Append whose context ends after its commit but before its
// seal still succeeds, with zero positions; ReadStream may show Position 0 for
// an event committed while an older append is still in flight.
// Positions are dense (1, 2, 3, ...) and only ever handed out in the order
// readers see them, so a projection's checkpoint is a single int64.
//
// # Design
//
// Both backends keep two hash chains (see HashEvent and LedgerHash):
//
//   - a chain per stream: each event's hash covers the previous event's hash
//     in its stream and a canonical, length-prefixed encoding of every stored
//     field (stream, version, id, type, schema version, payload as stored,
//     actor, correlation, causation, recorded time), written in the append
//     transaction;
//   - a global ledger: for each position, a hash over the previous ledger hash,
//     the position and the event hash. It catches what the stream chains alone
//     cannot: events moved between positions across streams, and the removal
//     of a stream's last event or of a whole stream.
//
// Verify walks the log once in position order and reports the first position
// where either chain breaks (internal/chain); the conformance suite tampers
// with raw SQL in every way (alter each field, remove from the middle, the
// end of a stream, a whole stream, the end of the log, swap within and across
// streams, insert a self-consistent forged event) and checks the position
// named. No chain without a secret can prove its own end was not cut off or
// extended by someone recomputing hashes; VerifyReport.LedgerHead (printed by
// appraisal verify) is meant to be recorded outside the database for that.
// Triggers refuse UPDATE and DELETE on the events (and ledger) tables, so an
// accident cannot alter history; Verify catches whoever removes them.
//
// SQLite serialises appends (BEGIN IMMEDIATE), so positions are the rowid, the
// ledger hash is written with each event, and a streams table holds each
// stream's version and head hash (the concurrency check, and at verify time a
// check that no stream lost events at the end of the log). PostgreSQL lets
// appends run concurrently and orders them by (xid8 transaction id, sequence);
// see package postgres for how positions are sealed gap-free behind a barrier
// only appends can hold.
//
// Old schema versions are upcast on read by the functions registered in
// Upcasters; the stored event, and so its hash, never changes.
package eventstore
