-- Churn counts customers active at the start of a period who churned in it.
-- A per-day rollup of joins and churns cannot tell a customer who joined and
-- churned inside the period (not in the definition) from one who was active
-- at its start, so the rollup keeps each churn with the day its customer
-- joined: (join day, churn day) counts, churn_day −1 for "not churned".
DROP TABLE churn_rollup;
CREATE TABLE churn_rollup (
  division  TEXT NOT NULL,
  join_day  INTEGER NOT NULL,
  churn_day INTEGER NOT NULL,
  n         BIGINT NOT NULL,
  PRIMARY KEY (division, join_day, churn_day)
);
INSERT INTO churn_rollup (division, join_day, churn_day, n)
  SELECT cd.division, cd.first_us / 86400000000, COALESCE(cd.churned_us / 86400000000, -1), COUNT(*)
  FROM customer_divisions cd JOIN customers cu ON cu.id = cd.customer_id WHERE cu.merged_into IS NULL
  GROUP BY cd.division, cd.first_us / 86400000000, COALESCE(cd.churned_us / 86400000000, -1);
