-- The weekly voice-of-the-customer digest. A user without a row follows the
-- default: department heads receive it, members when their department sends
-- it to every member. The token is the mail's unsubscribe link.
CREATE TABLE digest_subscriptions (
  user_id BIGINT PRIMARY KEY REFERENCES users(id),
  state   TEXT NOT NULL DEFAULT 'default', -- default, on, off
  token   TEXT NOT NULL UNIQUE
);

CREATE TABLE digest_departments (
  department TEXT PRIMARY KEY,
  members    INTEGER NOT NULL DEFAULT 0
);

-- One digest per user and week: claimed before sending, released when the
-- relay refused it.
CREATE TABLE digest_sent (
  user_id BIGINT NOT NULL REFERENCES users(id),
  week_us BIGINT NOT NULL,
  sent_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, week_us)
);
