-- Every accepted message, raw, before anything else is done with it.
CREATE TABLE inbound_mail (
  id            INTEGER PRIMARY KEY,
  received_us   BIGINT NOT NULL,
  envelope_from TEXT NOT NULL,
  recipients    TEXT NOT NULL,
  raw           BLOB NOT NULL,
  status        TEXT NOT NULL, -- received, case, reply, ignored, rejected, failed
  reason        TEXT NOT NULL DEFAULT '',
  case_id       BIGINT
);

-- Message ids of a case's mails, in and out: replies thread by them.
CREATE TABLE case_messages (
  message_id TEXT PRIMARY KEY,
  case_id    BIGINT NOT NULL REFERENCES cases(id),
  direction  TEXT NOT NULL DEFAULT 'in', -- in: from the customer; out: our replies
  created_us BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX case_messages_case ON case_messages(case_id, created_us);

CREATE TABLE case_attachments (
  id           INTEGER PRIMARY KEY,
  case_id      BIGINT NOT NULL REFERENCES cases(id),
  inbound_id   BIGINT REFERENCES inbound_mail(id),
  filename     TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         BIGINT NOT NULL,
  data         BLOB,          -- NULL when over the size limit
  created_us   BIGINT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(case_id);
