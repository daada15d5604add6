// Package eventstoretest holds the test helpers that give every test its own
// migrated store (a fresh SQLite file, or a fresh PostgreSQL schema), and the
// one conformance suite both backends must pass.
package eventstoretest
