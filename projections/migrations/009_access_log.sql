-- The access audit (issue 14): one row per PersonalDataAccessed record, written by the audit notary
-- (streams/audit_notary.py) with the record's SHA-256 and the per-partition hash chain. Holds ids and
-- read-model/field names only, no personal data; kept when a subject is erased (it is the record
-- that the erasure's data was, or was not, read).
CREATE TABLE IF NOT EXISTS access_log (
    topic          text        NOT NULL,
    partition      int         NOT NULL,
    "offset"       bigint      NOT NULL,
    record_sha256  text        NOT NULL,
    chain_sha256   text        NOT NULL,
    event_id       text,
    subject_id     text,
    accessor       text,
    accessor_role  text,
    resource       text,
    fields         jsonb,
    purpose        text,
    correlation_id text,
    occurred_at    timestamptz,
    PRIMARY KEY (topic, partition, "offset")
);
CREATE INDEX IF NOT EXISTS access_log_subject ON access_log (subject_id, occurred_at);
