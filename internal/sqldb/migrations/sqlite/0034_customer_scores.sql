-- Each customer's value and churn risk as the risk job last computed them:
-- the indexed columns serve segments, lists and sums; the features and the
-- reasons behind the risk are JSON for the customer page and the API.
CREATE TABLE customer_scores (
  customer_id BIGINT PRIMARY KEY,
  computed_us BIGINT NOT NULL,
  risk        REAL,
  risk_band   TEXT NOT NULL DEFAULT '',
  value_tier  TEXT NOT NULL DEFAULT '',
  revenue_365d REAL NOT NULL DEFAULT 0,
  clv         REAL,
  model_id    BIGINT,
  features    TEXT NOT NULL,
  detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX customer_scores_band ON customer_scores(risk_band, risk, customer_id);
CREATE INDEX customer_scores_tier ON customer_scores(value_tier, customer_id);

-- Churn models trained on the company's own history, with their cards;
-- the newest active one scores.
CREATE TABLE churn_models (
  id           INTEGER PRIMARY KEY,
  trained_us   BIGINT NOT NULL,
  active       INTEGER NOT NULL DEFAULT 0,
  card         TEXT NOT NULL,
  model        BLOB NOT NULL
);
