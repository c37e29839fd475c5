-- Nothing to change on SQLite: every index ends in the rowid, which is the item's id, so
-- items_scope_due already gives a page's ids in (due_on, id) order. PostgreSQL's 0018 adds the
-- id to its index; this file keeps the two folders numbered alike.
SELECT 1;
