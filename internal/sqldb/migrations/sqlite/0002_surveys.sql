-- Instance-wide settings, e.g. the secret that signs survey links.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE surveys (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  type         TEXT NOT NULL,
  status       TEXT NOT NULL,
  default_lang TEXT NOT NULL,
  version      INTEGER NOT NULL,
  department   TEXT NOT NULL DEFAULT '',
  created_us   BIGINT NOT NULL,
  updated_us   BIGINT NOT NULL
);

-- Questions and texts per version; responses keep the version they answered.
CREATE TABLE survey_versions (
  survey_id  BIGINT NOT NULL REFERENCES surveys(id),
  version    INTEGER NOT NULL,
  questions  TEXT NOT NULL,
  texts      TEXT NOT NULL,
  created_us BIGINT NOT NULL,
  PRIMARY KEY (survey_id, version)
);

CREATE TABLE invitations (
  id           INTEGER PRIMARY KEY,
  survey_id    BIGINT NOT NULL REFERENCES surveys(id),
  customer_id  BIGINT NOT NULL REFERENCES customers(id),
  channel      TEXT NOT NULL DEFAULT '',
  department   TEXT NOT NULL DEFAULT '',
  division     TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL,
  reason       TEXT NOT NULL DEFAULT '',
  expires_us   BIGINT NOT NULL,
  created_us   BIGINT NOT NULL,
  responded_us BIGINT
);
CREATE INDEX invitations_survey ON invitations(survey_id, created_us);
CREATE INDEX invitations_customer ON invitations(customer_id, created_us);

CREATE TABLE responses (
  id            INTEGER PRIMARY KEY,
  survey_id     BIGINT NOT NULL REFERENCES surveys(id),
  version       INTEGER NOT NULL,
  customer_id   BIGINT REFERENCES customers(id),
  invitation_id BIGINT UNIQUE REFERENCES invitations(id),
  score         INTEGER,
  answers       TEXT NOT NULL DEFAULT '{}',
  comment       TEXT NOT NULL DEFAULT '',
  lang          TEXT NOT NULL,
  channel       TEXT NOT NULL DEFAULT '',
  department    TEXT NOT NULL DEFAULT '',
  division      TEXT NOT NULL DEFAULT '',
  complete      INTEGER NOT NULL DEFAULT 0,
  event_id      BIGINT,
  created_us    BIGINT NOT NULL,
  updated_us    BIGINT NOT NULL
);
CREATE INDEX responses_survey ON responses(survey_id, created_us);
CREATE INDEX responses_customer ON responses(customer_id);

-- Counts of scored responses per survey, day and slice: results and
-- intervals come from these counts exactly, without scanning responses.
CREATE TABLE response_rollup (
  survey_id  BIGINT NOT NULL,
  day        INTEGER NOT NULL, -- days since 1970-01-01 (UTC) of the first answer
  division   TEXT NOT NULL,
  channel    TEXT NOT NULL,
  department TEXT NOT NULL,
  score      INTEGER NOT NULL,
  n          BIGINT NOT NULL,
  PRIMARY KEY (survey_id, day, division, channel, department, score)
);
