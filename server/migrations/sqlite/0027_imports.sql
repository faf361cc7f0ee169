-- Imports (docs/PROTOCOL.md, "Slack import"): what each of a source's ids
-- became here (a Slack user an account, a channel a room), so importing the
-- same export again adds nothing. Messages need no row: an imported
-- message's id is made from its source's key.
CREATE TABLE import_ids (
    source    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    source_id TEXT NOT NULL,
    target    TEXT NOT NULL,
    PRIMARY KEY (source, kind, source_id)
);
