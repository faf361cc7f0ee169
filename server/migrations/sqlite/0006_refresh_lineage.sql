-- A refresh token remembers the one it was traded for (parent_hash). A token
-- used again inside the reuse grace period (two tabs at once) supersedes the
-- successor the first use handed out, so a session keeps one line of refresh
-- tokens, never two: a superseded token is refused (without ending the
-- session, unlike a reuse after the grace period).
ALTER TABLE refresh_tokens ADD COLUMN parent_hash TEXT;
ALTER TABLE refresh_tokens ADD COLUMN superseded_ms BIGINT;
CREATE INDEX refresh_tokens_parent ON refresh_tokens (parent_hash);
