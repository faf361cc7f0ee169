-- Single-use invite codes for --registration invite.
CREATE TABLE invites (
    code       TEXT PRIMARY KEY,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_ms BIGINT NOT NULL,
    used_ms    BIGINT
);
