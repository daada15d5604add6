// Package sqlite is the embedded event store backend (modernc.org/sqlite, pure
// Go, no cgo) used when no PostgreSQL is configured.
//
// Appends are serialised: BEGIN IMMEDIATE takes SQLite's single write lock
// (and a mutex spares in-process writers the busy-wait), so positions become
// visible strictly in order and no reader can skip an event. The price is one
// writer at a time, which an embedded, single-node deployment can afford.
// Because appends are serialised, each event's global ledger hash is written
// in its own append transaction. The database runs in WAL mode so readers never
// wait for the writer, with synchronous=FULL so a committed append survives a
// power cut. Read models, which the log can rebuild, commit on a second
// handle with synchronous=NORMAL (Store.ReadModels): no fsync of their own
// under the write lock appends queue on.
package sqlite
