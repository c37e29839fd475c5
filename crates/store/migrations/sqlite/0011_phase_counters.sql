-- The roll-up counters gain the phase, so that a scope's progress per phase (学习教育, 调查研究,
-- 检视问题, 整改落实) is a read of counters like every other figure. The counters are rebuilt
-- from the items: every org counts the items of its subtree (its path is a prefix of theirs).
-- Keep in step with ../postgres.

CREATE TABLE rollup_counters_phased (
    org_id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    phase TEXT NOT NULL,
    status TEXT NOT NULL,
    light TEXT NOT NULL,
    timeliness TEXT NOT NULL,
    due_so_far BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    days_to_close_sum BIGINT NOT NULL,
    PRIMARY KEY (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far)
);

INSERT INTO rollup_counters_phased (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, n, days_to_close_sum)
SELECT o.id, i.campaign_id, i.kind, i.phase, i.status, i.light, i.timeliness, i.due_so_far, COUNT(*),
       SUM(CASE WHEN i.status IN ('closed', 'verified') AND i.closed_on IS NOT NULL
                THEN MAX(0, CAST(julianday(i.closed_on) - julianday(COALESCE(i.start_on, substr(i.created_at, 1, 10))) AS INTEGER))
                ELSE 0 END)
FROM items i JOIN orgs o ON substr(i.lead_org_path, 1, length(o.path)) = o.path
GROUP BY o.id, i.campaign_id, i.kind, i.phase, i.status, i.light, i.timeliness, i.due_so_far;

DROP TABLE rollup_counters;
ALTER TABLE rollup_counters_phased RENAME TO rollup_counters;
