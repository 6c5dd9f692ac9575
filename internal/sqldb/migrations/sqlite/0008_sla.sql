-- Business calendars: opening minutes per weekday (index 0 = Sunday).
CREATE TABLE business_calendars (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  tz         TEXT NOT NULL,
  country    TEXT NOT NULL DEFAULT '',
  hours      TEXT NOT NULL,          -- JSON [[open, close] × 7]
  extra      TEXT NOT NULL DEFAULT '[]' -- JSON company holidays
);

-- SLA targets in business seconds, per priority and (optionally) category.
CREATE TABLE sla_policies (
  id               INTEGER PRIMARY KEY,
  priority         TEXT NOT NULL,
  category         TEXT NOT NULL DEFAULT '', -- '': any category
  first_response_s BIGINT NOT NULL,
  resolution_s     BIGINT NOT NULL,
  calendar_id      BIGINT REFERENCES business_calendars(id)
);

ALTER TABLE cases ADD COLUMN first_due_us BIGINT;
ALTER TABLE cases ADD COLUMN resolve_due_us BIGINT;
ALTER TABLE cases ADD COLUMN sla_policy_id BIGINT;
