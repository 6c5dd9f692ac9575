-- The facts theme figures are cut by, kept on the analysis rows (copied from
-- the answer or case when it is analysed; a change of them re-analyses it),
-- so that theme figures, trends and drivers read one table instead of
-- joining three. The analyses are made again by the job (seconds).
DELETE FROM text_themes;
DELETE FROM text_analyses;
DELETE FROM rollup_state WHERE name IN ('text_response', 'text_case', 'text_response_id', 'text_case_id');
ALTER TABLE text_analyses ADD COLUMN survey_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE text_analyses ADD COLUMN survey_type TEXT NOT NULL DEFAULT '';
ALTER TABLE text_analyses ADD COLUMN division TEXT NOT NULL DEFAULT '';
ALTER TABLE text_analyses ADD COLUMN department TEXT NOT NULL DEFAULT '';
ALTER TABLE text_analyses ADD COLUMN score INTEGER;
ALTER TABLE text_analyses ADD COLUMN created_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE text_themes ADD COLUMN survey_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE text_themes ADD COLUMN survey_type TEXT NOT NULL DEFAULT '';
ALTER TABLE text_themes ADD COLUMN division TEXT NOT NULL DEFAULT '';
ALTER TABLE text_themes ADD COLUMN department TEXT NOT NULL DEFAULT '';
ALTER TABLE text_themes ADD COLUMN score INTEGER;
ALTER TABLE text_themes ADD COLUMN created_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE text_themes ADD COLUMN sentiment_score DOUBLE PRECISION NOT NULL DEFAULT 0;
CREATE INDEX text_analyses_survey ON text_analyses(source, survey_id, created_us);
CREATE INDEX text_themes_time ON text_themes(theme, created_us);
