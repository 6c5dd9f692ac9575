CREATE TABLE segments (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  conditions  TEXT NOT NULL,
  created_us  BIGINT NOT NULL
);
CREATE INDEX customer_traits_key ON customer_traits(key, value);
CREATE INDEX events_name_ts ON events(name, ts_us);

-- Invitations a merge moved (their responses follow their events), for unmerge.
CREATE TABLE merge_invitations (
  merge_id      BIGINT NOT NULL,
  invitation_id BIGINT NOT NULL,
  PRIMARY KEY (merge_id, invitation_id)
);
