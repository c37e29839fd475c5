-- Scoring rules (data, with versions) and weekly bulletins (每周一通报): a frozen snapshot per
-- scope and week, with one row per ranked org. Keep in step with ../postgres.

CREATE TABLE scoring_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    version BIGINT NOT NULL,
    rules_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (campaign_id, version)
);

CREATE TABLE bulletins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    scope_org_id BIGINT NOT NULL REFERENCES orgs(id),
    scope_org_path TEXT NOT NULL,
    period_key TEXT NOT NULL,
    issue_no BIGINT NOT NULL,
    status TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    published_at TEXT,
    published_by TEXT,
    note TEXT NOT NULL,
    rules_version BIGINT NOT NULL,
    rules_json TEXT NOT NULL,
    totals_json TEXT NOT NULL,
    UNIQUE (campaign_id, scope_org_id, period_key)
);
CREATE INDEX bulletins_scope ON bulletins (scope_org_path);

CREATE TABLE bulletin_rows (
    bulletin_id BIGINT NOT NULL REFERENCES bulletins(id),
    position BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    org_code TEXT NOT NULL,
    org_name TEXT NOT NULL,
    figures_json TEXT NOT NULL,
    score_tenths BIGINT NOT NULL,
    rank BIGINT NOT NULL,
    interview_json TEXT NOT NULL,
    PRIMARY KEY (bulletin_id, position)
);
