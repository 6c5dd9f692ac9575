-- Who entered and left each segment when, as the hourly job saw it: a row
-- per stay, open (left_us NULL) while the customer is a member.
CREATE TABLE segment_memberships (
  id          INTEGER PRIMARY KEY,
  segment_id  BIGINT NOT NULL REFERENCES segments(id),
  customer_id BIGINT NOT NULL,
  entered_us  BIGINT NOT NULL,
  left_us     BIGINT
);
CREATE INDEX segment_memberships_open ON segment_memberships(segment_id, left_us, customer_id);
CREATE INDEX segment_memberships_customer ON segment_memberships(customer_id);
