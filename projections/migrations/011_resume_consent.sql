-- Consent for resume analysis (issue 14), as the resume_analyses projection saw it in the log. No row:
-- granted (analysis is the service the user uploads for); a withdrawal stops analysis of later uploads
-- and deletes the analyses and files held for that purpose.
CREATE TABLE IF NOT EXISTS resume_consent (
    user_id    text PRIMARY KEY,
    granted    boolean NOT NULL,
    changed_at timestamptz NOT NULL
);
