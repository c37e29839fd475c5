//! The organisation tree in storage. Subtrees are range scans on `path`; a move rewrites the
//! moved subtree's paths in one statement.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{contains_pattern, Sql};
use crate::{Page, Paged};
use chrono::{DateTime, Utc};
use luodi_domain::org::{child_path, depth_of, subtree_range};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Org {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub path: String,
    pub depth: i64,
    pub disabled: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An org with the number of its direct children, for tree browsing.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OrgNode {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub org: Org,
    pub child_count: i64,
}

const COLS: &str = "o.id, o.parent_id, o.code, o.name, o.kind, o.path, o.depth, o.disabled, o.version, o.created_at, o.updated_at";

fn select() -> Sql {
    let mut s = Sql::default();
    s.add("SELECT ").add(COLS).add(" FROM orgs o ");
    s
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<Org>> {
    db::fetch_optional(c, select().push("WHERE o.id = ").arg(id)).await
}

pub async fn get_by_code(c: Conn<'_>, code: &str) -> StoreResult<Option<Org>> {
    db::fetch_optional(c, select().push("WHERE o.code = ").arg(code)).await
}

/// Orgs by code, for imports: one query for the whole list.
pub async fn find_by_codes(mut c: Conn<'_>, codes: &[String]) -> StoreResult<Vec<Org>> {
    let mut out = Vec::new();
    // Chunked to stay under SQLite's bound-parameter limit.
    for chunk in codes.chunks(500) {
        let mut s = select();
        s.add("WHERE o.code IN (");
        for (i, code) in chunk.iter().enumerate() {
            if i > 0 {
                s.add(", ");
            }
            s.bind(code.as_str());
        }
        s.add(")");
        out.extend(db::fetch_all::<Org>(c.re(), s).await?);
    }
    Ok(out)
}

/// The ancestors of an org, root first (the breadcrumb), by the ids in its path.
pub async fn ancestors(c: Conn<'_>, path: &str) -> StoreResult<Vec<Org>> {
    let ids = luodi_domain::org::ancestor_ids(path);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut s = select();
    s.add("WHERE o.id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.add(", ");
        }
        s.bind(*id);
    }
    s.add(") ORDER BY o.depth");
    db::fetch_all(c, s).await
}

/// Filters for org lists. `scopes` are the subtrees the reader may see.
#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    pub scopes: Vec<String>,
    /// Only this subtree (a path), intersected with `scopes`.
    pub within: Option<String>,
    pub parent_id: Option<i64>,
    pub kind: Option<String>,
    pub q: Option<String>,
    pub include_disabled: bool,
}

fn where_clause(s: &mut Sql, f: &OrgFilter) {
    s.add("WHERE ");
    s.in_subtrees("o.path", &f.scopes);
    if let Some(w) = &f.within {
        let (lo, hi) = subtree_range(w);
        s.add(" AND o.path >= ")
            .bind(lo)
            .add(" AND o.path < ")
            .bind(hi);
    }
    if let Some(p) = f.parent_id {
        s.add(" AND o.parent_id = ").bind(p);
    }
    if let Some(k) = &f.kind {
        s.add(" AND o.kind = ").bind(k.as_str());
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let pat = contains_pattern(q);
        s.add(" AND (LOWER(o.name) LIKE ")
            .bind(pat.clone())
            .add(" ESCAPE '\\' OR LOWER(o.code) LIKE ")
            .bind(pat)
            .add(" ESCAPE '\\')");
    }
    if !f.include_disabled {
        s.add(" AND o.disabled = ").bind(false);
    }
}

pub async fn list(c: Conn<'_>, f: &OrgFilter, page: Page) -> StoreResult<Paged<OrgNode>> {
    let mut count = Sql::new("SELECT COUNT(*) FROM orgs o ");
    where_clause(&mut count, f);
    let mut s = Sql::default();
    s.add("SELECT ").add(COLS).add(
        ", (SELECT COUNT(*) FROM orgs k WHERE k.parent_id = o.id) AS child_count FROM orgs o ",
    );
    where_clause(&mut s, f);
    s.add(" ORDER BY o.path");
    db::fetch_page(c, count, s, page).await
}

/// An org found by a lookup, with its parent's name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OrgHit {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub org: Org,
    pub parent_name: Option<String>,
}

