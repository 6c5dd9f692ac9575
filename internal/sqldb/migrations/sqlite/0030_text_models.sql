-- Analysts' corrections of an analysis (sentiment '' and themes NULL when
-- that part was not corrected), and the sentiment models trained on them.
CREATE TABLE text_labels (
  source      TEXT NOT NULL,
  ref_id      BIGINT NOT NULL,
  sentiment   TEXT NOT NULL DEFAULT '',
  themes      TEXT,
  labelled_by TEXT NOT NULL,
  labelled_us BIGINT NOT NULL,
  PRIMARY KEY (source, ref_id)
);
CREATE TABLE text_models (
  id         INTEGER PRIMARY KEY,
  created_us BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  examples   INTEGER NOT NULL,
  held_out   INTEGER NOT NULL,
  accuracy   REAL NOT NULL,
  current_accuracy REAL NOT NULL,
  active     INTEGER NOT NULL DEFAULT 0,
  model      BLOB NOT NULL
);
