-- Running a room (docs/PROTOCOL.md, "Roles and archiving"): each member's
-- role; a room's creator is its first owner. An archived room is read-only.
-- last_ms is when the room's last entry was stored (the sidebar's "recent"
-- order). A message deleted by someone else than its author keeps who did.
ALTER TABLE memberships ADD COLUMN role TEXT NOT NULL DEFAULT 'member'
    CHECK (role IN ('member', 'moderator', 'owner'));
UPDATE memberships SET role = 'owner' WHERE EXISTS (
    SELECT 1 FROM rooms r
    WHERE r.id = memberships.room_id AND r.owner_id = memberships.user_id AND r.kind <> 'direct');
ALTER TABLE rooms ADD COLUMN archived BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN last_ms BIGINT;
UPDATE rooms SET last_ms = (SELECT MAX(created_ms) FROM messages m WHERE m.room_id = rooms.id);
ALTER TABLE messages ADD COLUMN deleted_by TEXT;
-- A renamed room keeps its id; no two rooms show the same name.
CREATE UNIQUE INDEX rooms_name ON rooms (name) WHERE kind <> 'direct';

-- Renaming and archiving are log entries ('room' in room_events: the name in
-- body, archived in on_flag).
ALTER TABLE room_events DROP CONSTRAINT room_events_kind_check;
ALTER TABLE room_events ADD CONSTRAINT room_events_kind_check
    CHECK (kind IN ('edited', 'deleted', 'reaction', 'topic', 'room'));
