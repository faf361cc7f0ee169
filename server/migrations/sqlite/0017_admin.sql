-- Administration (docs/PROTOCOL.md, "Administration").
--
-- The audit log: append-only. Nothing in Confab updates or deletes a row,
-- and the database refuses it too.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ts_ms      INTEGER NOT NULL,
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
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Settings an admin changes at run time, read by every instance
-- ('signup': the sign-up policy).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Invite links: they expire, admit up to max_uses sign-ups, and can be
-- revoked. A code used before this migration counts as used up.
ALTER TABLE invites ADD COLUMN expires_ms INTEGER;
ALTER TABLE invites ADD COLUMN max_uses INTEGER NOT NULL DEFAULT 1;
ALTER TABLE invites ADD COLUMN uses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invites ADD COLUMN revoked_ms INTEGER;
UPDATE invites SET uses = 1 WHERE used_ms IS NOT NULL;
CREATE INDEX invites_created ON invites (created_ms);
