-- A playbook may give its department an action item per run instead of a
-- case per entrant; each entry names the item.
ALTER TABLE playbook_entries ADD COLUMN action_id BIGINT;
