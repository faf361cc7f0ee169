-- Search (docs/PROTOCOL.md, *Search*): a generated tsvector of each message's
-- body with a GIN index, recomputed by PostgreSQL itself whenever the body
-- changes, so edits and deletions (body emptied) reach the index in the same
-- transaction.
--
-- Words are runs of letters and digits: everything else becomes a space
-- before parsing, so `deploy.log` or `a@b.c` are words the way SQLite's
-- unicode61 tokenizer sees them, instead of the default parser's file and
-- email tokens. The 'simple' configuration lower-cases and keeps every word
-- (no stemming, no stop words, accents kept).
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS
    (to_tsvector('simple'::regconfig, regexp_replace(body, '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX messages_search ON messages USING GIN (search);
