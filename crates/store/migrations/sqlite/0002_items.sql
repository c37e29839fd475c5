-- Task books and rectification ledgers: the supervised item, its measures, milestones,
-- lifecycle events, progress notes, deadline revisions, extension requests and evidence, plus
-- the per-ancestor roll-up counters. Keep in step with ../postgres/0002_items.sql.

-- Per-campaign rules (defaults from DOMAIN.md).
ALTER TABLE campaigns ADD COLUMN due_soon_days BIGINT NOT NULL DEFAULT 3;
ALTER TABLE campaigns ADD COLUMN lagging_numerator BIGINT NOT NULL DEFAULT 2;
ALTER TABLE campaigns ADD COLUMN lagging_denominator BIGINT NOT NULL DEFAULT 3;
ALTER TABLE campaigns ADD COLUMN little_progress_percent BIGINT NOT NULL DEFAULT 50;
ALTER TABLE campaigns ADD COLUMN recheck_after_days BIGINT NOT NULL DEFAULT 30;
ALTER TABLE campaigns ADD COLUMN progress_rule TEXT NOT NULL DEFAULT 'by_count';

CREATE TABLE programmes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    goal TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE programme_areas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id BIGINT NOT NULL REFERENCES programmes(id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX programme_areas_programme ON programme_areas (programme_id, position);

CREATE TABLE items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    kind TEXT NOT NULL,
    parent_id BIGINT REFERENCES items(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    phase TEXT NOT NULL,
    source TEXT NOT NULL,
    category TEXT NOT NULL,
    item_type TEXT NOT NULL,
    -- The supervising org that issued the item, and the responsible unit (责任单位).
    owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
    lead_org_id BIGINT NOT NULL REFERENCES orgs(id),
    -- The lead org's materialised path, so that a scope is one range scan on items too.
    lead_org_path TEXT NOT NULL,
    responsible_user_id BIGINT REFERENCES users(id),
    responsible_person TEXT NOT NULL,
    goal_id BIGINT REFERENCES goals(id),
    programme_area_id BIGINT REFERENCES programme_areas(id),
    weight BIGINT NOT NULL DEFAULT 1,
    progress_percent BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    suspended_from TEXT,
    original_due_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    pending_extension_on TEXT,
    start_on TEXT,
    closed_on TEXT,
    recheck_due_on TEXT,
    evidence_count BIGINT NOT NULL DEFAULT 0,
    reopen_count BIGINT NOT NULL DEFAULT 0,
    -- Derived from the rules and the clock; kept current so that lists filter and count by them.
    light TEXT NOT NULL,
    timeliness TEXT NOT NULL,
    due_so_far BOOLEAN NOT NULL,
    bucket_changes_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX items_scope_due ON items (lead_org_path, due_on);
CREATE INDEX items_campaign_light ON items (campaign_id, light, due_on);
CREATE INDEX items_parent ON items (parent_id);
CREATE INDEX items_bucket ON items (bucket_changes_at);
CREATE INDEX items_lead ON items (lead_org_id);

CREATE TABLE item_co_orgs (
    item_id BIGINT NOT NULL REFERENCES items(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (item_id, org_id)
);

CREATE TABLE measures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES items(id),
    position BIGINT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX measures_item ON measures (item_id, position);

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES items(id),
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done_on TEXT
);
CREATE INDEX milestones_item ON milestones (item_id, position);

CREATE TABLE item_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES items(id),
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    data_json TEXT
);
CREATE INDEX item_events_item ON item_events (item_id, id);

CREATE TABLE progress_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES items(id),
    at TEXT NOT NULL,
    author_id BIGINT,
    author_name TEXT NOT NULL,
    progress_percent BIGINT,
    text TEXT NOT NULL
);
CREATE INDEX progress_notes_item ON progress_notes (item_id, id);

CREATE TABLE deadline_revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES items(id),
    at TEXT NOT NULL,
    old_due_on TEXT NOT NULL,
    new_due_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    approved_by TEXT NOT NULL
);
CREATE INDEX deadline_revisions_item ON deadline_revisions (item_id, id);

CREATE TABLE extension_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES items(id),
    requested_at TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    new_due_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT,
    decision_reason TEXT
);
CREATE INDEX extension_requests_item ON extension_requests (item_id, id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES items(id),
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX attachments_item ON attachments (item_id);
CREATE INDEX attachments_sha ON attachments (sha256);

-- For every org, the items of its whole subtree counted by bucket: a scope's roll-up reads a
-- few rows here instead of scanning items. Kept current on every item change, on calendar
-- re-bucketing and on org moves.
CREATE TABLE rollup_counters (
    org_id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    light TEXT NOT NULL,
    timeliness TEXT NOT NULL,
    due_so_far BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    days_to_close_sum BIGINT NOT NULL,
    PRIMARY KEY (org_id, campaign_id, kind, status, light, timeliness, due_so_far)
);
