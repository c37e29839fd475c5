-- Several rows per counter. Every item change adds to the counters of all its ancestors, so on
-- PostgreSQL concurrent writers queued on the province's row lock until each one's COMMIT was
-- flushed (~200 transitions/s whatever the number of clients). A change now adds to one of
-- eight shards (1..8) chosen by the item; readers sum the shards; the fold_counters job moves
-- shards 1..8 into shard 0 every minute, so a counter stays a handful of rows. SQLite has one
-- writer and writes shard 0 only. Keep in step with ../sqlite.

ALTER TABLE rollup_counters ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE rollup_counters DROP CONSTRAINT rollup_counters_phased_pkey;
ALTER TABLE rollup_counters ADD PRIMARY KEY (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard);
CREATE INDEX rollup_counters_unfolded ON rollup_counters (shard) WHERE shard > 0;
