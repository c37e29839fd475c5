//! Supervised items (tasks and rectification items) in storage, with their measures, events,
//! notes, deadline revisions, extension requests and evidence rows, and the per-ancestor
//! roll-up counters that make a scope's figures a read of a few rows.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{contains_pattern, Arg, Sql};
use crate::{Page, Paged};
use chrono::{DateTime, NaiveDate, Utc};
use luodi_domain::org::{is_within, subtree_range};
use serde::Serialize;

/// An item as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub campaign_id: i64,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub phase: String,
    pub source: String,
    pub category: String,
    pub item_type: String,
    pub owner_org_id: i64,
    pub lead_org_id: i64,
    pub lead_org_path: String,
    pub responsible_user_id: Option<i64>,
    pub responsible_person: String,
    pub goal_id: Option<i64>,
    pub programme_area_id: Option<i64>,
    pub weight: i64,
    pub progress_percent: i64,
    pub status: String,
    pub suspended_from: Option<String>,
    pub original_due_on: NaiveDate,
    pub due_on: NaiveDate,
    pub pending_extension_on: Option<NaiveDate>,
    pub start_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub recheck_due_on: Option<NaiveDate>,
    pub evidence_count: i64,
    pub reopen_count: i64,
    pub light: String,
    pub timeliness: String,
    pub due_so_far: bool,
    pub bucket_changes_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An item in a ledger list, with the names a table shows.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ItemRow {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub item: Item,
    pub lead_org_name: String,
    pub lead_org_code: String,
}

const COLS: &str = "i.id, i.campaign_id, i.kind, i.parent_id, i.title, i.description, i.phase, i.source, i.category, \
    i.item_type, i.owner_org_id, i.lead_org_id, i.lead_org_path, i.responsible_user_id, i.responsible_person, i.goal_id, \
    i.programme_area_id, i.weight, i.progress_percent, i.status, i.suspended_from, i.original_due_on, i.due_on, \
    i.pending_extension_on, i.start_on, i.closed_on, i.recheck_due_on, i.evidence_count, i.reopen_count, i.light, \
    i.timeliness, i.due_so_far, i.bucket_changes_at, i.version, i.created_by, i.created_at, i.updated_at";

fn select() -> Sql {
    let mut s = Sql::default();
    s.add("SELECT ").add(COLS).add(", o.name AS lead_org_name, o.code AS lead_org_code FROM items i JOIN orgs o ON o.id = i.lead_org_id ");
    s
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<ItemRow>> {
    db::fetch_optional(c, select().push("WHERE i.id = ").arg(id)).await
}

/// Inserts an item as given (its derived columns already computed) and returns its id.
/// The columns of `items`, in the order of [`item_row`].
pub const ITEM_COLUMNS: &[&str] = &[
    "id",
    "campaign_id",
    "kind",
    "parent_id",
    "title",
    "description",
    "phase",
    "source",
    "category",
    "item_type",
    "owner_org_id",
    "lead_org_id",
    "lead_org_path",
    "responsible_user_id",
    "responsible_person",
    "goal_id",
    "programme_area_id",
    "weight",
    "progress_percent",
    "status",
    "suspended_from",
    "original_due_on",
    "due_on",
    "pending_extension_on",
    "start_on",
    "closed_on",
    "recheck_due_on",
    "evidence_count",
    "reopen_count",
    "light",
    "timeliness",
    "due_so_far",
    "bucket_changes_at",
    "version",
    "created_by",
    "created_at",
    "updated_at",
];

/// An item's values in the order of [`ITEM_COLUMNS`].
pub fn item_row(it: &Item) -> Vec<Arg> {
    vec![
        Arg::from(it.id),
        Arg::from(it.campaign_id),
        Arg::from(it.kind.as_str()),
        Arg::from(it.parent_id),
        Arg::from(it.title.as_str()),
        Arg::from(it.description.as_str()),
        Arg::from(it.phase.as_str()),
        Arg::from(it.source.as_str()),
        Arg::from(it.category.as_str()),
        Arg::from(it.item_type.as_str()),
        Arg::from(it.owner_org_id),
        Arg::from(it.lead_org_id),
        Arg::from(it.lead_org_path.as_str()),
        Arg::from(it.responsible_user_id),
        Arg::from(it.responsible_person.as_str()),
        Arg::from(it.goal_id),
        Arg::from(it.programme_area_id),
        Arg::from(it.weight),
        Arg::from(it.progress_percent),
        Arg::from(it.status.as_str()),
        Arg::from(it.suspended_from.as_deref()),
        Arg::from(it.original_due_on),
        Arg::from(it.due_on),
        Arg::from(it.pending_extension_on),
        Arg::from(it.start_on),
        Arg::from(it.closed_on),
        Arg::from(it.recheck_due_on),
        Arg::from(it.evidence_count),
        Arg::from(it.reopen_count),
        Arg::from(it.light.as_str()),
        Arg::from(it.timeliness.as_str()),
        Arg::from(it.due_so_far),
        Arg::from(it.bucket_changes_at),
        Arg::from(it.version),
        Arg::from(it.created_by),
        Arg::from(it.created_at),
        Arg::from(it.updated_at),
    ]
}

/// Stores a new item (its `id` is ignored) and indexes it; returns its id.
pub async fn insert(mut c: Conn<'_>, it: &Item) -> StoreResult<i64> {
    let mut s = Sql::new("INSERT INTO items (");
    s.text.push_str(&ITEM_COLUMNS[1..].join(", "));
    s.add(") VALUES (");
    let id = db::scalar_i64(
        c.re(),
        s.values(item_row(it).into_iter().skip(1))
            .push(") RETURNING id"),
    )
    .await?;
    reindex(c, id).await?;
    Ok(id)
}

/// A new item with its measures and first steps, for [`insert_many`].
pub struct NewItem<'a> {
    pub item: Item,
    pub measures: Vec<String>,
    pub events: Vec<NewEvent<'a>>,
}

