-- Read state (v2): each member's read marker (the last seq they have seen;
-- only ever moved forward) and whether they muted the room.
ALTER TABLE memberships ADD COLUMN last_read_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
