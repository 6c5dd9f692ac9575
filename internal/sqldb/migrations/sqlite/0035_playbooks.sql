-- Retention playbooks: act on customers entering a segment, once per
-- customer per period, leaving a random hold-out alone.
CREATE TABLE playbooks (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  segment_id  BIGINT NOT NULL REFERENCES segments(id),
  action      TEXT NOT NULL DEFAULT 'case',
  survey_id   BIGINT REFERENCES surveys(id),
  department  TEXT NOT NULL,
  period_days INTEGER NOT NULL,
  holdout_pct INTEGER NOT NULL,
  enabled     INTEGER NOT NULL DEFAULT 1,
  created_us  BIGINT NOT NULL,
  created_by  TEXT NOT NULL
);

-- Every entry of a customer into a playbook: acted on (with the case it
-- opened) or held out. The results compare the two groups' churn.
CREATE TABLE playbook_entries (
  id          INTEGER PRIMARY KEY,
  playbook_id BIGINT NOT NULL REFERENCES playbooks(id),
  customer_id BIGINT NOT NULL,
  entered_us  BIGINT NOT NULL,
  holdout     INTEGER NOT NULL,
  case_id     BIGINT,
  invitation  TEXT NOT NULL DEFAULT '', -- action survey: queued, or why it was skipped
  UNIQUE (playbook_id, customer_id, entered_us)
);
CREATE INDEX playbook_entries_customer ON playbook_entries(customer_id);
