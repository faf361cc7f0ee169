-- Sessions and refresh tokens. A session is one sign-in, from login until logout,
-- expiry or revocation; every access token (JWT) names its session (`sid`), so
-- revoking the session ends them all. Refresh tokens rotate within their session
-- (a family): each is good once, and one presented again after its grace period
-- revokes the whole session (someone holds a stolen copy).
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    revoked_ms INTEGER
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_ms);

CREATE TABLE refresh_tokens (
    -- SHA-256 of the token, hex: the token itself is never stored.
    hash       TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    issued_ms  INTEGER NOT NULL,
    used_ms    INTEGER
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Logout now revokes the session instead of one token.
DROP TABLE revoked_tokens;
