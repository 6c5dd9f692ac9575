-- A reply template can act as a macro: after its reply is sent, the case
-- moves to a status and gets tags (comma-separated here).
ALTER TABLE reply_templates ADD COLUMN then_status TEXT NOT NULL DEFAULT '';
ALTER TABLE reply_templates ADD COLUMN add_tags TEXT NOT NULL DEFAULT '';
