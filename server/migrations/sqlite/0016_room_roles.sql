-- Running a room (docs/PROTOCOL.md, "Roles and archiving"): each member's
-- role; a room's creator is its first owner. An archived room is read-only.
-- last_ms is when the room's last entry was stored (the sidebar's "recent"
-- order). A message deleted by someone else than its author keeps who did.
ALTER TABLE memberships ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
UPDATE memberships SET role = 'owner' WHERE EXISTS (
    SELECT 1 FROM rooms r
    WHERE r.id = memberships.room_id AND r.owner_id = memberships.user_id AND r.kind <> 'direct');
ALTER TABLE rooms ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN last_ms INTEGER;
UPDATE rooms SET last_ms = (SELECT MAX(created_ms) FROM messages m WHERE m.room_id = rooms.id);
ALTER TABLE messages ADD COLUMN deleted_by TEXT;
-- A renamed room keeps its id; no two rooms show the same name.
CREATE UNIQUE INDEX rooms_name ON rooms (name) WHERE kind <> 'direct';

-- Renaming and archiving are log entries ('room' in room_events: the name in
-- body, archived in on_flag). SQLite cannot change a CHECK constraint, so
-- room_events is rebuilt with the new kind allowed.
CREATE TABLE room_events_new (
    room_id    TEXT NOT NULL REFERENCES rooms (id),
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('edited', 'deleted', 'reaction', 'topic', 'room')),
    message_id TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    body       TEXT,
    mentions   TEXT,
    emoji      TEXT,
    on_flag    INTEGER,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (room_id, seq)
);
INSERT INTO room_events_new (room_id, seq, kind, message_id, user_id, body, mentions,
                             emoji, on_flag, created_ms)
    SELECT room_id, seq, kind, message_id, user_id, body, mentions, emoji, on_flag, created_ms
    FROM room_events;
DROP TABLE room_events;
ALTER TABLE room_events_new RENAME TO room_events;
CREATE INDEX room_events_message ON room_events (message_id);
