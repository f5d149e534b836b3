-- Retention runs (issue 14): what each run deleted and below which time, per rule. A replay into a
-- fresh namespace applies the latest cutoffs too, so it still equals the live read model.
CREATE TABLE IF NOT EXISTS retention_runs (
    rule     text        NOT NULL,
    run_at   timestamptz NOT NULL,
    cutoff   timestamptz NOT NULL,
    deleted  bigint      NOT NULL,
    PRIMARY KEY (rule, run_at)
);
