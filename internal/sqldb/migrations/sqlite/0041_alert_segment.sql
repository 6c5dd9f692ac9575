-- An alert rule may watch one segment's current members (0: everyone).
ALTER TABLE alert_rules ADD COLUMN segment_id BIGINT NOT NULL DEFAULT 0;
