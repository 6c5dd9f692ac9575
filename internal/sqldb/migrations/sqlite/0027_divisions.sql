-- The company's divisions. While the list is empty every name in the data is
-- a scorecard row; once set, names not on it (typos in a source's events)
-- are counted in one "unassigned" row and reported, never a row of their own.
CREATE TABLE divisions (
  name TEXT PRIMARY KEY
);
