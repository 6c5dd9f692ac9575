-- What a trained model holds beyond its sentiment figures: the themes it
-- learnt and their held-out F1 beside the analysis in force (JSON).
ALTER TABLE text_models ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
