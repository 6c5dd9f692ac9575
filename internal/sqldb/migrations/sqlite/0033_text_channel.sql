-- The channel is a fact too: emerging topics are looked for per channel as
-- well as per division. The analyses are made again by the job.
DELETE FROM text_themes;
DELETE FROM text_analyses;
DELETE FROM rollup_state WHERE name IN ('text_response', 'text_case', 'text_response_id', 'text_case_id');
ALTER TABLE text_analyses ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE text_themes ADD COLUMN channel TEXT NOT NULL DEFAULT '';
