-- Close the loop: a detractor's answer to this survey opens a case.
ALTER TABLE surveys ADD COLUMN close_loop INTEGER NOT NULL DEFAULT 1;
CREATE INDEX cases_response ON cases(response_id) WHERE response_id IS NOT NULL;
