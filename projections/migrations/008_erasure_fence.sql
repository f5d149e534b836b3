-- The erasure fence (issue 14).
-- Per projection: subjects whose ErasureRequested it has applied. Any later event about them (from
-- any topic, in any order) changes nothing in that projection's read model, so no write racing an
-- erasure can re-create personal data, live or in a replay. Written with the projection's rows.
CREATE TABLE IF NOT EXISTS projection_fences (
    projection text NOT NULL,
    subject_id text NOT NULL,
    PRIMARY KEY (projection, subject_id)
);

-- Command side: written by the API before it publishes ErasureRequested, so every later command about
-- the user answers 410 from the moment the DELETE is acknowledged (the Redis marker is its cache).
CREATE TABLE IF NOT EXISTS erasure_requests (
    user_id      text PRIMARY KEY,
    requested_at timestamptz NOT NULL DEFAULT now()
);
