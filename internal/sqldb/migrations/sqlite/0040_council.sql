-- Customer councils: members recruited from a segment with their consent,
-- sessions with questions, ideas and votes through each member's link.
CREATE TABLE councils (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  created_us  BIGINT NOT NULL,
  created_by  TEXT NOT NULL
);

CREATE TABLE council_members (
  id          INTEGER PRIMARY KEY,
  council_id  BIGINT NOT NULL REFERENCES councils(id),
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  status      TEXT NOT NULL,
  invited_us  BIGINT NOT NULL,
  answered_us BIGINT
);
CREATE INDEX council_members_council ON council_members(council_id, status);
CREATE INDEX council_members_customer ON council_members(customer_id);

CREATE TABLE council_sessions (
  id          INTEGER PRIMARY KEY,
  council_id  BIGINT NOT NULL REFERENCES councils(id),
  topic       TEXT NOT NULL,
  at_us       BIGINT NOT NULL,
  agenda      TEXT NOT NULL DEFAULT '',
  minutes     TEXT NOT NULL DEFAULT '',
  created_by  TEXT NOT NULL
);

CREATE TABLE council_questions (
  id          INTEGER PRIMARY KEY,
  session_id  BIGINT NOT NULL REFERENCES council_sessions(id),
  text        TEXT NOT NULL
);

CREATE TABLE council_answers (
  id          INTEGER PRIMARY KEY,
  question_id BIGINT NOT NULL REFERENCES council_questions(id),
  member_id   BIGINT NOT NULL REFERENCES council_members(id),
  text        TEXT NOT NULL,
  at_us       BIGINT NOT NULL,
  UNIQUE (question_id, member_id)
);

CREATE TABLE council_ideas (
  id          INTEGER PRIMARY KEY,
  council_id  BIGINT NOT NULL REFERENCES councils(id),
  member_id   BIGINT NOT NULL REFERENCES council_members(id),
  title       TEXT NOT NULL,
  body        TEXT NOT NULL DEFAULT '',
  status      TEXT NOT NULL DEFAULT 'open',
  decision    TEXT NOT NULL DEFAULT '',
  action_id   BIGINT REFERENCES action_items(id),
  created_us  BIGINT NOT NULL,
  decided_us  BIGINT
);
CREATE INDEX council_ideas_council ON council_ideas(council_id, status);

CREATE TABLE council_votes (
  idea_id     BIGINT NOT NULL REFERENCES council_ideas(id),
  member_id   BIGINT NOT NULL REFERENCES council_members(id),
  at_us       BIGINT NOT NULL,
  PRIMARY KEY (idea_id, member_id)
);

-- Where an action item came from (a council idea), set by touchpoint.
ALTER TABLE action_items ADD COLUMN origin TEXT NOT NULL DEFAULT '';
