-- The scheduler: jobs stored in the database and claimed with a lease, so that with several
-- instances each run happens once; every run is logged. Keep in step with ../postgres.

CREATE TABLE scheduled_jobs (
    name TEXT PRIMARY KEY,
    every_seconds BIGINT NOT NULL,
    next_run_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    last_run_at TEXT,
    last_outcome TEXT
);

CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    instance TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX job_runs_name ON job_runs (name, id);
