-- A user's saved queue views: a name and the queue's filter as a query string.
CREATE TABLE saved_views (
  id INTEGER PRIMARY KEY,
  user_id    BIGINT NOT NULL REFERENCES users(id),
  name       TEXT NOT NULL,
  query      TEXT NOT NULL,
  created_us BIGINT NOT NULL,
  UNIQUE (user_id, name)
);
