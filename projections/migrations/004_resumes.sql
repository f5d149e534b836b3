-- Resume uploads and their analyses (projection `resume_analyses`). Rows hold personal data (file
-- name, the analysis with contact details): ErasureRequested deletes them.
CREATE TABLE IF NOT EXISTS resume_analyses (
    resume_id        text PRIMARY KEY,
    user_id          text NOT NULL,
    status           text NOT NULL,              -- pending | done | failed
    blob_sha256      text,
    file_name        text,
    media_type       text,
    size_bytes       bigint,
    target_role      text,
    failure_reason   text,
    overall_score    double precision,
    skills           jsonb NOT NULL DEFAULT '[]',
    analysis         jsonb,
    analyzer_version text,
    uploaded_at      timestamptz,
    analyzed_at      timestamptz,
    last_event_id    text
);
CREATE INDEX IF NOT EXISTS resume_analyses_user ON resume_analyses (user_id);

-- Users erased: resume events of theirs that arrive after the erasure (the resumes and users topics
-- are not ordered with each other) are ignored. Keeps no personal data beyond the id.
CREATE TABLE IF NOT EXISTS resume_erased_users (
    user_id    text PRIMARY KEY,
    erased_at  timestamptz NOT NULL
);
