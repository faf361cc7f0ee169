-- Topics: a room keeps its current topic; setting it is a log entry
-- ('topic' in room_events, its text in body).
ALTER TABLE rooms ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE room_events DROP CONSTRAINT room_events_kind_check;
ALTER TABLE room_events ADD CONSTRAINT room_events_kind_check
    CHECK (kind IN ('edited', 'deleted', 'reaction', 'topic'));
