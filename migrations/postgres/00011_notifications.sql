-- Notifications outbox (projections/relay): written by the Watermill
-- notification handler, read by a later mail integration. The key includes
-- the event id, so a redelivered event inserts nothing new.

-- +goose Up
CREATE TABLE notifications (
    event_id     TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    kind         TEXT NOT NULL,
    position     BIGINT NOT NULL,
    subject      TEXT NOT NULL,
    details      TEXT NOT NULL, -- JSON
    occurred_at  TIMESTAMPTZ NOT NULL,
    sent_at      TIMESTAMPTZ,
    PRIMARY KEY (event_id, recipient_id, kind)
);

CREATE INDEX notifications_unsent ON notifications (position) WHERE sent_at IS NULL;
CREATE INDEX notifications_recipient ON notifications (recipient_id, position);
