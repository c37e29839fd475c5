-- Metrics a campaign does not show on dashboards and lists (burden reduction: every metric can
-- be switched off per campaign). A row means "off". Keep in step with the other backend.

CREATE TABLE hidden_metrics (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    metric TEXT NOT NULL,
    PRIMARY KEY (campaign_id, metric)
);
