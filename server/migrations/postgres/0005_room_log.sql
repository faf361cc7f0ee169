-- The room log (v2): besides messages, edits, deletions and reaction changes
-- are entries that take the room's next seq (see store/log.rs). A message row
-- holds the message's current state; the other entries live in room_events.
ALTER TABLE messages ADD COLUMN thread_id TEXT;
-- Comma-separated user ids, resolved from @names when stored or edited.
ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN edited_ms BIGINT;
-- A deleted message keeps its row (its seq stays in the log) without its body.
ALTER TABLE messages ADD COLUMN deleted_ms BIGINT;
ALTER TABLE messages ADD COLUMN reply_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN last_reply_ms BIGINT;
CREATE INDEX messages_thread ON messages (thread_id, seq);

CREATE TABLE room_events (
    room_id    TEXT NOT NULL REFERENCES rooms (id),
    seq        BIGINT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('edited', 'deleted', 'reaction')),
    message_id TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    -- edited: the new body (emptied when the message is deleted) and mentions.
    body       TEXT,
    mentions   TEXT,
    -- reaction: which, and whether it was added (1) or removed (0).
    emoji      TEXT,
    on_flag    BIGINT,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (room_id, seq)
);
CREATE INDEX room_events_message ON room_events (message_id);

-- Current reactions: one row per user, emoji and message.
CREATE TABLE reactions (
    message_id TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    emoji      TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);
