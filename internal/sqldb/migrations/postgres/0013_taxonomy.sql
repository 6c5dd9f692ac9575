-- Case categories and their sub-categories. When the table is empty, any
-- category is accepted.
CREATE TABLE case_taxonomy (
  category     TEXT NOT NULL,
  sub_category TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (category, sub_category)
);
