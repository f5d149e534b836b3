-- Log positions of every projection: the next offset to apply per partition, written in the same
-- transaction as the projection's rows (this is what makes redelivery harmless).
CREATE TABLE IF NOT EXISTS projection_positions (
    projection  text        NOT NULL,
    topic       text        NOT NULL,
    partition   int         NOT NULL,
    next_offset bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, topic, partition)
);

-- Per-subject data keys (crypto-shredding), wrapped by the master key. NULL wrapped_key = destroyed.
CREATE TABLE IF NOT EXISTS subject_keys (
    subject_id   text PRIMARY KEY,
    wrapped_key  bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz
);

-- Each process polls for keys destroyed since its last look (erasure reaches every cache within ~1 s).
CREATE INDEX IF NOT EXISTS subject_keys_destroyed_at ON subject_keys (destroyed_at) WHERE destroyed_at IS NOT NULL;
