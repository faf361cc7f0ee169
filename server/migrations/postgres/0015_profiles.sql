-- Profiles (docs/PROTOCOL.md, "People"): what a person shows of themself.
-- Empty fields are NULL.
ALTER TABLE users ADD COLUMN display_name TEXT;
ALTER TABLE users ADD COLUMN title TEXT;
ALTER TABLE users ADD COLUMN timezone TEXT;
ALTER TABLE users ADD COLUMN status_text TEXT;
ALTER TABLE users ADD COLUMN status_emoji TEXT;
-- NULL: until changed. Past it, the status reads as none.
ALTER TABLE users ADD COLUMN status_until_ms BIGINT;
-- The avatar's two thumbnails (rows of avatars), NULL: none.
ALTER TABLE users ADD COLUMN avatar_large TEXT;
ALTER TABLE users ADD COLUMN avatar_small TEXT;

-- The directory's keys: trimmed and lower-cased by the server (Unicode, not
-- only ASCII), compared as bytes (collation "C"), so a prefix is a range of
-- an index.
ALTER TABLE users ADD COLUMN name_key TEXT COLLATE "C";
ALTER TABLE users ADD COLUMN display_key TEXT COLLATE "C";
UPDATE users SET name_key = lower(name);
CREATE INDEX users_name_key ON users (name_key);
CREATE INDEX users_display_key ON users (display_key);

-- Avatar thumbnails, by the SHA-256 of their bytes (their URL): re-encoded
-- by the server, so none holds a byte of what was uploaded. Small (a few
-- kilobytes of JPEG), so kept beside the user rather than in the file store.
-- Two people with the same picture each have their row.
CREATE TABLE avatars (
    digest  TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    bytes   BYTEA NOT NULL,
    PRIMARY KEY (digest, user_id)
);
CREATE INDEX avatars_user ON avatars (user_id);
