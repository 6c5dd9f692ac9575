-- Rows a merge moved from the merged customer to the survivor, whatever
-- their table, so that unmerge moves exactly those back (customerdata.go).
CREATE TABLE merge_moves (
  merge_id BIGINT NOT NULL,
  tbl      TEXT NOT NULL,
  row_id   BIGINT NOT NULL,
  PRIMARY KEY (merge_id, tbl, row_id)
);
INSERT INTO merge_moves (merge_id, tbl, row_id) SELECT merge_id, 'events', event_id FROM merge_events;
INSERT INTO merge_moves (merge_id, tbl, row_id) SELECT merge_id, 'invitations', invitation_id FROM merge_invitations;
INSERT INTO merge_moves (merge_id, tbl, row_id)
  SELECT m.merge_id, 'responses', r.id FROM merge_invitations m JOIN responses r ON r.invitation_id = m.invitation_id;
DROP TABLE merge_events;
DROP TABLE merge_invitations;

-- Consents and objections: every statement (with its source and time), and
-- the state they add up to per purpose (survey, marketing, profiling).
CREATE TABLE consents (
  id          INTEGER PRIMARY KEY,
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  purpose     TEXT NOT NULL,
  granted     INTEGER NOT NULL,
  source      TEXT NOT NULL,
  at_us       BIGINT NOT NULL
);
CREATE INDEX consents_customer ON consents (customer_id, purpose, at_us);
CREATE TABLE consent_state (
  customer_id BIGINT NOT NULL,
  purpose     TEXT NOT NULL,
  granted     INTEGER NOT NULL,
  source      TEXT NOT NULL,
  at_us       BIGINT NOT NULL,
  PRIMARY KEY (customer_id, purpose)
);
CREATE INDEX consent_state_purpose ON consent_state (purpose, granted);
INSERT INTO consents (customer_id, purpose, granted, source, at_us) SELECT customer_id, 'survey', 0, source, created_us FROM contact_optouts;
INSERT INTO consent_state (customer_id, purpose, granted, source, at_us) SELECT customer_id, 'survey', 0, source, created_us FROM contact_optouts;
DROP TABLE contact_optouts;

-- Erased people: their identities, hashed, so that one sent again is dropped.
CREATE TABLE suppressions (
  identity_hash TEXT PRIMARY KEY,
  erased_us     BIGINT NOT NULL
);
ALTER TABLE customers ADD COLUMN erased_us BIGINT;

-- Tables whose storage still holds bytes of erased or expired data until
-- the scrub rewrites them (PostgreSQL; SQLite overwrites at once).
CREATE TABLE scrub_pending (
  tbl      TEXT PRIMARY KEY,
  since_us BIGINT NOT NULL
);
