-- An org's organisation for a campaign ("制定工作方案，健全组织体系，完善工作制度"): its work plan
-- (every save a new version), the plan's attachments, its leading group (leader, deputies,
-- members), its working bodies (office, supervision teams) with their duties, and the orgs each
-- supervision team watches. Keep in step with ../postgres.

CREATE TABLE plan_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    version_no BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (campaign_id, org_id, version_no)
);
CREATE INDEX plan_versions_scope ON plan_versions (org_path);

CREATE TABLE plan_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX plan_attachments_of ON plan_attachments (campaign_id, org_id);

CREATE TABLE group_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    position BIGINT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    post TEXT NOT NULL
);
CREATE INDEX group_members_of ON group_members (campaign_id, org_id, position);

CREATE TABLE working_bodies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    head TEXT NOT NULL,
    duties TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX working_bodies_of ON working_bodies (campaign_id, org_id);

CREATE TABLE supervision_assignments (
    body_id BIGINT NOT NULL REFERENCES working_bodies(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (body_id, org_id)
);
CREATE INDEX supervision_assignments_org ON supervision_assignments (org_id);