/// Stores many new items at once (an import): their ids are reserved in one statement, then
/// the items, their measures, their steps and their search entries go in many rows per
/// statement. Sets each item's id (and its events').
pub async fn insert_many(mut c: Conn<'_>, new: &mut [NewItem<'_>]) -> StoreResult<()> {
    let ids = crate::bulk::reserve_ids(c.re(), "items", new.len()).await?;
    let (mut items, mut measures, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for (n, id) in new.iter_mut().zip(ids) {
        n.item.id = id;
        items.push(item_row(&n.item));
        for (i, m) in n.measures.iter().enumerate() {
            measures.push(vec![
                Arg::from(id),
                Arg::from(i as i64),
                Arg::from(m.as_str()),
            ]);
        }
        for e in &mut n.events {
            e.item_id = id;
            events.push(event_row(e));
        }
    }
    crate::bulk::insert(c.re(), "items", ITEM_COLUMNS, items).await?;
    crate::bulk::insert(
        c.re(),
        "measures",
        &["item_id", "position", "text"],
        measures,
    )
    .await?;
    crate::bulk::insert(c.re(), "item_events", EVENT_COLUMNS, events).await?;
    let bodies: Vec<Vec<&str>> = new
        .iter()
        .map(|n| item_body(&n.item, n.measures.iter().map(String::as_str)))
        .collect();
    let docs: Vec<(crate::search::Doc<'_>, DateTime<Utc>)> = new
        .iter()
        .zip(&bodies)
        .map(|(n, body)| (item_doc(&n.item, body), n.item.updated_at))
        .collect();
    crate::search::insert_new(c, &docs).await
}

/// Writes every mutable column of `it` if the stored version is `expected_version`, bumping the
/// version; returns whether it was written (false = changed by someone else first).
pub async fn update(mut c: Conn<'_>, it: &Item, expected_version: i64) -> StoreResult<bool> {
    let n = db::execute(
        c.re(),
        Sql::new("UPDATE items SET title = ")
            .arg(it.title.as_str())
            .push(", description = ")
            .arg(it.description.as_str())
            .push(", phase = ")
            .arg(it.phase.as_str())
            .push(", source = ")
            .arg(it.source.as_str())
            .push(", category = ")
            .arg(it.category.as_str())
            .push(", item_type = ")
            .arg(it.item_type.as_str())
            .push(", lead_org_id = ")
            .arg(it.lead_org_id)
            .push(", lead_org_path = ")
            .arg(it.lead_org_path.as_str())
            .push(", responsible_user_id = ")
            .arg(it.responsible_user_id)
            .push(", responsible_person = ")
            .arg(it.responsible_person.as_str())
            .push(", goal_id = ")
            .arg(it.goal_id)
            .push(", programme_area_id = ")
            .arg(it.programme_area_id)
            .push(", weight = ")
            .arg(it.weight)
            .push(", progress_percent = ")
            .arg(it.progress_percent)
            .push(", status = ")
            .arg(it.status.as_str())
            .push(", suspended_from = ")
            .arg(it.suspended_from.as_deref())
            .push(", due_on = ")
            .arg(it.due_on)
            .push(", pending_extension_on = ")
            .arg(it.pending_extension_on)
            .push(", start_on = ")
            .arg(it.start_on)
            .push(", closed_on = ")
            .arg(it.closed_on)
            .push(", recheck_due_on = ")
            .arg(it.recheck_due_on)
            .push(", evidence_count = ")
            .arg(it.evidence_count)
            .push(", reopen_count = ")
            .arg(it.reopen_count)
            .push(", light = ")
            .arg(it.light.as_str())
            .push(", timeliness = ")
            .arg(it.timeliness.as_str())
            .push(", due_so_far = ")
            .arg(it.due_so_far)
            .push(", bucket_changes_at = ")
            .arg(it.bucket_changes_at)
            .push(", version = version + 1, updated_at = ")
            .arg(it.updated_at)
            .push(" WHERE id = ")
            .arg(it.id)
            .push(" AND version = ")
            .arg(expected_version),
    )
    .await?;
    if n == 1 {
        // The text, the lead org or its path may have changed.
        reindex(c, it.id).await?;
    }
    Ok(n == 1)
}

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
enum Columns {
    Items,
    Counters,
}

/// The conditions of `f` that the roll-up counters also carry: campaign, kind, light, phase,
/// timeliness and status (without a status, withdrawn items are left out unless asked for).
fn bucket_terms(s: &mut Sql, f: &ItemFilter, on: Columns) {
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

fn item_where(s: &mut Sql, f: &ItemFilter, scope_column: &'static str) {
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
    if let Some(p) = f.parent_id {
        s.add(" AND i.parent_id = ").bind(p);
    } else if f.top_level_only {
        s.add(" AND i.parent_id IS NULL");
    }
}

/// The subtrees a filter covers (its scopes cut to `within`), as the org paths at their roots,
/// none nested in another.
fn covered_roots(f: &ItemFilter) -> Vec<String> {
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
fn walkable(f: &ItemFilter, sort: ItemSort) -> bool {
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
fn by_deadline(in_scope: i64, all: i64, page: Page) -> bool {
    // Below this a sort is cheap whatever the walk would cost.
    if in_scope < 2_000 {
        return false;
    }
    let reach = (page.offset() + page.per_page).max(1);
    reach.saturating_mul(all) < in_scope.saturating_mul(in_scope)
}

/// The FROM-clause hint and the scope column for the deadline walk. SQLite's planner does not
/// weigh the LIMIT against the sort, so it is told: INDEXED BY, and a unary `+` that keeps the
/// scope's range from being used to seek. PostgreSQL's planner weighs the LIMIT itself.
fn deadline_walk(backend: crate::Backend) -> (&'static str, &'static str) {
    match backend {
        crate::Backend::Sqlite => ("INDEXED BY items_campaign_light ", "+i.lead_org_path"),
        crate::Backend::Postgres => ("", "i.lead_org_path"),
    }
}

/// Whether every condition of `f` is one the roll-up counters hold (campaign, kind, phase,
/// status, light, timeliness), so that how many items match is a read of a few counter rows
/// instead of a count of a province's items.
fn countable(f: &ItemFilter) -> bool {
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
}

/// Appends a scalar subquery: how many items match a [`countable`] `f`, from the counters of
/// the subtrees it covers.
fn add_counted(s: &mut Sql, f: &ItemFilter) {
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
        deadline_walk(c.backend())
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

// ----- parts of an item -----

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Measure {
    pub id: i64,
    pub position: i64,
    pub text: String,
}

pub async fn set_measures(mut c: Conn<'_>, item_id: i64, measures: &[String]) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("DELETE FROM measures WHERE item_id = ").arg(item_id),
    )
    .await?;
    for (i, m) in measures.iter().enumerate() {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO measures (item_id, position, text) VALUES (")
                .values([
                    Arg::from(item_id),
                    Arg::from(i as i64),
                    Arg::from(m.as_str()),
                ])
                .push(")"),
        )
        .await?;
    }
    reindex(c, item_id).await
}

pub async fn measures(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Measure>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, position, text FROM measures WHERE item_id = ")
            .arg(item_id)
            .push(" ORDER BY position"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Milestone {
    pub id: i64,
    pub position: i64,
    pub title: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

pub async fn set_milestones(
    mut c: Conn<'_>,
    item_id: i64,
    ms: &[(String, NaiveDate, Option<NaiveDate>)],
) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("DELETE FROM milestones WHERE item_id = ").arg(item_id),
    )
    .await?;
    for (i, (title, due, done)) in ms.iter().enumerate() {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO milestones (item_id, position, title, due_on, done_on) VALUES (")
                .arg(item_id)
                .push(", ")
                .arg(i as i64)
                .push(", ")
                .arg(title.as_str())
                .push(", ")
                .arg(*due)
                .push(", ")
                .arg(*done)
                .push(")"),
        )
        .await?;
    }
    Ok(())
}

pub async fn milestones(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Milestone>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, position, title, due_on, done_on FROM milestones WHERE item_id = ")
            .arg(item_id)
            .push(" ORDER BY position"),
    )
    .await
}

/// The milestones of many items in one query, by item, each in order.
pub async fn milestones_of(
    c: Conn<'_>,
    item_ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, Vec<Milestone>>> {
    let mut out: std::collections::HashMap<i64, Vec<Milestone>> = Default::default();
    if item_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(i64, i64, i64, String, NaiveDate, Option<NaiveDate>)> = db::fetch_all(
        c,
        Sql::new("SELECT item_id, id, position, title, due_on, done_on FROM milestones WHERE item_id IN (")
            .values(item_ids.iter().map(|id| crate::sql::Arg::from(*id)))
            .push(") ORDER BY item_id, position"),
    )
    .await?;
    for (item_id, id, position, title, due_on, done_on) in rows {
        out.entry(item_id).or_default().push(Milestone {
            id,
            position,
            title,
            due_on,
            done_on,
        });
    }
    Ok(out)
}

pub async fn set_co_orgs(mut c: Conn<'_>, item_id: i64, orgs: &[i64]) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("DELETE FROM item_co_orgs WHERE item_id = ").arg(item_id),
    )
    .await?;
    for o in orgs {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO item_co_orgs (item_id, org_id) VALUES (")
                .arg(item_id)
                .push(", ")
                .arg(*o)
                .push(")"),
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CoOrg {
    pub org_id: i64,
    pub code: String,
    pub name: String,
}

pub async fn co_orgs(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<CoOrg>> {
    db::fetch_all(
        c,
        Sql::new("SELECT o.id AS org_id, o.code, o.name FROM item_co_orgs x JOIN orgs o ON o.id = x.org_id WHERE x.item_id = ").arg(item_id).push(" ORDER BY o.code"),
    )
    .await
}

/// One step of an item's lifecycle, as recorded.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub item_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub reason: String,
    pub data_json: Option<String>,
}

pub struct NewEvent<'a> {
    pub item_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub from_status: &'a str,
    pub to_status: &'a str,
    pub reason: &'a str,
    pub data_json: Option<String>,
}

/// The columns of `item_events` that a new step fills, in the order of [`event_row`].
pub const EVENT_COLUMNS: &[&str] = &[
    "item_id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "from_status",
    "to_status",
    "reason",
    "data_json",
];

fn event_row(e: &NewEvent<'_>) -> Vec<Arg> {
    vec![
        Arg::from(e.item_id),
        Arg::from(e.at),
        Arg::from(e.actor_id),
        Arg::from(e.actor_name),
        Arg::from(e.action),
        Arg::from(e.from_status),
        Arg::from(e.to_status),
        Arg::from(e.reason),
        Arg::from(e.data_json.clone()),
    ]
}

pub async fn add_event(c: Conn<'_>, e: &NewEvent<'_>) -> StoreResult<()> {
    let mut s = Sql::new("INSERT INTO item_events (");
    s.text.push_str(&EVENT_COLUMNS.join(", "));
    s.add(") VALUES (");
    db::execute(c, s.values(event_row(e)).push(")")).await?;
    Ok(())
}

pub async fn events(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Event>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, item_id, at, actor_id, actor_name, action, from_status, to_status, reason, data_json FROM item_events WHERE item_id = ")
            .arg(item_id)
            .push(" ORDER BY id"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Note {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub progress_percent: Option<i64>,
    pub text: String,
}

pub async fn add_note(
    c: Conn<'_>,
    item_id: i64,
    at: DateTime<Utc>,
    author: (Option<i64>, &str),
    progress: Option<i64>,
    text: &str,
) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO progress_notes (item_id, at, author_id, author_name, progress_percent, text) VALUES (")
        .values([Arg::from(item_id), Arg::from(at), Arg::from(author.0), Arg::from(author.1), Arg::from(progress), Arg::from(text)])
        .push(")"),
    )
    .await?;
    Ok(())
}

pub async fn notes(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Note>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, at, author_id, author_name, progress_percent, text FROM progress_notes WHERE item_id = ").arg(item_id).push(" ORDER BY id"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Revision {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub old_due_on: NaiveDate,
    pub new_due_on: NaiveDate,
    pub reason: String,
    pub requested_by: String,
    pub approved_by: String,
}

pub async fn add_revision(c: Conn<'_>, item_id: i64, r: &Revision) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO deadline_revisions (item_id, at, old_due_on, new_due_on, reason, requested_by, approved_by) VALUES (")
        .values([Arg::from(item_id), Arg::from(r.at), Arg::from(r.old_due_on), Arg::from(r.new_due_on), Arg::from(r.reason.as_str()), Arg::from(r.requested_by.as_str()), Arg::from(r.approved_by.as_str())])
        .push(")"),
    )
    .await?;
    Ok(())
}

pub async fn revisions(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Revision>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, at, old_due_on, new_due_on, reason, requested_by, approved_by FROM deadline_revisions WHERE item_id = ").arg(item_id).push(" ORDER BY id"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExtensionRequest {
    pub id: i64,
    pub requested_at: DateTime<Utc>,
    pub requested_by: String,
    pub new_due_on: NaiveDate,
    pub reason: String,
    pub status: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
}

pub async fn add_extension_request(
    c: Conn<'_>,
    item_id: i64,
    at: DateTime<Utc>,
    by: &str,
    new_due_on: NaiveDate,
    reason: &str,
) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO extension_requests (item_id, requested_at, requested_by, new_due_on, reason, status) VALUES (")
        .values([Arg::from(item_id), Arg::from(at), Arg::from(by), Arg::from(new_due_on), Arg::from(reason)])
        .push(", 'pending') RETURNING id"),
    )
    .await
}

/// Decides the pending request of an item; returns it as it was.
pub async fn decide_extension(
    mut c: Conn<'_>,
    item_id: i64,
    status: &str,
    at: DateTime<Utc>,
    by: &str,
    reason: &str,
) -> StoreResult<Option<ExtensionRequest>> {
    let pending: Option<ExtensionRequest> = db::fetch_optional(
        c.re(),
        Sql::new(
            "SELECT id, requested_at, requested_by, new_due_on, reason, status, decided_at, decided_by, decision_reason FROM extension_requests \
             WHERE status = 'pending' AND item_id = ",
        )
        .arg(item_id)
        .push(" ORDER BY id DESC LIMIT 1"),
    )
    .await?;
    if let Some(p) = &pending {
        db::execute(
            c,
            Sql::new("UPDATE extension_requests SET status = ")
                .arg(status)
                .push(", decided_at = ")
                .arg(at)
                .push(", decided_by = ")
                .arg(by)
                .push(", decision_reason = ")
                .arg(reason)
                .push(" WHERE id = ")
                .arg(p.id),
        )
        .await?;
    }
    Ok(pending)
}

pub async fn extension_requests(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<ExtensionRequest>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, requested_at, requested_by, new_due_on, reason, status, decided_at, decided_by, decision_reason FROM extension_requests WHERE item_id = ")
            .arg(item_id)
            .push(" ORDER BY id"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub item_id: i64,
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
    pub file_name: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

pub async fn add_attachment(c: Conn<'_>, a: &Attachment) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO attachments (item_id, sha256, size, content_type, file_name, uploaded_by, uploaded_at) VALUES (")
        .values([Arg::from(a.item_id), Arg::from(a.sha256.as_str()), Arg::from(a.size), Arg::from(a.content_type.as_str()), Arg::from(a.file_name.as_str()), Arg::from(a.uploaded_by.as_str()), Arg::from(a.uploaded_at)])
        .push(") RETURNING id"),
    )
    .await
}

pub async fn attachments(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Attachment>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, item_id, sha256, size, content_type, file_name, uploaded_by, uploaded_at FROM attachments WHERE item_id = ").arg(item_id).push(" ORDER BY id"),
    )
    .await
}

pub async fn attachment(c: Conn<'_>, id: i64) -> StoreResult<Option<Attachment>> {
    db::fetch_optional(c, Sql::new("SELECT id, item_id, sha256, size, content_type, file_name, uploaded_by, uploaded_at FROM attachments WHERE id = ").arg(id)).await
}

/// Every file hash some row references, for the sweep of unreferenced files.
pub async fn referenced_files(c: Conn<'_>) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> =
        db::fetch_all(c, Sql::new("SELECT DISTINCT sha256 FROM attachments")).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

// ----- roll-up counters -----

/// The counter key of an item's bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, sqlx::FromRow)]
pub struct BucketKey {
    pub kind: String,
    pub phase: String,
    pub status: String,
    pub light: String,
    pub timeliness: String,
    pub due_so_far: bool,
}

/// One counter row of an org: how many items of its subtree are in a bucket.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Counter {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub key: BucketKey,
    pub n: i64,
    pub days_to_close_sum: i64,
}

/// A change to one counter: `n` items and `days` days to close in `key`'s bucket of `org_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDelta {
    pub org_id: i64,
    pub campaign_id: i64,
    pub key: BucketKey,
    pub n: i64,
    pub days: i64,
}

impl CounterDelta {
    /// The same change in the counters of every org in `orgs` (an item's ancestors).
    pub fn for_each(
        orgs: &[i64],
        campaign_id: i64,
        key: &BucketKey,
        n: i64,
        days: i64,
    ) -> Vec<Self> {
        orgs.iter()
            .map(|org| CounterDelta {
                org_id: *org,
                campaign_id,
                key: key.clone(),
                n,
                days,
            })
            .collect()
    }
}

/// How many shards a counter is spread over on PostgreSQL (shard 0 is where they are folded).
pub const COUNTER_SHARDS: i64 = 8;

/// Adds `deltas` to the roll-up counters. Deltas to the same counter are summed first, and the
/// rows go in key order, so that two writers lock the counters they share in the same order
/// and cannot deadlock. `spread` (an item's id, say) picks the shard on PostgreSQL, where
/// writers to different shards of the province's counters do not wait for each other's COMMIT;
/// SQLite has one writer and keeps shard 0.
pub async fn bump(mut c: Conn<'_>, deltas: Vec<CounterDelta>, spread: i64) -> StoreResult<()> {
    type Key = (i64, i64, String, String, String, String, String, bool);
    let mut sum: std::collections::BTreeMap<Key, (i64, i64)> = std::collections::BTreeMap::new();
    for d in deltas {
        let k = d.key;
        let e = sum
            .entry((
                d.org_id,
                d.campaign_id,
                k.kind,
                k.phase,
                k.status,
                k.light,
                k.timeliness,
                k.due_so_far,
            ))
            .or_default();
        e.0 += d.n;
        e.1 += d.days;
    }
    let rows: Vec<(Key, (i64, i64))> = sum.into_iter().filter(|(_, v)| *v != (0, 0)).collect();
    let shard: i64 = match c.backend() {
        crate::Backend::Sqlite => 0,
        crate::Backend::Postgres => 1 + spread.rem_euclid(COUNTER_SHARDS),
    };
    // 11 values a row: well under either backend's limit on bound parameters.
    for chunk in rows.chunks(500) {
        let mut s = Sql::new("INSERT INTO rollup_counters (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard, n, days_to_close_sum) VALUES ");
        for (i, ((org, campaign, kind, phase, status, light, timeliness, due), (n, days))) in
            chunk.iter().enumerate()
        {
            if i > 0 {
                s.add(", ");
            }
            s.add("(").bind(*org).add(", ").bind(*campaign);
            for v in [kind, phase, status, light, timeliness] {
                s.add(", ").bind(v.as_str());
            }
            s.add(", ").bind(*due).add(", ").bind(shard);
            s.add(", ").bind(*n).add(", ").bind(*days).add(")");
        }
        s.add(
            " ON CONFLICT (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard) DO UPDATE SET \
             n = rollup_counters.n + excluded.n, days_to_close_sum = rollup_counters.days_to_close_sum + excluded.days_to_close_sum",
        );
        db::execute(c.re(), s).await?;
    }
    Ok(())
}

/// Moves the counters' shards 1..8 into shard 0 (PostgreSQL; SQLite writes shard 0 only), so
/// that a counter is read from a handful of rows. One statement: the shard rows are deleted
/// and their sums added in the same snapshot, and they are locked in key order, as writers
/// lock them ([`bump`] sorts by bytes, hence `COLLATE "C"` whatever the database's collation).
/// Returns how many rows were folded.
pub async fn fold_counters(c: Conn<'_>) -> StoreResult<u64> {
    if c.backend() == crate::Backend::Sqlite {
        return Ok(0);
    }
    let sql = Sql::new(
        "WITH moved AS (DELETE FROM rollup_counters \
           WHERE (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard) IN \
           (SELECT org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard \
            FROM rollup_counters WHERE shard > 0 \
            ORDER BY org_id, campaign_id, kind COLLATE \"C\", phase COLLATE \"C\", status COLLATE \"C\", \
              light COLLATE \"C\", timeliness COLLATE \"C\", due_so_far, shard FOR UPDATE) \
           RETURNING org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, n, days_to_close_sum), \
         folded AS (INSERT INTO rollup_counters \
           (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard, n, days_to_close_sum) \
           SELECT org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, 0, SUM(n), SUM(days_to_close_sum) \
           FROM moved GROUP BY org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far \
           ON CONFLICT (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard) DO UPDATE SET \
             n = rollup_counters.n + excluded.n, \
             days_to_close_sum = rollup_counters.days_to_close_sum + excluded.days_to_close_sum \
           RETURNING 1) \
         SELECT (SELECT COUNT(*) FROM moved) + 0 * (SELECT COUNT(*) FROM folded)",
    );
    Ok(db::scalar_i64(c, sql).await? as u64)
}

/// The counters of one org (its whole subtree), optionally of one campaign and kind.
pub async fn counters(
    c: Conn<'_>,
    org_id: i64,
    campaign_id: Option<i64>,
    kind: Option<&str>,
) -> StoreResult<Vec<Counter>> {
    let mut s = Sql::new(
        "SELECT kind, phase, status, light, timeliness, due_so_far, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(days_to_close_sum) AS BIGINT) AS days_to_close_sum \
         FROM rollup_counters WHERE org_id = ",
    )
    .arg(org_id);
    if let Some(cid) = campaign_id {
        s.add(" AND campaign_id = ").bind(cid);
    }
    if let Some(k) = kind {
        s.add(" AND kind = ").bind(k);
    }
    s.add(" GROUP BY kind, phase, status, light, timeliness, due_so_far HAVING SUM(n) <> 0");
    db::fetch_all(c, s).await
}

/// The counter rows of several orgs (each its subtree's figures), of one campaign or all, in
/// one query per 400 orgs.
pub async fn counters_of(
    mut c: Conn<'_>,
    org_ids: &[i64],
    campaign_id: Option<i64>,
) -> StoreResult<Vec<(i64, Counter)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        org_id: i64,
        #[sqlx(flatten)]
        counter: Counter,
    }
    let mut out = Vec::new();
    for chunk in org_ids.chunks(400) {
        let mut s = Sql::new("SELECT org_id, kind, phase, status, light, timeliness, due_so_far, n, days_to_close_sum FROM rollup_counters WHERE n <> 0");
        if let Some(cid) = campaign_id {
            s.add(" AND campaign_id = ").bind(cid);
        }
        s.add(" AND org_id IN (");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                s.add(", ");
            }
            s.bind(*id);
        }
        s.add(")");
        let rows: Vec<Row> = db::fetch_all(c.re(), s).await?;
        out.extend(rows.into_iter().map(|r| (r.org_id, r.counter)));
    }
    Ok(out)
}

/// The counters of `org_id` with the ids of the orgs that hold them, for moving a subtree's
/// totals between ancestors.
pub async fn counters_by_campaign(c: Conn<'_>, org_id: i64) -> StoreResult<Vec<(i64, Counter)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        campaign_id: i64,
        #[sqlx(flatten)]
        counter: Counter,
    }
    let rows: Vec<Row> = db::fetch_all(
        c,
        Sql::new("SELECT campaign_id, kind, phase, status, light, timeliness, due_so_far, n, days_to_close_sum FROM rollup_counters WHERE n <> 0 AND org_id = ").arg(org_id),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.campaign_id, r.counter))
        .collect())
}

