-- Bot accounts and personal access tokens (docs/DESIGN.md, "Integrations").
--
-- A bot is a user with an owner: it has no password (it cannot sign in), it
-- speaks through tokens its owner makes, and it stops when its owner deletes
-- it (the account is disabled, which ends its tokens' sessions).
ALTER TABLE users ADD COLUMN bot_owner TEXT REFERENCES users (id);

-- A personal access token is a session that a secret opens instead of a
-- password: its id is its session's id (sessions.id), so revoking it, its
-- expiry and disabling its user all work as they do for a sign-in, closing
-- its sockets with 4001 on every instance. The secret itself is never
-- stored, only its SHA-256.
CREATE TABLE access_tokens (
    id           TEXT PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,
    -- The first characters of the secret, to tell tokens apart in a list.
    prefix       TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    -- Who made it: the user themself, or a bot's owner.
    created_by   TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    read_only    BIGINT NOT NULL DEFAULT 0,
    -- Only this room (NULL: every room the user can reach).
    room_id      TEXT,
    created_ms   BIGINT NOT NULL,
    -- NULL: until revoked.
    expires_ms   BIGINT,
    last_used_ms BIGINT,
    revoked_ms   BIGINT
);
CREATE INDEX access_tokens_created_by ON access_tokens (created_by);
