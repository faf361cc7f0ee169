-- Only replies are looked up by thread (every query says thread_id = …), so
-- top-level messages, nearly all of them, need no entry in that index: each
-- stored message keeps one index fewer (docs/BENCHMARKS.md, "Performance
-- (issue 28), third pass").
DROP INDEX messages_thread;
CREATE INDEX messages_thread ON messages (thread_id, seq) WHERE thread_id IS NOT NULL;
