-- Trainings: a course or coaching session for some agents, aimed at one
-- case metric (and category), measured before and after against the
-- department's other agents.
CREATE TABLE trainings (
  id          INTEGER PRIMARY KEY,
  title       TEXT NOT NULL,
  kind        TEXT NOT NULL,
  owner_id    BIGINT NOT NULL REFERENCES users(id),
  department  TEXT NOT NULL,
  metric      TEXT NOT NULL,
  category    TEXT NOT NULL DEFAULT '',
  due_us      BIGINT NOT NULL,
  created_us  BIGINT NOT NULL,
  created_by  TEXT NOT NULL
);

CREATE TABLE training_participants (
  training_id  BIGINT NOT NULL REFERENCES trainings(id),
  user_id      BIGINT NOT NULL REFERENCES users(id),
  completed_us BIGINT,
  PRIMARY KEY (training_id, user_id)
);
CREATE INDEX training_participants_user ON training_participants(user_id);

-- The people figures read a department's cases by creation time.
CREATE INDEX cases_department_created ON cases(department, created_us);
