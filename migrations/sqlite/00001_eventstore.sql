-- Event store: streams with their head, and the events themselves.
-- Appends are serialised (BEGIN IMMEDIATE), so the global position is simply
-- the rowid order and the global ledger hash is written with each event.

-- +goose Up
CREATE TABLE streams (
    stream_id TEXT PRIMARY KEY,
    version   INTEGER NOT NULL CHECK (version > 0),
    head_hash BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE events (
    position       INTEGER PRIMARY KEY,
    stream_id      TEXT NOT NULL,
    version        INTEGER NOT NULL,
    id             TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    payload        TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    causation_id   TEXT NOT NULL,
    recorded_at    TEXT NOT NULL, -- UTC, 2006-01-02T15:04:05.000000Z, sorts as time
    prev_hash      BLOB NOT NULL,
    hash           BLOB NOT NULL,
    ledger_hash    BLOB NOT NULL,
    UNIQUE (stream_id, version)
);

-- History is append-only: the application never updates or deletes an event.
-- These guards stop accidents; verify catches whoever removes them.
-- +goose StatementBegin
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
-- +goose StatementEnd
