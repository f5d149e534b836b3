-- Which master key wrapped each data key (schemas/keystore.py `LocalKeyRing.key_id`), so master-key
-- rotation (`careerstream keys rotate`) finds the rows still wrapped by an old one. NULL: wrapped
-- before this column existed; unwrapped by trying each configured master key.
ALTER TABLE subject_keys ADD COLUMN IF NOT EXISTS master_key_id text;
CREATE INDEX IF NOT EXISTS subject_keys_master_key_id ON subject_keys (master_key_id) WHERE wrapped_key IS NOT NULL;
