-- An admin deactivates a user who leaves: they can no longer sign in, their
-- sessions end, and their name stays on the cases and items they worked.
ALTER TABLE users ADD COLUMN deactivated_us BIGINT NOT NULL DEFAULT 0;
