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
//	eventstoretest.NewSQLite(t) *sqlite.Store     // migrated store in t.TempDir()
//	eventstoretest.NewPostgres(t) *postgres.Store // migrated store in a fresh schema, dropped after the test;
//	                                              // skips (or fails under APPRAISAL_REQUIRE_POSTGRES=1)
//	                                              // without APPRAISAL_TEST_DATABASE_URL
//	eventstoretest.Run(t, eventstoretest.SQLiteBackend()) // the conformance suite
//	var u eventstore.Upcasters; u.Register("type", 1, func(old json.RawMessage) (json.RawMessage, error))
//
// Subscribe returns ctx.Err() when its context ends, or the handler's error.
// Positions are dense (1, 2, 3, ...) and only ever handed out in the order
// readers see them, so a projection's checkpoint is a single int64.
//
// # Design
//
// Both backends keep two hash chains (see HashEvent and LedgerHash):
//
//   - a chain per stream: each event's hash covers the previous event's hash
//     in its stream and a canonical, length-prefixed encoding of every stored
//     field; a streams table keeps each stream's version and head hash, updated
//     in the append transaction, which is also the optimistic-concurrency check;
//   - a global ledger: for each position, a hash over the previous ledger hash,
//     the position and the event hash. It catches what the stream chains alone
//     cannot: events moved between positions across streams, and the removal
//     of a stream's last event or of a whole stream.
//
// Verify walks the log once in position order and reports the first position
// where either chain breaks (internal/chain). No chain without a secret can
// prove its own end was not cut off or extended by someone recomputing hashes;
// VerifyReport.LedgerHead is meant to be recorded outside the database for that.
//
// SQLite serialises appends (BEGIN IMMEDIATE), so positions are the rowid and
// the ledger hash is written with each event. PostgreSQL lets appends run
// concurrently; see package postgres for how positions are sealed gap-free.
package eventstore
