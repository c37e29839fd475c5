-- A county's ledger page on PostgreSQL: the page's ids sorted by (due_on, id) from
-- items_scope_due alone. Without `id` in the index every matching row's heap page was read
-- (~3,700 pages, 70 ms, at 10^5 orgs). SQLite's indexes end in the rowid, which is the id, so
-- its index needs no change; its 0018 only keeps the numbering in step.
DROP INDEX items_scope_due;
CREATE INDEX items_scope_due ON items (lead_org_path, light, status, campaign_id, due_on) INCLUDE (id);
ANALYZE items;
