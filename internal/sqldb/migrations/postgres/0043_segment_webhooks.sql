-- Where a segment's opportunity list is pushed (a CRM's webhook), with the
-- secret that signs the bodies and how the last push went.
CREATE TABLE segment_webhooks (
  segment_id   BIGINT PRIMARY KEY REFERENCES segments(id),
  url          TEXT NOT NULL,
  secret       TEXT NOT NULL,
  created_us   BIGINT NOT NULL,
  created_by   TEXT NOT NULL,
  last_sent_us BIGINT,
  last_status  TEXT NOT NULL DEFAULT ''
);
