-- The survey results' response rate counts a survey's invitations and those
-- answered. With the answered time and the department in the index the
-- count is read from the index alone: on the demo's 88 746 invitations of
-- one survey 10 ms instead of 100 ms (the survey list asks once per survey).
DROP INDEX invitations_survey;
CREATE INDEX invitations_rate ON invitations (survey_id, created_us, department, responded_us);
