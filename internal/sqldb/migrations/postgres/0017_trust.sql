-- Write keys are kept as SHA-256 hashes (shown once, like API tokens); the
-- hint (last characters) tells them apart. Existing plaintext keys are hashed
-- at start by DB.Migrate and keep working.
ALTER TABLE sources RENAME COLUMN write_key TO key_hash;
ALTER TABLE sources ADD COLUMN key_hint TEXT NOT NULL DEFAULT '';
