-- Link previews (docs/PROTOCOL.md, "Link previews"): a message keeps its
-- previews as JSON ('' for none); setting them is a log entry ('unfurled'
-- in room_events, the previews' JSON as its body). SQLite cannot change a
-- CHECK constraint, so room_events is rebuilt with the new kind allowed.
ALTER TABLE messages ADD COLUMN previews TEXT NOT NULL DEFAULT '';

CREATE TABLE room_events_new (
    room_id    TEXT NOT NULL REFERENCES rooms (id),
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL
        CHECK (kind IN ('edited', 'deleted', 'reaction', 'topic', 'room', 'pinned', 'unfurled')),
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
