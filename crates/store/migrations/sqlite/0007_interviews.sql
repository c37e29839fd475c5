-- Accountability interviews (约谈): proposed by the bulletin's rules, confirmed or dismissed by
-- the office, held with minutes; each commitment becomes a tracked item. Keep in step with
-- ../postgres.

CREATE TABLE interviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    bulletin_id BIGINT REFERENCES bulletins(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    reasons_json TEXT NOT NULL,
    interviewer TEXT NOT NULL,
    interviewees TEXT NOT NULL,
    held_on TEXT,
    minutes TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (bulletin_id, org_id)
);
CREATE INDEX interviews_scope ON interviews (org_path);

CREATE TABLE interview_commitments (
    interview_id BIGINT NOT NULL REFERENCES interviews(id),
    item_id BIGINT NOT NULL REFERENCES items(id),
    PRIMARY KEY (interview_id, item_id)
);
