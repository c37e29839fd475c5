-- Indexes for reads that measured slow at province scale (bench/RESULTS.md): each lets its
-- query answer from the index alone instead of visiting ~10^5–10^6 table rows at random.
-- Keep in step with the other backend.

-- The weekly bulletin: the week's steps of the two kinds it counts (sent back, extension
-- approved), found without walking the scope's items.
CREATE INDEX item_events_action_at ON item_events (action, at);

-- Reports by scope and cut-off with what the bulletin's tallies and the dashboard's
-- punctuality read.
DROP INDEX reports_scope_due;
CREATE INDEX reports_scope_due ON reports (org_path, due_at, submitted_at, rule_id, period_key);

-- A ledger page of a small scope (a county, a unit) filtered by light and status: its range
-- of paths with the filter checked in the index and the page's ids sorted from it. (A
-- large scope walks items_campaign_light in deadline order instead.)
DROP INDEX items_scope_due;
CREATE INDEX items_scope_due ON items (lead_org_path, light, status, campaign_id, due_on);

-- The dashboard's deadline series of a large scope: a window of days, in day order.
CREATE INDEX items_due_day ON items (campaign_id, original_due_on, timeliness, due_so_far, lead_org_path);

-- The planner's statistics for the new indexes: without them it guesses, and at province
-- scale a wrong guess walks every red item in deadline order to find one unit's few.
ANALYZE items;
ANALYZE reports;
ANALYZE item_events;
