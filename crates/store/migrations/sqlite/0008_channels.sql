-- Outside channels of reminders: the group robots (DingTalk, WeCom) an org registers, and the org
-- each delivery concerns, so that its record shows in that org's subtree. Keep in step with
-- ../postgres.

CREATE TABLE org_webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL
);
CREATE INDEX org_webhooks_org ON org_webhooks (org_id);

ALTER TABLE deliveries ADD COLUMN org_id BIGINT REFERENCES orgs(id);
CREATE INDEX deliveries_org ON deliveries (org_id, id);

-- The days before a deadline on which a reminder goes out (催办), per campaign.
ALTER TABLE campaigns ADD COLUMN reminder_offsets TEXT NOT NULL DEFAULT '3,1';
