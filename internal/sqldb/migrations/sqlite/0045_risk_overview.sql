-- Value and revenue at risk per division as of the last scoring: the
-- cockpit's line reads it instead of summing every score on each view.
CREATE TABLE risk_overview (
  division    TEXT PRIMARY KEY,
  slice       TEXT NOT NULL, -- the division's sums (JSON)
  computed_us BIGINT NOT NULL
);
