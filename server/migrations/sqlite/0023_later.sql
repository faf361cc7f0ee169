-- Scheduled messages and reminders (docs/PROTOCOL.md, "Later"): held here
-- until due; an instance claims due rows for a while (claimed_until_ms) and
-- marks them done, so one that dies mid-way leaves them to the next claim.
-- A scheduled message is sent with its id as client_msg_id: sending it
-- twice stores it once.
CREATE TABLE later (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('message', 'reminder')),
    user_id          TEXT NOT NULL REFERENCES users (id),
    room_id          TEXT NOT NULL REFERENCES rooms (id),
    thread_id        TEXT,
    message_id       TEXT,
    body             TEXT NOT NULL,
    due_ms           INTEGER NOT NULL,
    created_ms       INTEGER NOT NULL,
    claimed_by       TEXT,
    claimed_until_ms INTEGER,
    done_ms          INTEGER,
    failed           TEXT
);
CREATE INDEX later_due ON later (due_ms) WHERE done_ms IS NULL;
CREATE INDEX later_user ON later (user_id, kind, due_ms);
