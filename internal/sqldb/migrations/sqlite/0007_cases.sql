CREATE TABLE cases (
  id              INTEGER PRIMARY KEY,
  customer_id     BIGINT NOT NULL REFERENCES customers(id),
  subject         TEXT NOT NULL,
  description     TEXT NOT NULL DEFAULT '',
  channel         TEXT NOT NULL,
  source          TEXT NOT NULL,
  category        TEXT NOT NULL DEFAULT '',
  sub_category    TEXT NOT NULL DEFAULT '',
  priority        TEXT NOT NULL,
  department      TEXT NOT NULL DEFAULT '',
  division        TEXT NOT NULL DEFAULT '',
  assignee_id     BIGINT,
  status          TEXT NOT NULL,
  resolution_code TEXT NOT NULL DEFAULT '',
  root_cause      TEXT NOT NULL DEFAULT '',
  redress         TEXT,
  tags            TEXT NOT NULL DEFAULT '[]',
  response_id     BIGINT,
  created_us      BIGINT NOT NULL,
  updated_us      BIGINT NOT NULL,
  first_reply_us  BIGINT,
  resolved_us     BIGINT
);
CREATE INDEX cases_queue ON cases(department, status, id);
CREATE INDEX cases_customer ON cases(customer_id, id);

-- The audit trail and the conversation of a case.
CREATE TABLE case_events (
  id       INTEGER PRIMARY KEY,
  case_id  BIGINT NOT NULL REFERENCES cases(id),
  at_us    BIGINT NOT NULL,
  actor    TEXT NOT NULL,
  kind     TEXT NOT NULL,
  field    TEXT NOT NULL DEFAULT '',
  old      TEXT NOT NULL DEFAULT '',
  new      TEXT NOT NULL DEFAULT '',
  body     TEXT NOT NULL DEFAULT '',
  public   INTEGER NOT NULL DEFAULT 0,
  metadata TEXT
);
CREATE INDEX case_events_case ON case_events(case_id, id);
