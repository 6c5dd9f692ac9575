-- Action items: work a department owes to move a KPI, with comments.
CREATE TABLE action_items (
  id          INTEGER PRIMARY KEY,
  title       TEXT NOT NULL,
  owner_id    BIGINT NOT NULL DEFAULT 0,
  department  TEXT NOT NULL,
  due         TEXT NOT NULL,
  kpi         TEXT NOT NULL DEFAULT '',
  slice       TEXT NOT NULL DEFAULT '',
  status      TEXT NOT NULL DEFAULT 'open',
  created_by  TEXT NOT NULL,
  created_us  BIGINT NOT NULL,
  updated_us  BIGINT NOT NULL
);
CREATE INDEX action_items_dept ON action_items (department, status, due);
CREATE TABLE action_comments (
  id         INTEGER PRIMARY KEY,
  action_id  BIGINT NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
  author     TEXT NOT NULL,
  at_us      BIGINT NOT NULL,
  body       TEXT NOT NULL
);
CREATE INDEX action_comments_action ON action_comments (action_id, id);
