-- Key work (中心工作/重点工作) an org pushes forward with the campaign, linked to tasks, and its
-- indicators (指标) with a weekly trajectory and weekly actuals entered once. Keep in step with
-- ../postgres.

CREATE TABLE key_works (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX key_works_scope ON key_works (org_path);

CREATE TABLE key_work_tasks (
    key_work_id BIGINT NOT NULL REFERENCES key_works(id),
    item_id BIGINT NOT NULL REFERENCES items(id),
    PRIMARY KEY (key_work_id, item_id)
);
CREATE INDEX key_work_tasks_item ON key_work_tasks (item_id);

CREATE TABLE indicators (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_work_id BIGINT NOT NULL REFERENCES key_works(id),
    org_path TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    baseline DOUBLE PRECISION NOT NULL,
    target DOUBLE PRECISION NOT NULL,
    direction TEXT NOT NULL,
    start_on TEXT NOT NULL,
    target_on TEXT NOT NULL,
    confidence TEXT NOT NULL,
    confidence_note TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX indicators_key_work ON indicators (key_work_id);
CREATE INDEX indicators_scope ON indicators (org_path);

-- The trajectory: the value planned for each week (by its Monday).
CREATE TABLE indicator_plan (
    indicator_id BIGINT NOT NULL REFERENCES indicators(id),
    week_on TEXT NOT NULL,
    planned DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (indicator_id, week_on)
);

-- What was reached each week, entered once and read by reports and dashboards.
CREATE TABLE indicator_actuals (
    indicator_id BIGINT NOT NULL REFERENCES indicators(id),
    week_on TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (indicator_id, week_on)
);
