-- Incoming webhooks (docs/DESIGN.md, "Integrations"): a secret URL that posts
-- into one room as the webhook's own bot user (users.bot_owner is who made
-- it; the bot is a member of the room). The secret is stored only as its
-- SHA-256. Deleting a webhook revokes it and disables its bot.
CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    room_id    TEXT NOT NULL REFERENCES rooms (id),
    bot_id     TEXT NOT NULL REFERENCES users (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER
);
CREATE INDEX webhooks_room ON webhooks (room_id);
