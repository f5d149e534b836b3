-- Consent for recommendations (issue 14), as the recommendations projection saw it in the log. No
-- row: granted. Withdrawn: the user's features and history are deleted and later events ignored.
CREATE TABLE IF NOT EXISTS rec_consent (
    user_id    text PRIMARY KEY,
    granted    boolean NOT NULL,
    changed_at timestamptz NOT NULL
);
