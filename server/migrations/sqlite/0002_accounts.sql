-- Admins, disabled accounts, and revoked tokens (logout). Flags are INTEGER 0/1
-- so SQLite and PostgreSQL share the queries.
ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;

-- A token's id (jti) until the token would have expired anyway.
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    expires_ms INTEGER NOT NULL
);
