-- Drafts (docs/PROTOCOL.md, "Drafts"): one per user, room and thread
-- ('' for the room itself); an empty draft is no row.
CREATE TABLE drafts (
    user_id    TEXT NOT NULL REFERENCES users (id),
    room_id    TEXT NOT NULL REFERENCES rooms (id),
    thread_id  TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, room_id, thread_id)
);
