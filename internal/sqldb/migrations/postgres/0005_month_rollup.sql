-- Monthly counts beside the daily ones: a results query by month reads at
-- most 12 rows a year per slice and score, however many responses there are.
CREATE TABLE response_rollup_month (
  survey_id  BIGINT NOT NULL,
  month      INTEGER NOT NULL, -- year × 12 + month − 1 (UTC)
  division   TEXT NOT NULL,
  channel    TEXT NOT NULL,
  department TEXT NOT NULL,
  score      INTEGER NOT NULL,
  n          BIGINT NOT NULL,
  PRIMARY KEY (survey_id, month, division, channel, department, score)
);
