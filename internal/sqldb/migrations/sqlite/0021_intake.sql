-- The durable intake: each accepted tracking call, its body as received,
-- committed before the 200. The resolver turns a row into customers, traits
-- and events and deletes it in the same transaction (exactly once in effect).
CREATE TABLE intake (
  id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: an id names one call for good
  source_id   BIGINT NOT NULL,
  kind        TEXT NOT NULL,
  received_us BIGINT NOT NULL,
  messages    INTEGER NOT NULL,
  body        BLOB NOT NULL
);
