-- Pins (docs/PROTOCOL.md, "Pins and drafts"): a message keeps when it was
-- pinned (NULL: not pinned); pinning is a log entry ('pinned' in
-- room_events, on_flag 1 or 0).
ALTER TABLE messages ADD COLUMN pinned_ms BIGINT;
CREATE INDEX messages_pinned ON messages (room_id, pinned_ms) WHERE pinned_ms IS NOT NULL;
ALTER TABLE room_events DROP CONSTRAINT room_events_kind_check;
ALTER TABLE room_events ADD CONSTRAINT room_events_kind_check
    CHECK (kind IN ('edited', 'deleted', 'reaction', 'topic', 'room', 'pinned'));
