-- The course catalog of record (projection `course_catalog`, topic `courses`): one row per course.
-- Recommendations query it for courses teaching a user's missing skills (skills_lower && ARRAY[...]).
CREATE TABLE IF NOT EXISTS courses (
    course_id           text PRIMARY KEY,
    provider            text NOT NULL,
    provider_course_id  text NOT NULL,
    title               text NOT NULL,
    description         text NOT NULL DEFAULT '',
    url                 text,
    skills              jsonb NOT NULL DEFAULT '[]',
    skills_lower        text[] NOT NULL DEFAULT '{}',
    level               text,
    language            text,
    duration_hours      real,
    price               double precision,
    currency            text,
    is_free             boolean NOT NULL DEFAULT false,
    availability        text,
    provider_updated_at timestamptz,
    content_hash        text,
    updated_at          timestamptz
);

CREATE INDEX IF NOT EXISTS courses_skills_lower ON courses USING gin (skills_lower);
CREATE INDEX IF NOT EXISTS courses_provider ON courses (provider);
