-- Work rules (工作制度) with their cadence, and the situation reports (情况汇报) a reporting rule
-- makes fall due for every bound org each period. Keep in step with ../postgres.

CREATE TABLE work_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    cadence_json TEXT NOT NULL,
    -- The bound orgs: those of `target_kinds` (comma-separated; empty = every kind) under this org.
    scope_org_id BIGINT NOT NULL REFERENCES orgs(id),
    target_kinds TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX work_rules_campaign ON work_rules (campaign_id);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id BIGINT NOT NULL REFERENCES work_rules(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    period_key TEXT NOT NULL,
    due_at TEXT NOT NULL,
    status TEXT NOT NULL,
    figures_json TEXT NOT NULL,
    done_text TEXT NOT NULL,
    problems_text TEXT NOT NULL,
    plan_text TEXT NOT NULL,
    submitted_at TEXT,
    submitted_by TEXT,
    reviewed_at TEXT,
    reviewed_by TEXT,
    review_comment TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (rule_id, org_id, period_key)
);
CREATE INDEX reports_scope_due ON reports (org_path, due_at);
CREATE INDEX reports_rule_period ON reports (rule_id, period_key);
