-- Event store: each event row carries its global position and ledger hash,
-- written in the append's own transaction (as on SQLite), and each group
-- commit records where it ended in commits.
--
-- Until this migration appends committed their rows ordered by (tx_id, seq)
-- and a separate sealer gave them positions afterwards in a ledger table.
-- Now a group commit holds the schema's append lock from before its insert
-- until its commit is visible (eventstore/postgres, package doc), so it knows
-- the positions when it writes the rows. The store gives positions to any
-- events the previous version left unsealed before this migration runs; an
-- event still without a ledger row here was put there behind the store, and
-- the migration stops.

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE unsealed bigint;
BEGIN
    SELECT count(*) INTO unsealed FROM events e
        WHERE NOT EXISTS (SELECT FROM ledger l WHERE l.tx_id = e.tx_id AND l.seq = e.seq);
    IF unsealed > 0 THEN
        RAISE EXCEPTION '% events have no ledger position (inserted behind the store?): run appraisal verify with the previous release', unsealed;
    END IF;
END $$;
-- +goose StatementEnd

ALTER TABLE events ADD COLUMN position bigint, ADD COLUMN ledger_hash bytea;
ALTER TABLE events DISABLE TRIGGER events_append_only;
UPDATE events e SET position = l.position, ledger_hash = l.ledger_hash
    FROM ledger l WHERE l.tx_id = e.tx_id AND l.seq = e.seq;
ALTER TABLE events ENABLE TRIGGER events_append_only;
ALTER TABLE events
    ALTER COLUMN position SET NOT NULL,
    ALTER COLUMN ledger_hash SET NOT NULL,
    DROP CONSTRAINT events_pkey,
    ADD PRIMARY KEY (position),
    DROP COLUMN tx_id,
    DROP COLUMN seq;

-- One row per group commit: the last position it wrote and that event's
-- ledger hash. Verify compares the last row with the last event, so that
-- events removed from the end of the log do not go unnoticed.
CREATE TABLE commits (
    position    bigint PRIMARY KEY,
    ledger_hash bytea NOT NULL
);
INSERT INTO commits (position, ledger_hash)
    SELECT position, ledger_hash FROM ledger ORDER BY position DESC LIMIT 1;
DROP TABLE ledger;

CREATE TRIGGER commits_append_only BEFORE UPDATE OR DELETE ON commits
    FOR EACH ROW EXECUTE FUNCTION appraisal_append_only();

-- A group commit planned on the head this process's last commit left calls
-- this under the append lock: it stops the group, writing nothing, unless
-- the log still ends there, at that position with that ledger hash (another
-- process may have written since).
-- +goose StatementBegin
CREATE FUNCTION appraisal_expect_head(expected bigint, expected_hash bytea) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    head bigint := 0;
    head_hash bytea := decode(repeat('00', 32), 'hex');
BEGIN
    SELECT position, ledger_hash INTO head, head_hash FROM events ORDER BY position DESC LIMIT 1;
    IF coalesce(head, 0) <> expected OR coalesce(head_hash, decode(repeat('00', 32), 'hex')) <> expected_hash THEN
        RAISE EXCEPTION 'the log ends at position %, not where this group was planned to start (%)', coalesce(head, 0), expected
            USING ERRCODE = 'AH001';
    END IF;
END;
$$;
-- +goose StatementEnd

-- An append that depends on other streams (eventstore.Condition) calls this
-- under the append lock, before its insert: it stops the transaction unless
-- each stream is at its expected version (0: no events). DETAIL names the
-- first stream that is not and HINT its version and the expected one
-- (actual/expected).
-- +goose StatementBegin
CREATE FUNCTION appraisal_expect_versions(streams text[], versions bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    actual bigint;
BEGIN
    FOR i IN 1 .. coalesce(array_length(streams, 1), 0) LOOP
        SELECT coalesce(max(version), 0) INTO actual FROM events WHERE stream_id = streams[i];
        IF actual <> versions[i] THEN
            RAISE EXCEPTION 'stream % is at version %, not %', streams[i], actual, versions[i]
                USING ERRCODE = 'AV001', DETAIL = streams[i], HINT = actual || '/' || versions[i];
        END IF;
    END LOOP;
END;
$$;
-- +goose StatementEnd
