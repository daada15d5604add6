// Package projections turns the event log into what people read, and keeps
// the record of official decisions honest.
//
// A Runner applies each Projection's events in global order inside one
// database transaction per batch that also moves the projection's checkpoint,
// so a crash can neither apply an event twice nor skip one. Read models are
// JSON documents keyed by (projection, generation, collection, id) in the
// event store's own database, one code path for PostgreSQL and SQLite.
// Generations make rebuilds invisible to readers: a rebuild fills a fresh
// generation from position 0 and swaps it in with one update. On PostgreSQL a
// session advisory lock per projection elects the one process that applies
// it; another process takes over within seconds when that one dies.
package projections
