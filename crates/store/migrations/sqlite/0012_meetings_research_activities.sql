-- The leading group's meetings (会议) with the commitments they end with (each a tracked item),
-- research topics (调研课题) with their visits and findings (a finding raises a problem that
-- becomes a rectification item), and study activities (学习教育活动). Keep in step with
-- ../postgres.

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    chair TEXT NOT NULL,
    attendees TEXT NOT NULL,
    minutes TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX meetings_scope ON meetings (org_path, held_on);
CREATE INDEX meetings_org ON meetings (org_id, held_on);

CREATE TABLE meeting_commitments (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    item_id BIGINT NOT NULL REFERENCES items(id),
    PRIMARY KEY (meeting_id, item_id)
);

CREATE TABLE research_topics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    title TEXT NOT NULL,
    weakness TEXT NOT NULL,
    lead TEXT NOT NULL,
    members TEXT NOT NULL,
    status TEXT NOT NULL,
    report TEXT NOT NULL,
    reported_on TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX research_topics_scope ON research_topics (org_path);

CREATE TABLE research_visits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id BIGINT NOT NULL REFERENCES research_topics(id),
    visited_on TEXT NOT NULL,
    place TEXT NOT NULL,
    notes TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX research_visits_topic ON research_visits (topic_id, visited_on);

CREATE TABLE research_findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id BIGINT NOT NULL REFERENCES research_topics(id),
    text TEXT NOT NULL,
    -- The rectification item the problem became, once raised.
    item_id BIGINT REFERENCES items(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX research_findings_topic ON research_findings (topic_id, id);
CREATE INDEX research_findings_item ON research_findings (item_id);

CREATE TABLE activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    organiser TEXT NOT NULL,
    participants BIGINT NOT NULL,
    materials TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX activities_scope ON activities (org_path, held_on);

