// Package migrations holds the numbered, forward-only SQL migrations of every
// area, one folder per backend (postgres/ and sqlite/, with the same numbers in
// both), embedded in the binary and applied by goose.
//
// Number ranges are reserved per area so that engineers never collide:
// event store 00001-00009, projections 00010-00029, http/auth 00030-00049.
// A file holds only a "-- +goose Up" section: history is never rolled back.
//
// Apply refuses a database that records a migration newer than the newest one
// this binary carries, because an old binary writing to a newer schema could
// corrupt it silently.
package migrations
