-- Case KPI counts per day the cases opened and slice. A job refreshes the
-- days whose cases changed (or whose due times passed) since its last run.
CREATE TABLE case_rollup (
  day        INTEGER NOT NULL, -- days since 1970-01-01 (UTC) the cases opened
  month      INTEGER NOT NULL, -- year × 12 + month − 1 of that day
  division   TEXT NOT NULL,
  department TEXT NOT NULL,
  channel    TEXT NOT NULL,
  category   TEXT NOT NULL,
  volume     BIGINT NOT NULL,
  sla_n      BIGINT NOT NULL,
  sla_met    BIGINT NOT NULL,
  resolved   BIGINT NOT NULL,
  reopened   BIGINT NOT NULL,
  fcr        BIGINT NOT NULL,
  recovery_n BIGINT NOT NULL,
  recovered  BIGINT NOT NULL,
  PRIMARY KEY (day, division, department, channel, category)
);
CREATE INDEX case_rollup_by_month ON case_rollup (month);

-- When each customer became active in each division ('' = any division)
-- and when it churned: the base of churn and retention.
CREATE TABLE customer_divisions (
  customer_id BIGINT NOT NULL,
  division    TEXT NOT NULL,
  first_us    BIGINT NOT NULL,
  churned_us  BIGINT,
  PRIMARY KEY (customer_id, division)
);
CREATE TABLE churn_rollup (
  day      INTEGER NOT NULL,
  division TEXT NOT NULL,
  joined   BIGINT NOT NULL,
  churned  BIGINT NOT NULL,
  PRIMARY KEY (day, division)
);

-- Watermarks of the rollup job.
CREATE TABLE rollup_state (
  name  TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);

-- Versions of configurable KPI definitions (the churn rule), never updated.
CREATE TABLE kpi_definitions (
  kpi        TEXT NOT NULL,
  version    INTEGER NOT NULL,
  params     TEXT NOT NULL,
  note       TEXT NOT NULL DEFAULT '',
  actor      TEXT NOT NULL,
  created_us BIGINT NOT NULL,
  PRIMARY KEY (kpi, version)
);

-- Alert rules: a KPI of a slice drops significantly, or crosses a threshold.
CREATE TABLE alert_rules (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  kpi         TEXT NOT NULL,
  division    TEXT NOT NULL DEFAULT '',
  department  TEXT NOT NULL DEFAULT '',
  channel     TEXT NOT NULL DEFAULT '',
  kind        TEXT NOT NULL,          -- drop or threshold
  op          TEXT NOT NULL DEFAULT '', -- < or > for thresholds
  threshold   DOUBLE PRECISION NOT NULL DEFAULT 0,
  period      TEXT NOT NULL,          -- week or month
  emails      TEXT NOT NULL DEFAULT '',
  webhook_url TEXT NOT NULL DEFAULT '',
  secret      TEXT NOT NULL DEFAULT '',
  notify_owners INTEGER NOT NULL DEFAULT 0, -- also mail the CCO and the department's heads
  enabled     INTEGER NOT NULL DEFAULT 1,
  firing      INTEGER NOT NULL DEFAULT 0, -- no repeat until the condition clears
  created_by  TEXT NOT NULL,
  created_us  BIGINT NOT NULL
);
CREATE TABLE alert_events (
  id      INTEGER PRIMARY KEY,
  rule_id BIGINT NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
  at_us   BIGINT NOT NULL,
  kind    TEXT NOT NULL, -- fired or cleared
  summary TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX alert_events_rule ON alert_events (rule_id, id);
CREATE TABLE alert_deliveries (
  id       INTEGER PRIMARY KEY,
  event_id BIGINT NOT NULL REFERENCES alert_events (id) ON DELETE CASCADE,
  target   TEXT NOT NULL, -- email or webhook
  address  TEXT NOT NULL,
  attempt  INTEGER NOT NULL,
  ok       INTEGER NOT NULL,
  status   INTEGER NOT NULL DEFAULT 0,
  error    TEXT NOT NULL DEFAULT '',
  at_us    BIGINT NOT NULL
);
CREATE INDEX alert_deliveries_event ON alert_deliveries (event_id, id);

-- Monthly sums of the case rollup, rebuilt for the months a refresh touched:
-- a scorecard reads at most a few hundred rows per month.
CREATE TABLE case_rollup_month (
  month      INTEGER NOT NULL,
  division   TEXT NOT NULL,
  department TEXT NOT NULL,
  channel    TEXT NOT NULL,
  category   TEXT NOT NULL,
  volume     BIGINT NOT NULL,
  sla_n      BIGINT NOT NULL,
  sla_met    BIGINT NOT NULL,
  resolved   BIGINT NOT NULL,
  reopened   BIGINT NOT NULL,
  fcr        BIGINT NOT NULL,
  recovery_n BIGINT NOT NULL,
  recovered  BIGINT NOT NULL,
  PRIMARY KEY (month, division, department, channel, category)
);

-- What the rollup refresh asks every minute: cases changed or come due since
-- its last run, and answers given since then (detractor recovery).
CREATE INDEX cases_updated ON cases (updated_us);
CREATE INDEX cases_first_due ON cases (first_due_us);
CREATE INDEX cases_resolve_due ON cases (resolve_due_us);
CREATE INDEX responses_updated ON responses (updated_us);
