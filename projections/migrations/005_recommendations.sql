-- Career recommendations (issue 3).

-- What the recommender knows about each user, folded from ProfileUpdated, AssessmentCompleted,
-- CareerInteraction and CourseEnrollment. `skills` / `interests` keep their sources apart
-- ({"profile": [...], "verified": [...], "learned": [...]}) so a profile update replaces only its part;
-- `history` holds the most recent career interactions (bounded).
CREATE TABLE IF NOT EXISTS rec_user_features (
    user_id    text PRIMARY KEY,
    skills     jsonb NOT NULL DEFAULT '{}',
    interests  jsonb NOT NULL DEFAULT '{}',
    goals      text,
    education  text,
    history    jsonb NOT NULL DEFAULT '[]',
    updated_at timestamptz
);

-- Every top-K list served, keyed by the event that caused its computation (absolute, idempotent).
CREATE TABLE IF NOT EXISTS recommendation_history (
    user_id       text        NOT NULL,
    event_id      text        NOT NULL,
    model_version text        NOT NULL,
    computed_at   timestamptz NOT NULL,
    items         jsonb       NOT NULL,
    PRIMARY KEY (user_id, event_id)
);
CREATE INDEX IF NOT EXISTS recommendation_history_user_time ON recommendation_history (user_id, computed_at);

-- Trained model bundles; at most one active version per model name (workers hot-swap to it).
CREATE TABLE IF NOT EXISTS model_versions (
    name       text        NOT NULL,
    version    text        NOT NULL,
    path       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    active     boolean     NOT NULL DEFAULT false,
    metadata   jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (name, version)
);
CREATE UNIQUE INDEX IF NOT EXISTS model_versions_one_active ON model_versions (name) WHERE active;
