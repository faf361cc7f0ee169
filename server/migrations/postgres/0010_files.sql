-- Files (docs/PROTOCOL.md, *Files*): each upload is a row; its bytes are an
-- object in the file store named by their SHA-256 (`digest`), shared by every
-- upload of the same bytes and deleted with the last row naming it. A file
-- belongs to the room it was uploaded to (whoever can read the room can
-- download it). Sending it claims it for the message (`claim_msg_id`, the
-- sender's client_msg_id, so a resent message claims the same files again);
-- deleting the message deletes the rows.
CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    room_id      TEXT NOT NULL REFERENCES rooms (id),
    uploader_id  TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    mime         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    digest       TEXT NOT NULL,
    -- For an image: its thumbnail's digest and its size in pixels.
    thumb_digest TEXT,
    width        BIGINT,
    height       BIGINT,
    claim_msg_id TEXT,
    created_ms   BIGINT NOT NULL
);
CREATE INDEX files_uploader ON files (uploader_id);
CREATE INDEX files_digest ON files (digest);
CREATE INDEX files_thumb_digest ON files (thumb_digest);
CREATE INDEX files_claim ON files (uploader_id, claim_msg_id);
CREATE INDEX files_created ON files (created_ms);

-- A message's files as it shows them (JSON: [{"id","name","size","mime",…}]).
ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '';

-- Objects that may have lost their last file: a sweeper deletes each one no
-- file names any more (see files::sweeper). Queued in the transaction that
-- deletes the rows, so a crash never strands an object.
CREATE TABLE blob_gc (
    digest   TEXT PRIMARY KEY,
    since_ms BIGINT NOT NULL
);
