-- The durable intake. On SQLite the calls themselves live in a database
-- file of their own beside this one (<file>.intake, see intake.go), so that
-- appending a call never waits for this file's writer. The resolver records
-- here, in the transaction that stores a call's events, the last call it
-- resolved: a call is resolved exactly once however often it is read.
CREATE TABLE intake_cursor (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  call_id BIGINT NOT NULL
);
INSERT INTO intake_cursor (id, call_id) VALUES (1, 0);

-- Advanced by every transaction that moves or deletes identities (merge,
-- unmerge, erasure): the resolver's identity cache is valid only while it
-- stays the same (identcache.go), also when another process made the change.
CREATE TABLE identity_epoch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  BIGINT NOT NULL
);
INSERT INTO identity_epoch (id, n) VALUES (1, 0);
