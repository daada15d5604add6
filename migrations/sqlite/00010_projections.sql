-- Read models of the projections runner (projections package).
-- Every read model is a JSON document keyed by projection, generation,
-- collection and id; a projection's active generation is the one readers see,
-- so a rebuild fills a new generation and swaps it in with one update.

-- +goose Up
CREATE TABLE projection_state (
    projection        TEXT PRIMARY KEY,
    version           INTEGER NOT NULL,
    active_generation INTEGER NOT NULL
);

-- One checkpoint per generation: the last global position applied to it,
-- written in the same transaction as the documents it produced.
CREATE TABLE projection_checkpoints (
    projection TEXT    NOT NULL,
    generation INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (projection, generation)
);

CREATE TABLE projection_documents (
    projection TEXT    NOT NULL,
    generation INTEGER NOT NULL,
    collection TEXT    NOT NULL,
    doc_id     TEXT    NOT NULL,
    grp        TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    body       TEXT    NOT NULL,
    PRIMARY KEY (projection, generation, collection, doc_id)
);

CREATE INDEX projection_documents_grp
    ON projection_documents (projection, generation, collection, grp, doc_id);
