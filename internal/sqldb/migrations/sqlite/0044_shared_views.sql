-- A saved view may be shared with the owner's team: their department at the
-- time of saving ('' keeps it private).
ALTER TABLE saved_views ADD COLUMN department TEXT NOT NULL DEFAULT '';
