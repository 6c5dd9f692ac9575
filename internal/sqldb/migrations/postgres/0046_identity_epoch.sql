-- Advanced by every transaction that moves or deletes identities (merge,
-- unmerge, erasure), each under the identity lock: a replica's identity cache
-- is valid only while it stays the same (identcache.go), also when another
-- replica made the change. SQLite has had it since 0021.
CREATE TABLE identity_epoch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  BIGINT NOT NULL
);
INSERT INTO identity_epoch (id, n) VALUES (1, 0);
