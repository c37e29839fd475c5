-- Information submissions (信息报送): short news items units send about their campaign work,
-- with photos. The office edits them and adopts some into numbered briefings (工作简报) it
-- publishes to its scope; each adoption records the level that adopted it (this office, or a
-- higher one). Keep in step with ../postgres.

CREATE TABLE briefings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    issue_no BIGINT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    published_at TEXT,
    published_by TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (campaign_id, org_id, issue_no)
);
CREATE INDEX briefings_scope ON briefings (org_path);

CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    author_id BIGINT REFERENCES users(id),
    author_name TEXT NOT NULL,
    submitted_at TEXT,
    edited_by TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX submissions_scope ON submissions (org_path, submitted_at);

CREATE TABLE submission_photos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX submission_photos_of ON submission_photos (submission_id);

CREATE TABLE adoptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    level TEXT NOT NULL,
    org_id BIGINT REFERENCES orgs(id),
    briefing_id BIGINT REFERENCES briefings(id),
    note TEXT NOT NULL,
    adopted_by TEXT NOT NULL,
    adopted_at TEXT NOT NULL
);
CREATE INDEX adoptions_of ON adoptions (submission_id);
CREATE INDEX adoptions_briefing ON adoptions (briefing_id);
CREATE UNIQUE INDEX adoptions_once ON adoptions (submission_id, briefing_id);
