//! The ledger query: filters, sorts, and the plans that keep a page of a province fast.

use super::*;
use crate::dialect;

/// Ledger filters. `scopes` are the subtrees the reader may see (by the lead org).
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub scopes: Vec<String>,
    pub within: Option<String>,
    pub campaign_id: Option<i64>,
    pub kind: Option<String>,
    pub statuses: Vec<String>,
    pub light: Option<String>,
    pub phase: Option<String>,
    pub source: Option<String>,
    pub lead_org_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub person: Option<String>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    /// normal, due_soon, overdue, closed_on_time or closed_late.
    pub timeliness: Option<String>,
    /// By the original deadline (the on-time rate's), not the current one.
    pub original_due_from: Option<NaiveDate>,
    pub original_due_to: Option<NaiveDate>,
    pub q: Option<String>,
    pub parent_id: Option<i64>,
    pub programme_area_id: Option<i64>,
    pub top_level_only: bool,
    pub include_withdrawn: bool,
    /// Only items with an extension request awaiting a decision.
    pub pending_extension: bool,
    /// Only these items (a selection), when not empty.
    pub ids: Vec<i64>,
}

/// Sort orders of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ItemSort {
    #[default]
    DueOn,
    DueOnDesc,
    Updated,
    Title,
}

/// The conditions of `f` on items `i`. `scope_column` is `i.lead_org_path`, or an expression
/// of it that keeps the scope's range from being used to seek (see [`list`]).
/// Whose columns [`bucket_terms`] names: the items' (`i.`) or the roll-up counters'.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Columns {
    Items,
    Counters,
}

/// The conditions of `f` that the roll-up counters also carry: campaign, kind, light, phase,
/// timeliness and status (without a status, withdrawn items are left out unless asked for).
pub(super) fn bucket_terms(s: &mut Sql, f: &ItemFilter, on: Columns) {
    let items = on == Columns::Items;
    if let Some(v) = f.campaign_id {
        s.add(if items {
            " AND i.campaign_id = "
        } else {
            " AND campaign_id = "
        })
        .bind(v);
    }
    for (on_items, on_counters, v) in [
        (" AND i.kind = ", " AND kind = ", &f.kind),
        (" AND i.light = ", " AND light = ", &f.light),
        (" AND i.phase = ", " AND phase = ", &f.phase),
        (" AND i.timeliness = ", " AND timeliness = ", &f.timeliness),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.add(if items { on_items } else { on_counters }).bind(v);
        }
    }
    if !f.statuses.is_empty() {
        s.add(if items {
            " AND i.status IN ("
        } else {
            " AND status IN ("
        });
        for (i, st) in f.statuses.iter().enumerate() {
            if i > 0 {
                s.add(", ");
            }
            s.bind(st.as_str());
        }
        s.add(")");
    } else if !f.include_withdrawn {
        s.add(if items {
            " AND i.status <> "
        } else {
            " AND status <> "
        })
        .bind("withdrawn");
    }
}

pub(super) fn item_where(s: &mut Sql, f: &ItemFilter, scope_column: &'static str) {
    s.add("WHERE ");
    // The scopes cut to `within` as one range per subtree: two nested ranges on the same
    // column leave the planner guessing which one bounds the index scan.
    s.in_subtrees(scope_column, &covered_roots(f));
    bucket_terms(s, f, Columns::Items);
    if let Some(v) = f.source.as_deref().filter(|v| !v.is_empty()) {
        s.add(" AND i.source = ").bind(v);
    }
    if let Some(v) = f.lead_org_id {
        s.add(" AND i.lead_org_id = ").bind(v);
    }
    if let Some(v) = f.responsible_user_id {
        s.add(" AND i.responsible_user_id = ").bind(v);
    }
    if let Some(p) = f.person.as_deref().filter(|p| !p.trim().is_empty()) {
        s.add(" AND LOWER(i.responsible_person) LIKE ")
            .bind(contains_pattern(p))
            .add(" ESCAPE '\\'");
    }
    if let Some(v) = f.due_from {
        s.add(" AND i.due_on >= ").bind(v);
    }
    if let Some(v) = f.due_to {
        s.add(" AND i.due_on <= ").bind(v);
    }
    if let Some(v) = f.original_due_from {
        s.add(" AND i.original_due_on >= ").bind(v);
    }
    if let Some(v) = f.original_due_to {
        s.add(" AND i.original_due_on <= ").bind(v);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let pat = contains_pattern(q);
        s.add(" AND (LOWER(i.title) LIKE ")
            .bind(pat.clone())
            .add(" ESCAPE '\\' OR LOWER(i.description) LIKE ")
            .bind(pat)
            .add(" ESCAPE '\\')");
    }
    if let Some(a) = f.programme_area_id {
        s.add(" AND i.programme_area_id = ").bind(a);
    }
    if f.pending_extension {
        s.add(" AND i.pending_extension_on IS NOT NULL");
    }
    if !f.ids.is_empty() {
        s.add(" AND i.id IN (");
        for (n, id) in f.ids.iter().enumerate() {
            if n > 0 {
                s.add(", ");
            }
            s.bind(*id);
        }
        s.add(")");
    }
    if let Some(p) = f.parent_id {
        s.add(" AND i.parent_id = ").bind(p);
    } else if f.top_level_only {
        s.add(" AND i.parent_id IS NULL");
    }
}

