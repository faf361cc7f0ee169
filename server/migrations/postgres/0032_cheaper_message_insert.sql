-- Storing a message costs less (docs/BENCHMARKS.md, "Performance (issue 28),
-- third pass"); what is stored and found stays the same.
--
-- 1. The search vector's file names: confab_file_names was an SQL function
--    the planner cannot inline (it holds a subquery), so every stored row
--    started and ended an executor for it, ~10 µs a row, though nearly no
--    message has files. In PL/pgSQL the common case is one simple test;
--    the JSON is read only for a message with files. Replacing the function
--    keeps the generated column and its index: for every input it answers
--    what it answered before.
CREATE OR REPLACE FUNCTION confab_file_names(attachments text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF attachments NOT LIKE '[%' THEN
        RETURN '';
    END IF;
    RETURN coalesce((SELECT string_agg(f->>'name', ' ')
                     FROM jsonb_array_elements(attachments::jsonb) f), '');
END
$$;

-- 2. Only replies are looked up by thread (every query says thread_id = …),
--    so top-level messages, nearly all of them, need no entry in that index.
DROP INDEX messages_thread;
CREATE INDEX messages_thread ON messages (thread_id, seq) WHERE thread_id IS NOT NULL;
