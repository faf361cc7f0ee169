-- Link previews (docs/PROTOCOL.md, "Link previews"): a message keeps its
-- previews as JSON ('' for none); setting them is a log entry ('unfurled'
-- in room_events, the previews' JSON as its body).
ALTER TABLE messages ADD COLUMN previews TEXT NOT NULL DEFAULT '';
ALTER TABLE room_events DROP CONSTRAINT room_events_kind_check;
ALTER TABLE room_events ADD CONSTRAINT room_events_kind_check
    CHECK (kind IN ('edited', 'deleted', 'reaction', 'topic', 'room', 'pinned', 'unfurled'));
