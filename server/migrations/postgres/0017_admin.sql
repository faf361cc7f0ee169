-- Administration (docs/PROTOCOL.md, "Administration").
--
-- The audit log: append-only. Nothing in Confab updates or deletes a row,
-- and the database refuses it too.
CREATE TABLE audit (
    id         BIGSERIAL PRIMARY KEY,
    ts_ms      BIGINT NOT NULL,
    actor_id   TEXT,
    actor_name TEXT,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    -- A JSON object.
    detail     TEXT NOT NULL
);
CREATE INDEX audit_actor ON audit (actor_id, id);
CREATE INDEX audit_action ON audit (action, id);
CREATE INDEX audit_ts ON audit (ts_ms);
CREATE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

-- Settings an admin changes at run time, read by every instance
-- ('signup': the sign-up policy).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Invite links: they expire, admit up to max_uses sign-ups, and can be
-- revoked. A code used before this migration counts as used up.
ALTER TABLE invites ADD COLUMN expires_ms BIGINT;
ALTER TABLE invites ADD COLUMN max_uses BIGINT NOT NULL DEFAULT 1;
ALTER TABLE invites ADD COLUMN uses BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invites ADD COLUMN revoked_ms BIGINT;
UPDATE invites SET uses = 1 WHERE used_ms IS NOT NULL;
CREATE INDEX invites_created ON invites (created_ms);
