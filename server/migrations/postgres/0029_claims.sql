-- Claiming an imported account (docs/PROTOCOL.md, "Slack import"): an
-- invite may be for one account with no password; signing up with it sets
-- that account's password instead of making a new account.
ALTER TABLE invites ADD COLUMN account TEXT REFERENCES users (id);