/// What a picker looks up: enabled orgs in `scopes` (and in `within`, when given) matching any
/// of `forms` (each a list of words that must all be in the org's name, its code or its
/// parent's name; see `luodi_domain::org::lookup_forms`), best first: the exact code, a code or
/// name that starts with the first word, then nearer the root and shorter names. One query
/// with a limit: the scopes bound it to a range of the path index, and the words are matched
/// by `LIKE '%…%'` over that range (no index serves a match inside a name).
pub async fn lookup(
    c: Conn<'_>,
    scopes: &[String],
    within: Option<&str>,
    forms: &[Vec<String>],
    limit: i64,
) -> StoreResult<Vec<OrgHit>> {
    let mut s = Sql::default();
    s.add("SELECT ")
        .add(COLS)
        .add(", p.name AS parent_name FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id WHERE ");
    s.in_subtrees("o.path", scopes);
    if let Some(w) = within {
        let (lo, hi) = subtree_range(w);
        s.add(" AND o.path >= ")
            .bind(lo)
            .add(" AND o.path < ")
            .bind(hi);
    }
    s.add(" AND o.disabled = ").bind(false);
    let first = forms
        .first()
        .and_then(|f| f.first())
        .cloned()
        .unwrap_or_default();
    if !forms.is_empty() {
        s.add(" AND (");
        for (i, words) in forms.iter().enumerate() {
            if i > 0 {
                s.add(" OR ");
            }
            s.add("(");
            for (j, w) in words.iter().enumerate() {
                if j > 0 {
                    s.add(" AND ");
                }
                let pat = contains_pattern(w);
                s.add("(LOWER(o.name) LIKE ")
                    .bind(pat.clone())
                    .add(" ESCAPE '\\' OR LOWER(o.code) LIKE ")
                    .bind(pat.clone())
                    .add(" ESCAPE '\\' OR LOWER(COALESCE(p.name, '')) LIKE ")
                    .bind(pat)
                    .add(" ESCAPE '\\')");
            }
            s.add(")");
        }
        s.add(")");
    }
    let starts = {
        let mut p = contains_pattern(&first);
        p.remove(0);
        p
    };
    s.add(" ORDER BY CASE WHEN LOWER(o.code) = ")
        .bind(first)
        .add(" THEN 0 WHEN LOWER(o.code) LIKE ")
        .bind(starts.clone())
        .add(" ESCAPE '\\' OR LOWER(o.name) LIKE ")
        .bind(starts)
        .add(" ESCAPE '\\' THEN 1 ELSE 2 END, o.depth, LENGTH(o.name), o.code LIMIT ")
        .bind(limit);
    db::fetch_all(c, s).await
}

/// The orgs of the given ids (names for breadcrumbs of several orgs at once).
pub async fn by_ids(c: Conn<'_>, ids: &[i64]) -> StoreResult<Vec<Org>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut s = select();
    s.add("WHERE o.id IN (");
    for (i, id) in ids.iter().take(1000).enumerate() {
        if i > 0 {
            s.add(", ");
        }
        s.bind(*id);
    }
    s.add(")");
    db::fetch_all(c, s).await
}

/// Direct children of `parent` (or the roots), each with its child count.
pub async fn children(
    c: Conn<'_>,
    parent: Option<i64>,
    include_disabled: bool,
) -> StoreResult<Vec<OrgNode>> {
    let mut s = Sql::default();
    s.add("SELECT ").add(COLS).add(", (SELECT COUNT(*) FROM orgs k WHERE k.parent_id = o.id) AS child_count FROM orgs o WHERE ");
    match parent {
        Some(p) => s.add("o.parent_id = ").bind(p),
        None => s.add("o.parent_id IS NULL"),
    };
    if !include_disabled {
        s.add(" AND o.disabled = ").bind(false);
    }
    s.add(" ORDER BY o.code LIMIT 2000");
    db::fetch_all(c, s).await
}

/// Counts of orgs by kind in a subtree.
pub async fn count_by_kind(c: Conn<'_>, scope: &str) -> StoreResult<Vec<(String, i64)>> {
    let (lo, hi) = subtree_range(scope);
    db::fetch_all(
        c,
        Sql::new("SELECT o.kind, COUNT(*) FROM orgs o WHERE o.path >= ")
            .arg(lo)
            .push(" AND o.path < ")
            .arg(hi)
            .push(" AND o.disabled = ")
            .arg(false)
            .push(" GROUP BY o.kind ORDER BY o.kind"),
    )
    .await
}

pub struct NewOrg<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub parent: Option<&'a Org>,
}

