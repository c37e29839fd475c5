-- The to-do page (待办) counts what waits on each person: these indexes keep each count to the
-- few rows it is about, at a province's scale (10^6–10^7 items, 10^5 orgs).
-- The items a person is named responsible for.
CREATE INDEX items_responsible_user ON items (responsible_user_id, status) WHERE responsible_user_id IS NOT NULL;
-- Extension requests awaiting a supervisor's decision (few at any time).
CREATE INDEX items_pending_extension ON items (lead_org_path) WHERE pending_extension_on IS NOT NULL;
-- Reports awaiting review (few at any time).
CREATE INDEX reports_submitted ON reports (org_path) WHERE status = 'submitted';
-- A person's unread notices (the count on every page).
CREATE INDEX deliveries_unread ON deliveries (user_id) WHERE channel = 'inbox' AND read_at IS NULL;
-- The item a notice is about (an urge, a sent-back item), so that the item's page shows who was
-- told and whether they have read it.
ALTER TABLE deliveries ADD COLUMN item_id BIGINT;
CREATE INDEX deliveries_item ON deliveries (item_id) WHERE item_id IS NOT NULL;
