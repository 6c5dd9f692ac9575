-- Messages the intake refused, kept per source with the reason and the raw
-- JSON for the source debugger (the newest 1000 per source, 30 days).
CREATE TABLE quarantine (
  id          INTEGER PRIMARY KEY,
  source_id   BIGINT NOT NULL,
  received_us BIGINT NOT NULL,
  message_id  TEXT NOT NULL DEFAULT '',
  type        TEXT NOT NULL DEFAULT '',
  reason      TEXT NOT NULL,
  raw         TEXT NOT NULL
);
CREATE INDEX quarantine_source ON quarantine (source_id, id);
