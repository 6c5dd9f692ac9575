-- "When event X arrives (from source S, for department D), invite after delay."
CREATE TABLE survey_triggers (
  id          INTEGER PRIMARY KEY,
  survey_id   BIGINT NOT NULL REFERENCES surveys(id),
  event_name  TEXT NOT NULL,
  source_id   BIGINT,               -- NULL: any source
  department  TEXT NOT NULL DEFAULT '', -- '': any department
  delay_s     BIGINT NOT NULL,
  active      INTEGER NOT NULL DEFAULT 1,
  created_us  BIGINT NOT NULL
);

-- The event that triggered an invitation: "<source id>:<message id>".
ALTER TABLE invitations ADD COLUMN trigger_key TEXT;
CREATE UNIQUE INDEX invitations_trigger ON invitations(trigger_key) WHERE trigger_key IS NOT NULL;
