-- Sign-in throttling per account: failures in a row, locks so far, locked until.
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until_us BIGINT NOT NULL DEFAULT 0;

-- The audit log: sign-ins, admin changes, exports, erasures, API token use.
CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY,
  at_us   BIGINT NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  object  TEXT NOT NULL DEFAULT '',
  detail  TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at_us);
CREATE INDEX audit_log_action ON audit_log (action, at_us);
