-- Read models of the projections runner (projections package).
-- Every read model is a JSON document keyed by projection, generation,
-- collection and id; a projection's active generation is the one readers see,
-- so a rebuild fills a new generation and swaps it in with one update.
-- Text keys use the "C" collation so that ordering (and the rebuild digest)
-- is byte order, as on SQLite.

-- +goose Up
CREATE TABLE projection_state (
    projection        TEXT COLLATE "C" PRIMARY KEY,
    version           INTEGER NOT NULL,
    active_generation BIGINT  NOT NULL
);

-- One checkpoint per generation: the last global position applied to it,
-- written in the same transaction as the documents it produced.
CREATE TABLE projection_checkpoints (
    projection TEXT COLLATE "C" NOT NULL,
    generation BIGINT NOT NULL,
    position   BIGINT NOT NULL,
    PRIMARY KEY (projection, generation)
);

CREATE TABLE projection_documents (
    projection TEXT COLLATE "C" NOT NULL,
    generation BIGINT NOT NULL,
    collection TEXT COLLATE "C" NOT NULL,
    doc_id     TEXT COLLATE "C" NOT NULL,
    grp        TEXT COLLATE "C" NOT NULL,
    position   BIGINT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (projection, generation, collection, doc_id)
);

CREATE INDEX projection_documents_grp
    ON projection_documents (projection, generation, collection, grp, doc_id);
