-- Web Push (docs/PROTOCOL.md, "Web Push"). The server's VAPID key pair,
-- made by whichever instance starts first and then shared by all: one row.
CREATE TABLE push_keys (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    private_key TEXT NOT NULL,
    created_ms  INTEGER NOT NULL
);
-- Browsers subscribed to pushes. An endpoint belongs to one browser: when
-- another account subscribes it, the subscription moves to that account.
CREATE TABLE push_subscriptions (
    endpoint   TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    agent      TEXT,
    created_ms INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, created_ms);
