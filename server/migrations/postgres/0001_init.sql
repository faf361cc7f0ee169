-- Users, rooms, memberships and messages: the same schema as SQLite's, in
-- PostgreSQL's types. Each room carries the counter that assigns its messages'
-- seq (see store/sql.rs, `append`).
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_ms    BIGINT NOT NULL
);
-- Names are unique regardless of case: "Alice" cannot impersonate "alice".
CREATE UNIQUE INDEX users_name_lower ON users (lower(name));

CREATE TABLE rooms (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('public', 'private', 'direct')),
    owner_id   TEXT REFERENCES users (id),
    epoch      TEXT NOT NULL,
    last_seq   BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL
);

CREATE TABLE memberships (
    room_id   TEXT NOT NULL REFERENCES rooms (id),
    user_id   TEXT NOT NULL REFERENCES users (id),
    joined_ms BIGINT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE messages (
    room_id       TEXT NOT NULL REFERENCES rooms (id),
    seq           BIGINT NOT NULL,
    id            TEXT NOT NULL UNIQUE,
    author_id     TEXT NOT NULL REFERENCES users (id),
    client_msg_id TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_ms    BIGINT NOT NULL,
    PRIMARY KEY (room_id, seq),
    -- A resent client_msg_id is stored once (see `append`).
    UNIQUE (room_id, author_id, client_msg_id)
);
