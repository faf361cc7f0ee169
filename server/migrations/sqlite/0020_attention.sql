-- Attention (docs/PROTOCOL.md, "Attention at scale").
--
-- User groups: a name (the username rule, never a user's name: inserting
-- either checks the other table) that mentions its members.
CREATE TABLE user_groups (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_ms  INTEGER NOT NULL
);
CREATE UNIQUE INDEX user_groups_name_lower ON user_groups (lower(name));
CREATE TABLE user_group_members (
    group_id TEXT NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX user_group_members_user ON user_group_members (user_id);

-- A member's notification level in a room (NULL: the room kind's default).
ALTER TABLE memberships ADD COLUMN notify_level TEXT;

-- Do-not-disturb: paused until dnd_until_ms; quiet hours every day from
-- dnd_start to dnd_end (minutes after midnight in the profile's time zone).
ALTER TABLE users ADD COLUMN dnd_until_ms INTEGER;
ALTER TABLE users ADD COLUMN dnd_start INTEGER;
ALTER TABLE users ADD COLUMN dnd_end INTEGER;

-- Threads a user follows (following = 0: unfollowed by hand, which a later
-- reply or mention of theirs undoes) and the last reply they read.
CREATE TABLE thread_follows (
    user_id    TEXT NOT NULL REFERENCES users (id),
    room_id    TEXT NOT NULL REFERENCES rooms (id),
    root_id    TEXT NOT NULL,
    following  INTEGER NOT NULL,
    read_seq   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, room_id, root_id)
);
CREATE INDEX thread_follows_thread ON thread_follows (room_id, root_id);

-- Messages a user saved for later.
CREATE TABLE saved_items (
    user_id    TEXT NOT NULL REFERENCES users (id),
    message_id TEXT NOT NULL,
    saved_ms   INTEGER NOT NULL,
    PRIMARY KEY (user_id, message_id)
);
CREATE INDEX saved_items_user ON saved_items (user_id, saved_ms);
