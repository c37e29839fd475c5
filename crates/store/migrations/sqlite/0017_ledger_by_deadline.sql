-- A large scope's ledger page (a city's red items in progress, by deadline) walks the
-- campaign's items of that light in deadline order and checks status and scope in the index,
-- stopping at the page's end: ~10^2 entries read instead of sorting a city's ~3·10^4.
-- Small scopes keep items_scope_due; store::items::list chooses by the roll-up counters.
-- Keep in step with the other backend.
DROP INDEX items_campaign_light;
CREATE INDEX items_campaign_light ON items (campaign_id, light, due_on, status, lead_org_path);
ANALYZE items;
