-- Saved answers agents start replies from, one per name and language.
CREATE TABLE reply_templates (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL,
  language TEXT NOT NULL,
  body     TEXT NOT NULL,
  UNIQUE (name, language)
);
