-- +goose Up
-- API bookkeeping that is not business fact, so it lives beside the event
-- log rather than in it: bearer tokens (only their SHA-256), secrets the
-- server generated for itself, customer links already answered, and the
-- first response of every idempotent request.
CREATE TABLE http_tokens (
    token_hash  TEXT PRIMARY KEY,
    employee_id TEXT NOT NULL,
    role        TEXT NOT NULL,
    issued_by   TEXT NOT NULL,
    issued_at   INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
);
CREATE INDEX http_tokens_employee ON http_tokens (employee_id);

CREATE TABLE http_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE http_used_links (
    request_id TEXT PRIMARY KEY,
    used_at    INTEGER NOT NULL
);

CREATE TABLE http_idempotency (
    caller       TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    response     TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (caller, idem_key)
);
