CREATE TABLE routing_rules (
  id       INTEGER PRIMARY KEY,
  position INTEGER NOT NULL,
  rule     TEXT NOT NULL -- JSON RoutingRule
);
-- The last agent each department's round-robin gave a case to.
CREATE TABLE routing_turns (
  department  TEXT PRIMARY KEY,
  last_user   BIGINT NOT NULL
);
