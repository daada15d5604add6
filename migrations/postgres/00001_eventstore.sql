-- Event store: the events and the sealed ledger. The unique (stream_id,
-- version) key is the streams' optimistic-concurrency check.
--
-- Appends run concurrently. Each event row carries the id of the transaction
-- that wrote it (xid8); an event is only given a global position once every
-- transaction with a smaller id has finished (tx_id < xmin of the current
-- snapshot), in (tx_id, seq) order. That assignment is the ledger: one row per
-- position, hash-chained, written by a single sealer under an advisory lock.

-- +goose Up
CREATE SEQUENCE events_seq AS bigint;

CREATE TABLE events (
    tx_id          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    seq            bigint NOT NULL DEFAULT nextval('events_seq'),
    stream_id      text NOT NULL,
    version        bigint NOT NULL,
    id             uuid NOT NULL,
    type           text NOT NULL,
    schema_version integer NOT NULL,
    payload        json NOT NULL,
    actor_id       text NOT NULL,
    actor_role     text NOT NULL,
    correlation_id uuid NOT NULL,
    causation_id   uuid NOT NULL,
    recorded_at    timestamptz NOT NULL,
    prev_hash      bytea NOT NULL,
    hash           bytea NOT NULL,
    PRIMARY KEY (tx_id, seq),
    UNIQUE (stream_id, version),
    UNIQUE (id)
);

ALTER SEQUENCE events_seq OWNED BY events.seq;

CREATE TABLE ledger (
    position    bigint PRIMARY KEY,
    tx_id       xid8 NOT NULL,
    seq         bigint NOT NULL,
    ledger_hash bytea NOT NULL,
    UNIQUE (tx_id, seq) -- an event is sealed once; stream reads find its position
);

-- History is append-only: the application never updates or deletes an event
-- or a ledger row. These guards stop accidents; verify catches whoever
-- disables them.
-- +goose StatementBegin
CREATE FUNCTION appraisal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION appraisal_append_only();
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION appraisal_append_only();