/// The subtrees a filter covers (its scopes cut to `within`), as the org paths at their roots,
/// none nested in another.
pub(super) fn covered_roots(f: &ItemFilter) -> Vec<String> {
    let mut roots: Vec<String> = match &f.within {
        Some(w) if f.scopes.iter().any(|s| is_within(w, s)) => vec![w.clone()],
        Some(w) => f
            .scopes
            .iter()
            .filter(|s| is_within(s, w))
            .cloned()
            .collect(),
        None => f.scopes.clone(),
    };
    roots.sort();
    roots.dedup();
    let all = roots.clone();
    roots.retain(|r| !all.iter().any(|o| o != r && is_within(r, o)));
    roots
}

/// Whether a page might be found faster by walking the campaign's items of the filter's light
/// in deadline order (items_campaign_light, checking status and scope in the index) than by
/// sorting everything of the scope that matches (items_scope_due): see [`by_deadline`].
pub(super) fn walkable(f: &ItemFilter, sort: ItemSort) -> bool {
    let unset = |v: &Option<String>| v.as_deref().is_none_or(str::is_empty);
    matches!(sort, ItemSort::DueOn | ItemSort::DueOnDesc)
        && f.campaign_id.is_some()
        && !unset(&f.light)
        && unset(&f.kind)
        && unset(&f.phase)
        && unset(&f.timeliness)
}

/// Whether the walk is the cheaper way. It reads about `(offset + limit) × all / in_scope`
/// entries, the sort `in_scope`, where `all` matches the filter everywhere; both counts come
/// from the roll-up counters. A city's page: ~700 entries walked against ~3·10^4 sorted; a
/// unit's: the other way round.
pub(super) fn by_deadline(in_scope: i64, all: i64, page: Page) -> bool {
    // Below this a sort is cheap whatever the walk would cost.
    if in_scope < 2_000 {
        return false;
    }
    let reach = (page.offset() + page.per_page).max(1);
    reach.saturating_mul(all) < in_scope.saturating_mul(in_scope)
}

/// Whether every condition of `f` is one the roll-up counters hold (campaign, kind, phase,
/// status, light, timeliness), so that how many items match is a read of a few counter rows
/// instead of a count of a province's items.
pub(super) fn countable(f: &ItemFilter) -> bool {
    f.lead_org_id.is_none()
        && f.responsible_user_id.is_none()
        && f.person.as_deref().is_none_or(|p| p.trim().is_empty())
        && f.q.as_deref().is_none_or(|q| q.trim().is_empty())
        && f.source.as_deref().is_none_or(str::is_empty)
        && f.due_from.is_none()
        && f.due_to.is_none()
        && f.original_due_from.is_none()
        && f.original_due_to.is_none()
        && f.parent_id.is_none()
        && f.programme_area_id.is_none()
        && !f.top_level_only
        && !f.pending_extension
        && f.ids.is_empty()
}

/// Appends a scalar subquery: how many items match a [`countable`] `f`, from the counters of
/// the subtrees it covers.
pub(super) fn add_counted(s: &mut Sql, f: &ItemFilter) {
    let roots = covered_roots(f);
    let ids: Option<Vec<i64>> = roots
        .iter()
        .map(|r| {
            r.trim_end_matches('/')
                .rsplit('/')
                .next()
                .and_then(|s| s.parse().ok())
        })
        .collect();
    if roots.is_empty() {
        s.add("CAST(0 AS BIGINT)");
        return;
    }
    s.add("(SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM rollup_counters WHERE org_id IN (");
    match ids {
        Some(ids) => {
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    s.add(", ");
                }
                s.bind(*id);
            }
        }
        // The whole forest ("/" covers every other root, so it is alone): its top-level orgs.
        None => {
            s.add("SELECT id FROM orgs WHERE parent_id IS NULL");
        }
    }
    s.add(")");
    bucket_terms(s, f, Columns::Counters);
    s.add(")");
}

