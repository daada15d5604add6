-- Number 00002 is the PostgreSQL store's move of the global position and
-- ledger hash into the event row. SQLite has always stored them there, in
-- the append's transaction: nothing changes here. The file keeps the two
-- folders' numbers the same.

-- +goose Up
SELECT 1;
