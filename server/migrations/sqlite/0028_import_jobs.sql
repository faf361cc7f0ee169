-- Imports started from the admin console (docs/PROTOCOL.md, "Slack
-- import"): one row each, kept current as it runs, so whichever instance a
-- poll reaches answers how far it is.
CREATE TABLE import_jobs (
    id         TEXT PRIMARY KEY,
    source     TEXT NOT NULL,
    started_by TEXT,
    state      TEXT NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0,
    total      INTEGER NOT NULL DEFAULT 0,
    current    TEXT NOT NULL DEFAULT '',
    report     TEXT,
    error      TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