/// Rewrites the lead-org paths of the items in a moved subtree (`old_path` → `new_path`).
pub async fn rewrite_paths(c: Conn<'_>, old_path: &str, new_path: &str) -> StoreResult<u64> {
    let (lo, hi) = subtree_range(old_path);
    db::execute(
        c,
        Sql::new("UPDATE items SET lead_org_path = ")
            .arg(new_path)
            .push(" || substr(lead_org_path, CAST(")
            .arg(old_path.len() as i64 + 1)
            .push(" AS INTEGER)) WHERE lead_org_path >= ")
            .arg(lo)
            .push(" AND lead_org_path < ")
            .arg(hi),
    )
    .await
}

/// Writes only the derived columns of an item (a calendar change is not an edit: the version
/// and the update time stay, so nobody's open form goes stale).
pub async fn set_derived(c: Conn<'_>, it: &Item) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE items SET light = ")
            .arg(it.light.as_str())
            .push(", timeliness = ")
            .arg(it.timeliness.as_str())
            .push(", due_so_far = ")
            .arg(it.due_so_far)
            .push(", bucket_changes_at = ")
            .arg(it.bucket_changes_at)
            .push(" WHERE id = ")
            .arg(it.id),
    )
    .await?;
    Ok(())
}

/// Sets a task's progress as derived from its subtasks (not an edit: no version change).
pub async fn set_progress(c: Conn<'_>, id: i64, progress: i64) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE items SET progress_percent = ")
            .arg(progress)
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}

