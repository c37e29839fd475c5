-- Several rows per counter (see ../postgres/0019_counter_shards.sql for why). SQLite writes
-- shard 0 only, but the table has the same key on both backends so that one query set serves
-- both. SQLite cannot change a primary key in place: the table is copied.

CREATE TABLE rollup_counters_sharded (
    org_id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    phase TEXT NOT NULL,
    status TEXT NOT NULL,
    light TEXT NOT NULL,
    timeliness TEXT NOT NULL,
    due_so_far BOOLEAN NOT NULL,
    shard SMALLINT NOT NULL DEFAULT 0,
    n BIGINT NOT NULL,
    days_to_close_sum BIGINT NOT NULL,
    PRIMARY KEY (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard)
);

INSERT INTO rollup_counters_sharded (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard, n, days_to_close_sum)
SELECT org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, 0, n, days_to_close_sum
FROM rollup_counters;

DROP TABLE rollup_counters;
ALTER TABLE rollup_counters_sharded RENAME TO rollup_counters;
CREATE INDEX rollup_counters_unfolded ON rollup_counters (shard) WHERE shard > 0;
