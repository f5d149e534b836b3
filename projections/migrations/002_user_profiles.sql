CREATE TABLE IF NOT EXISTS user_profiles (
    user_id            text PRIMARY KEY,
    email              text,
    display_name       text,
    locale             text,
    skills             jsonb NOT NULL DEFAULT '[]',
    interests          jsonb NOT NULL DEFAULT '[]',
    education_level    text,
    years_experience   double precision,
    location           text,
    salary_expectation double precision,
    salary_currency    text,
    career_goals       text,
    target_careers     jsonb NOT NULL DEFAULT '[]',
    consents           jsonb NOT NULL DEFAULT '{}',
    registered_at      timestamptz,
    updated_at         timestamptz,
    events_applied     int NOT NULL DEFAULT 0,   -- one per applied event: a double apply would show here
    last_event_id      text
);

-- The erasure ledger: what was asked, when the key was destroyed. Keeps no personal data.
CREATE TABLE IF NOT EXISTS erasures (
    user_id        text PRIMARY KEY,
    requested_by   text NOT NULL,
    requested_at   timestamptz NOT NULL,
    key_destroyed  boolean NOT NULL,
    event_id       text NOT NULL
);