/// Sets the original deadline of a draft. Only drafts: once issued, the original deadline is
/// never overwritten (later deadlines are revisions).
pub async fn set_draft_deadline(c: Conn<'_>, id: i64, due_on: NaiveDate) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE items SET original_due_on = ")
            .arg(due_on)
            .push(" WHERE status = 'draft' AND id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}

/// The text of an item an index entry weighs after its title: description, measures, the
/// person responsible.
pub fn item_body<'a>(it: &'a Item, measures: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut body: Vec<&str> = vec![it.description.as_str()];
    body.extend(measures);
    body.push(it.responsible_person.as_str());
    body
}

/// An item's index entry, `body` from [`item_body`].
pub fn item_doc<'a>(it: &'a Item, body: &'a [&'a str]) -> crate::search::Doc<'a> {
    crate::search::Doc {
        kind: "item",
        doc_id: it.id,
        campaign_id: Some(it.campaign_id),
        org_id: it.lead_org_id,
        org_path: &it.lead_org_path,
        title: &it.title,
        body,
    }
}

/// Indexes an item as stored (called by every write of its text): title, description, measures and the person responsible.
pub async fn reindex(mut c: Conn<'_>, id: i64) -> StoreResult<()> {
    let Some(row) = get(c.re(), id).await? else {
        return Ok(());
    };
    let it = &row.item;
    let measures = measures(c.re(), id).await?;
    let body = item_body(it, measures.iter().map(|m| m.text.as_str()));
    crate::search::put(c, &item_doc(it, &body), it.updated_at).await
}

#[cfg(test)]
mod tests {
    use super::{covered_roots, ItemFilter};

    fn roots(scopes: &[&str], within: Option<&str>) -> Vec<String> {
        covered_roots(&ItemFilter {
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            within: within.map(str::to_owned),
            ..Default::default()
        })
    }

    #[test]
    fn a_filter_covers_its_scopes_cut_to_within_without_nesting() {
        assert_eq!(roots(&["/1/"], None), ["/1/"]);
        assert_eq!(
            roots(&["/1/5/", "/1/5/9/", "/1/7/"], None),
            ["/1/5/", "/1/7/"]
        );
        assert_eq!(roots(&["/1/"], Some("/1/5/9/")), ["/1/5/9/"]);
        // Within an ancestor of the scopes: the scopes under it.
        assert_eq!(roots(&["/1/5/9/", "/1/7/"], Some("/1/5/")), ["/1/5/9/"]);
        // Within another subtree, or no scope at all: nothing.
        assert!(roots(&["/1/5/"], Some("/1/7/")).is_empty());
        assert!(roots(&[], None).is_empty());
        // `/1/5/` does not contain `/1/50/`.
        assert_eq!(roots(&["/1/5/", "/1/50/"], None), ["/1/5/", "/1/50/"]);
    }
}
