-- Cards under a message (docs/PROTOCOL.md, "Records"): what a Slack-shaped
-- post (a webhook's, an imported message) says beyond its text, as JSON
-- ('' for none); cleared with the body when the message is deleted.
ALTER TABLE messages ADD COLUMN cards TEXT NOT NULL DEFAULT '';
