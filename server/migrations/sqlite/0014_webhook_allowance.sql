-- A webhook's allowance counts its bot's messages of the last minute in its
-- room (`WebhookStore::webhook_posts_since`): without this index that count
-- would read every message the bot ever posted there.
CREATE INDEX messages_author_time ON messages (room_id, author_id, created_ms);
