-- Search (docs/PROTOCOL.md, *Search*): an FTS5 index of message bodies, kept
-- by triggers in the same transaction as the change to the message.
--
-- FTS5 rows are keyed by an integer; `messages` has no integer key of its own
-- (its implicit rowid may be renumbered by VACUUM), so `search_docs` gives each
-- message one, in the order messages are stored: newest first is rowid order
-- descending, which FTS5 reads without sorting. A doc outlives its message's
-- deletion (only its index row goes), so a page cursor naming a deleted
-- message still works.
CREATE TABLE search_docs (
    doc        INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE
);

-- Words are runs of letters and digits, case-folded, accents kept (as the
-- PostgreSQL index does). The index keeps its own copy of each body.
CREATE VIRTUAL TABLE message_search USING fts5(
    body,
    tokenize = 'unicode61 remove_diacritics 0'
);
-- A deletion removes the words from the index itself, not only a tombstone
-- (a deleted body must not stay findable in the file).
INSERT INTO message_search (message_search, rank) VALUES ('secure-delete', 1);

INSERT INTO search_docs (message_id)
    SELECT id FROM messages ORDER BY created_ms, room_id, seq;
INSERT INTO message_search (rowid, body)
    SELECT d.doc, m.body FROM search_docs d JOIN messages m ON m.id = d.message_id
    WHERE m.body <> '';

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO search_docs (message_id) VALUES (new.id);
    INSERT INTO message_search (rowid, body)
        SELECT last_insert_rowid(), new.body WHERE new.body <> '';
END;

-- An edit replaces the indexed words; a deletion (body emptied) removes them.
CREATE TRIGGER messages_search_update AFTER UPDATE OF body ON messages
WHEN old.body IS NOT new.body BEGIN
    DELETE FROM message_search
        WHERE rowid = (SELECT doc FROM search_docs WHERE message_id = old.id);
    INSERT INTO message_search (rowid, body)
        SELECT doc, new.body FROM search_docs WHERE message_id = new.id AND new.body <> '';
END;
