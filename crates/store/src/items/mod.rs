//! Supervised items (tasks and rectification items) in storage, with their measures, events,
//! notes, deadline revisions, extension requests and evidence rows, and the per-ancestor
//! roll-up counters that make a scope's figures a read of a few rows.

mod counters;
mod list;
mod parts;

pub use counters::*;
pub use list::*;
pub use parts::*;

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
