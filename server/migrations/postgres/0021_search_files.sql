-- Search finds files by name too (docs/PROTOCOL.md, "Attention"): the
-- generated tsvector of 0009 is made again from a message's body and its
-- files' names (an immutable function reads them out of the attachments'
-- JSON, as a generated column needs).
CREATE FUNCTION confab_file_names(attachments text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN attachments LIKE '[%' THEN
        coalesce((SELECT string_agg(f->>'name', ' ') FROM jsonb_array_elements(attachments::jsonb) f), '')
    ELSE '' END
$$;

DROP INDEX messages_search;
ALTER TABLE messages DROP COLUMN search;
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS
    (to_tsvector('simple'::regconfig,
        regexp_replace(body || ' ' || confab_file_names(attachments), '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX messages_search ON messages USING GIN (search);
