-- Times are Unix microseconds (BIGINT) in both dialects; JSON is TEXT.
CREATE TABLE sources (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  write_key   TEXT NOT NULL UNIQUE,
  channel     TEXT NOT NULL,
  department  TEXT NOT NULL DEFAULT '',
  division    TEXT NOT NULL DEFAULT '',
  created_us  BIGINT NOT NULL
);

CREATE TABLE customers (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL DEFAULT '',
  email       TEXT NOT NULL DEFAULT '',
  phone       TEXT NOT NULL DEFAULT '',
  locale      TEXT NOT NULL DEFAULT '',
  country     TEXT NOT NULL DEFAULT '',
  search      TEXT NOT NULL DEFAULT '',
  merged_into BIGINT REFERENCES customers(id),
  first_seen_us BIGINT NOT NULL DEFAULT 0,  -- earliest event time
  last_seen_us  BIGINT NOT NULL DEFAULT 0,  -- latest event time
  created_us  BIGINT NOT NULL,
  updated_us  BIGINT NOT NULL
);
CREATE INDEX customers_live ON customers(last_seen_us) WHERE merged_into IS NULL;

CREATE TABLE customer_traits (
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  updated_us  BIGINT NOT NULL,
  PRIMARY KEY (customer_id, key)
);

CREATE TABLE trait_history (
  id            INTEGER PRIMARY KEY,
  customer_id   BIGINT NOT NULL,
  key           TEXT NOT NULL,
  old_value     TEXT,
  old_us        BIGINT,
  new_value     TEXT,
  new_us        BIGINT,
  changed_us    BIGINT NOT NULL,
  merge_id      BIGINT
);
CREATE INDEX trait_history_customer ON trait_history(customer_id, id);
CREATE INDEX trait_history_merge ON trait_history(merge_id) WHERE merge_id IS NOT NULL;

CREATE TABLE identities (
  type        TEXT NOT NULL,
  value       TEXT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  created_us  BIGINT NOT NULL,
  PRIMARY KEY (type, value)
);
CREATE INDEX identities_customer ON identities(customer_id);

CREATE TABLE events (
  id           INTEGER PRIMARY KEY,
  message_id   TEXT NOT NULL,
  source_id    BIGINT NOT NULL REFERENCES sources(id),
  customer_id  BIGINT NOT NULL REFERENCES customers(id),
  type         TEXT NOT NULL,
  name         TEXT NOT NULL DEFAULT '',
  channel      TEXT NOT NULL,
  department   TEXT NOT NULL DEFAULT '',
  division     TEXT NOT NULL DEFAULT '',
  ts_us        BIGINT NOT NULL,
  received_us  BIGINT NOT NULL,
  user_id      TEXT NOT NULL DEFAULT '',
  anonymous_id TEXT NOT NULL DEFAULT '',
  properties   TEXT,
  traits       TEXT,
  context      TEXT,
  UNIQUE (source_id, message_id)
);
CREATE INDEX events_customer_ts ON events(customer_id, ts_us DESC, id DESC);

CREATE TABLE merges (
  id          INTEGER PRIMARY KEY,
  survivor_id BIGINT NOT NULL REFERENCES customers(id),
  merged_id   BIGINT NOT NULL REFERENCES customers(id),
  reason      TEXT NOT NULL,
  actor       TEXT NOT NULL,
  created_us  BIGINT NOT NULL,
  undone_us   BIGINT,
  undone_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX merges_survivor ON merges(survivor_id);
CREATE INDEX merges_merged ON merges(merged_id);

CREATE TABLE merge_events (
  merge_id BIGINT NOT NULL,
  event_id BIGINT NOT NULL,
  PRIMARY KEY (merge_id, event_id)
);

CREATE TABLE merge_identities (
  merge_id BIGINT NOT NULL,
  type     TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (merge_id, type, value)
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL,
  department    TEXT NOT NULL DEFAULT '',
  locale        TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  created_us    BIGINT NOT NULL
);

CREATE TABLE sessions (
  token_hash  TEXT PRIMARY KEY,
  user_id     BIGINT NOT NULL REFERENCES users(id),
  expires_us  BIGINT NOT NULL
);

CREATE TABLE api_tokens (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  token_hash    TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL,
  department    TEXT NOT NULL DEFAULT '',
  created_us    BIGINT NOT NULL,
  last_used_us  BIGINT,
  revoked_us    BIGINT
);
