-- What customers wrote, analysed: one row per survey comment or case
-- (source 'response' or 'case', ref_id its id), and one row per theme found
-- in it, so that figures per theme are an index range, not a JSON scan.
CREATE TABLE text_analyses (
  source      TEXT NOT NULL,
  ref_id      BIGINT NOT NULL,
  lang        TEXT NOT NULL,
  sentiment   TEXT NOT NULL,
  sentiment_score REAL NOT NULL,
  themes      TEXT NOT NULL DEFAULT '[]',
  sentences   TEXT NOT NULL DEFAULT '[]',
  analyzed_us BIGINT NOT NULL,
  PRIMARY KEY (source, ref_id)
);
CREATE TABLE text_themes (
  theme     TEXT NOT NULL,
  source    TEXT NOT NULL,
  ref_id    BIGINT NOT NULL,
  sentiment TEXT NOT NULL,
  PRIMARY KEY (theme, source, ref_id)
);
CREATE INDEX text_themes_ref ON text_themes(source, ref_id);
