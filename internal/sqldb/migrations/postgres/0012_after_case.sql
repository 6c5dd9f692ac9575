-- The survey sent to the customer when one of their cases is resolved.
ALTER TABLE surveys ADD COLUMN after_case INTEGER NOT NULL DEFAULT 0;
