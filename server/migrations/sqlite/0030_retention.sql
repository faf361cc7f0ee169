-- Retention and legal holds (docs/PROTOCOL.md, "Retention"; docs/DESIGN.md,
-- "Retention").
--
-- A room keeps messages for its own `retention_days`, or the instance's
-- when NULL. The sweeper cuts each room's log from the bottom: every entry
-- with `seq <= log_floor` is gone (a thread root older than the cut whose
-- replies are kept stays as a deleted message, as a deletion leaves it).
-- A join whose `since` is below the floor is not recovered.
ALTER TABLE rooms ADD COLUMN retention_days INTEGER;
ALTER TABLE rooms ADD COLUMN log_floor INTEGER NOT NULL DEFAULT 0;

-- A legal hold on a room or a user suspends deletion: the sweeper passes a
-- held room by, and a held message that goes (deleted by someone, or by
-- retention in a room that is not held) leaves its original here, for
-- exports only.
CREATE TABLE legal_holds (
    kind       TEXT NOT NULL CHECK (kind IN ('room', 'user')),
    target     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    by_id      TEXT NOT NULL REFERENCES users (id),
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (kind, target)
);

CREATE TABLE held_messages (
    id          TEXT PRIMARY KEY,
    room_id     TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    author_id   TEXT NOT NULL,
    thread_id   TEXT,
    body        TEXT NOT NULL,
    attachments TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    edited_ms   INTEGER,
    gone_ms     INTEGER NOT NULL,
    why         TEXT NOT NULL CHECK (why IN ('deleted', 'retention'))
);
CREATE INDEX held_messages_author ON held_messages (author_id);
CREATE INDEX held_messages_room ON held_messages (room_id);

-- A held message's files stay, named by `held_for` (its id) and served to
-- nobody: exports take them.
ALTER TABLE files ADD COLUMN held_for TEXT;

-- One sweeper at a time across instances: whoever holds the lease sweeps
-- (each batch is safe on its own; the lease saves the others the work).
CREATE TABLE leases (
    name     TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    until_ms INTEGER NOT NULL
);