pub async fn list(
    mut c: Conn<'_>,
    f: &ItemFilter,
    sort: ItemSort,
    page: Page,
) -> StoreResult<Paged<ItemRow>> {
    // How many match, and whether to walk in deadline order: one read of the counters.
    let (total, walk) = if countable(f) {
        let walk = walkable(f, sort);
        let mut s = Sql::new("SELECT ");
        add_counted(&mut s, f);
        s.add(", ");
        if walk {
            let everywhere = ItemFilter {
                scopes: vec!["/".into()],
                within: None,
                ..f.clone()
            };
            add_counted(&mut s, &everywhere);
        } else {
            s.add("CAST(0 AS BIGINT)");
        }
        let (in_scope, all): (i64, i64) = db::fetch_one(c.re(), s).await?;
        (in_scope, walk && by_deadline(in_scope, all, page))
    } else {
        let mut count = Sql::new("SELECT COUNT(*) FROM items i ");
        item_where(&mut count, f, "i.lead_org_path");
        (db::scalar_i64(c.re(), count).await?, false)
    };
    let order = match sort {
        ItemSort::DueOn => " ORDER BY i.due_on, i.id",
        ItemSort::DueOnDesc => " ORDER BY i.due_on DESC, i.id DESC",
        ItemSort::Updated => " ORDER BY i.updated_at DESC, i.id DESC",
        ItemSort::Title => " ORDER BY i.title, i.id",
    };
    let walk = if walk {
        dialect::deadline_walk(c.backend())
    } else {
        ("", "i.lead_org_path")
    };
    // The page's ids first, then their rows: the filter and the sort are answered from an
    // index where one covers them, and only the page's rows are read in full (a city's red
    // items are ~10^4; sorting them whole made most of a ledger request's cost).
    let mut s = select();
    s.add("WHERE i.id IN (SELECT i.id FROM items i ")
        .add(walk.0);
    item_where(&mut s, f, walk.1);
    s.add(order);
    let mut s = s.page(page);
    s.add(")").add(order);
    let items = db::fetch_all(c, s).await?;
    Ok(Paged {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// How many items match `f`: a read of the roll-up counters where they hold every condition,
/// else a count over the indexes the conditions name.
pub async fn count(c: Conn<'_>, f: &ItemFilter) -> StoreResult<i64> {
    if countable(f) {
        let mut s = Sql::new("SELECT ");
        add_counted(&mut s, f);
        return db::scalar_i64(c, s).await;
    }
    let mut s = Sql::new("SELECT COUNT(*) FROM items i ");
    item_where(&mut s, f, "i.lead_org_path");
    db::scalar_i64(c, s).await
}

/// The items of `ids`, in deadline order (ids not found are left out).
pub async fn by_ids(c: Conn<'_>, ids: &[i64]) -> StoreResult<Vec<ItemRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut s = select();
    s.add("WHERE i.id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.add(", ");
        }
        s.bind(*id);
    }
    s.add(") ORDER BY i.due_on, i.id");
    db::fetch_all(c, s).await
}

/// Every item matching, in deadline order, for exports (callers bound the count).
pub async fn all(c: Conn<'_>, f: &ItemFilter, limit: i64) -> StoreResult<Vec<ItemRow>> {
    let mut s = select();
    item_where(&mut s, f, "i.lead_org_path");
    s.add(" ORDER BY i.due_on, i.id LIMIT ").bind(limit);
    db::fetch_all(c, s).await
}

/// Items whose bucket the calendar has changed by `now`.
pub async fn due_for_rebucket(
    c: Conn<'_>,
    now: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<ItemRow>> {
    // The ids first, from the index alone: asked on every read, this must not let the planner
    // start from the orgs and walk every item.
    db::fetch_all(
        c,
        select()
            .push("WHERE i.id IN (SELECT id FROM items WHERE bucket_changes_at <= ")
            .arg(now)
            .push(" ORDER BY bucket_changes_at LIMIT ")
            .arg(limit)
            .push(") ORDER BY i.bucket_changes_at, i.id"),
    )
    .await
}

pub async fn children(c: Conn<'_>, parent_id: i64) -> StoreResult<Vec<ItemRow>> {
    db::fetch_all(
        c,
        select()
            .push("WHERE i.parent_id = ")
            .arg(parent_id)
            .push(" ORDER BY i.due_on, i.id"),
    )
    .await
}
