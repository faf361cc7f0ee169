-- E-mail for what was missed (docs/PROTOCOL.md, "E-mail"): each user's
-- address, delay and whether mails are on; and the direct messages and
-- mentions waiting until their delay has passed, mailed then if still
-- unread. An instance claims all of a user's rows at once (claimed_by,
-- claimed_until_ms), so one mail batches them; a claim that runs out (the
-- instance died, the mail server failed) is taken again, at most five times.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN email_delay_secs INTEGER NOT NULL DEFAULT 900;
ALTER TABLE users ADD COLUMN email_on INTEGER NOT NULL DEFAULT 1;
CREATE TABLE email_pending (
    user_id          TEXT NOT NULL REFERENCES users (id),
    room_id          TEXT NOT NULL REFERENCES rooms (id),
    seq              INTEGER NOT NULL,
    due_ms           INTEGER NOT NULL,
    claimed_by       TEXT,
    claimed_until_ms INTEGER,
    tries            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, room_id, seq)
);
CREATE INDEX email_pending_due ON email_pending (due_ms);
