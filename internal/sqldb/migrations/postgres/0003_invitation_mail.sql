ALTER TABLE invitations ADD COLUMN sent_us BIGINT;
ALTER TABLE invitations ADD COLUMN reminded_us BIGINT;
ALTER TABLE invitations ADD COLUMN message_id TEXT NOT NULL DEFAULT '';

-- Customers who asked not to be surveyed again; every send checks it.
CREATE TABLE contact_optouts (
  customer_id BIGINT PRIMARY KEY REFERENCES customers(id),
  source      TEXT NOT NULL,
  created_us  BIGINT NOT NULL
);
