-- The search index takes each message as it is stored. With GIN's default
-- fast update, new entries gather in a pending list of up to 4 MB, and the
-- insert that fills it merges the whole list into the index inside its own
-- statement: at 2,000 messages a second that was a 160-190 ms append every
-- ~24 s, and every sender in the room waited for it (docs/bench-notes.md).
-- Without it each insert pays its own small share, every time.
ALTER INDEX messages_search SET (fastupdate = off);
