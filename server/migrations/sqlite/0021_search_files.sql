-- Search finds files by name too (docs/PROTOCOL.md, "Attention"): a
-- message's index row holds its body and its files' names. The triggers
-- of 0009 are made again to index both, and the messages with files now
-- are indexed again.
DROP TRIGGER messages_search_insert;
DROP TRIGGER messages_search_update;

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO search_docs (message_id) VALUES (new.id);
    INSERT INTO message_search (rowid, body)
        SELECT last_insert_rowid(), new.body || ' ' ||
            (SELECT coalesce(group_concat(json_extract(f.value, '$.name'), ' '), '')
             FROM json_each(CASE WHEN new.attachments LIKE '[%' THEN new.attachments ELSE '[]' END) f)
        WHERE new.body <> '' OR new.attachments LIKE '[%';
END;

-- An edit replaces the indexed words; a deletion (body and files emptied)
-- removes them.
CREATE TRIGGER messages_search_update AFTER UPDATE OF body, attachments ON messages
WHEN old.body IS NOT new.body OR old.attachments IS NOT new.attachments BEGIN
    DELETE FROM message_search
        WHERE rowid = (SELECT doc FROM search_docs WHERE message_id = old.id);
    INSERT INTO message_search (rowid, body)
        SELECT doc, new.body || ' ' ||
            (SELECT coalesce(group_concat(json_extract(f.value, '$.name'), ' '), '')
             FROM json_each(CASE WHEN new.attachments LIKE '[%' THEN new.attachments ELSE '[]' END) f)
        FROM search_docs WHERE message_id = new.id
            AND (new.body <> '' OR new.attachments LIKE '[%');
END;

DELETE FROM message_search WHERE rowid IN
    (SELECT d.doc FROM search_docs d JOIN messages m ON m.id = d.message_id
     WHERE m.attachments LIKE '[%');
INSERT INTO message_search (rowid, body)
    SELECT d.doc, m.body || ' ' ||
        (SELECT coalesce(group_concat(json_extract(f.value, '$.name'), ' '), '')
         FROM json_each(m.attachments) f)
    FROM search_docs d JOIN messages m ON m.id = d.message_id
    WHERE m.attachments LIKE '[%';