/// Inserts an org and sets its path from the id it was given.
pub async fn create(mut c: Conn<'_>, n: &NewOrg<'_>, now: DateTime<Utc>) -> StoreResult<Org> {
    let id = db::scalar_i64(
        c.re(),
        Sql::new("INSERT INTO orgs (parent_id, code, name, kind, path, depth, disabled, version, created_at, updated_at) VALUES (")
            .arg(n.parent.map(|p| p.id))
            .push(", ")
            .arg(n.code)
            .push(", ")
            .arg(n.name)
            .push(", ")
            .arg(n.kind)
            .push(", '', 0, ")
            .arg(false)
            .push(", 1, ")
            .arg(now)
            .push(", ")
            .arg(now)
            .push(") RETURNING id"),
    )
    .await?;
    let path = child_path(n.parent.map(|p| p.path.as_str()), id);
    db::execute(
        c.re(),
        Sql::new("UPDATE orgs SET path = ")
            .arg(path.as_str())
            .push(", depth = ")
            .arg(depth_of(&path))
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(Org {
        id,
        parent_id: n.parent.map(|p| p.id),
        code: n.code.to_owned(),
        name: n.name.to_owned(),
        kind: n.kind.to_owned(),
        depth: depth_of(&path),
        path,
        disabled: false,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

/// Updates name, kind and disabled flag if the stored version is `expected_version`; returns
/// whether a row was changed (false = someone else changed it first).
pub async fn update(
    c: Conn<'_>,
    org: &Org,
    expected_version: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE orgs SET name = ")
            .arg(org.name.as_str())
            .push(", kind = ")
            .arg(org.kind.as_str())
            .push(", disabled = ")
            .arg(org.disabled)
            .push(", version = version + 1, updated_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(org.id)
            .push(" AND version = ")
            .arg(expected_version),
    )
    .await?;
    Ok(n == 1)
}

/// Re-parents `org` (whose stored version must be `expected_version`) under `new_parent`,
/// rewriting the paths of its whole subtree.
pub async fn move_subtree(
    mut c: Conn<'_>,
    org: &Org,
    new_parent: Option<&Org>,
    expected_version: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let bumped = db::execute(
        c.re(),
        Sql::new("UPDATE orgs SET parent_id = ")
            .arg(new_parent.map(|p| p.id))
            .push(", version = version + 1, updated_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(org.id)
            .push(" AND version = ")
            .arg(expected_version),
    )
    .await?;
    if bumped != 1 {
        return Ok(false);
    }
    let new_path = child_path(new_parent.map(|p| p.path.as_str()), org.id);
    let delta = depth_of(&new_path) - org.depth;
    let (lo, hi) = subtree_range(&org.path);
    db::execute(
        c,
        Sql::new("UPDATE orgs SET path = ")
            .arg(new_path)
            // PostgreSQL has substr(text, integer) only; the cast is harmless on SQLite.
            .push(" || substr(path, CAST(")
            .arg(org.path.len() as i64 + 1)
            .push(" AS INTEGER)), depth = depth + ")
            .arg(delta)
            .push(" WHERE path >= ")
            .arg(lo)
            .push(" AND path < ")
            .arg(hi),
    )
    .await?;
    Ok(true)
}

/// Number of orgs in a subtree (including its root).
pub async fn subtree_size(c: Conn<'_>, path: &str) -> StoreResult<i64> {
    let (lo, hi) = subtree_range(path);
    db::scalar_i64(
        c,
        Sql::new("SELECT COUNT(*) FROM orgs WHERE path >= ")
            .arg(lo)
            .push(" AND path < ")
            .arg(hi),
    )
    .await
}

pub async fn count_all(c: Conn<'_>) -> StoreResult<i64> {
    db::scalar_i64(c, Sql::new("SELECT COUNT(*) FROM orgs")).await
}

/// Tables whose rows live at an org's place in the tree, with the column holding its path: a
/// moved subtree carries them along, so that scopes keep finding them. (The audit trail keeps
/// the path an event happened at.)
const PLACED: [(&str, &str); 14] = [
    ("reports", "org_path"),
    ("interviews", "org_path"),
    ("bulletins", "scope_org_path"),
    ("submissions", "org_path"),
    ("briefings", "org_path"),
    ("meetings", "org_path"),
    ("research_topics", "org_path"),
    ("activities", "org_path"),
    ("key_works", "org_path"),
    ("indicators", "org_path"),
    ("plan_versions", "org_path"),
    ("plan_attachments", "org_path"),
    ("group_members", "org_path"),
    ("working_bodies", "org_path"),
];

/// Rewrites the paths of every placed row of a moved subtree (`old_path` → `new_path`), a
/// statement per table.
pub async fn rewrite_placed_paths(
    mut c: Conn<'_>,
    old_path: &str,
    new_path: &str,
) -> StoreResult<u64> {
    let (lo, hi) = luodi_domain::org::subtree_range(old_path);
    let mut n = 0;
    for (table, column) in PLACED {
        let mut s = Sql::default();
        s.add("UPDATE ")
            .add(table)
            .add(" SET ")
            .add(column)
            .add(" = ")
            .bind(new_path)
            .add(" || substr(")
            .add(column)
            .add(", CAST(")
            .bind(old_path.len() as i64 + 1)
            .add(" AS INTEGER)) WHERE ")
            .add(column)
            .add(" >= ")
            .bind(lo.clone())
            .add(" AND ")
            .add(column)
            .add(" < ")
            .bind(hi.clone());
        n += db::execute(c.re(), s).await?;
    }
    Ok(n)
}
