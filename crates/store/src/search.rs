//! The search index: one row per searchable record (`doc_kind`, `doc_id`) with its words
//! segmented by [`luodi_domain::search`], its owning org's path (so results are cut to the
//! reader's scope by a range) and what a result list shows. Each repository hands in its
//! records' documents ([`Doc`]) when it writes them, in the same transaction, so an edit is
//! searchable at once on every instance; this module knows no repository.
//!
//! Matching is the one place where the backends differ: SQLite's FTS5 (`MATCH`, `bm25`) and
//! PostgreSQL's `tsvector` (`@@`, `ts_rank`) over a GIN index. Both run here.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use crate::{Page, Paged};
use chrono::{DateTime, Utc};
use luodi_domain::org::subtree_range;
use luodi_domain::search::index_terms;
use serde::Serialize;

/// Longest snippet kept for a result list, in characters.
const SNIPPET_CHARS: usize = 160;

/// A record to index.
pub struct Doc<'a> {
    /// `item`, `report`, …: what the record is, and so where its page is.
    pub kind: &'a str,
    pub doc_id: i64,
    pub campaign_id: Option<i64>,
    pub org_id: i64,
    pub org_path: &'a str,
    pub title: &'a str,
    /// The rest of its text, in order of weight; the first part also gives the snippet.
    pub body: &'a [&'a str],
}

fn snippet(body: &[&str]) -> String {
    let text = body
        .iter()
        .map(|p| p.trim())
        .find(|p| !p.is_empty())
        .unwrap_or("");
    let mut s: String = text.chars().take(SNIPPET_CHARS).collect();
    if text.chars().count() > SNIPPET_CHARS {
        s.push('…');
    }
    s
}

const DOC_COLUMNS: &[&str] = &[
    "doc_kind",
    "doc_id",
    "campaign_id",
    "org_id",
    "org_path",
    "title",
    "snippet",
    "title_terms",
    "body_terms",
    "updated_at",
];

fn doc_row(d: &Doc<'_>, now: DateTime<Utc>) -> Vec<Arg> {
    // Title and text apart: a word in the title weighs more in the ranking.
    vec![
        Arg::from(d.kind),
        Arg::from(d.doc_id),
        Arg::from(d.campaign_id),
        Arg::from(d.org_id),
        Arg::from(d.org_path),
        Arg::from(d.title),
        Arg::from(snippet(d.body)),
        Arg::from(index_terms(&[d.title])),
        Arg::from(index_terms(d.body)),
        Arg::from(now),
    ]
}

/// Writes (or rewrites) the index row of a record.
pub async fn put(c: Conn<'_>, d: &Doc<'_>, now: DateTime<Utc>) -> StoreResult<()> {
    let mut s = Sql::new("INSERT INTO search_docs (");
    s.text.push_str(&DOC_COLUMNS.join(", "));
    s.add(") VALUES (");
    db::execute(
        c,
        s.values(doc_row(d, now)).push(
            ") ON CONFLICT (doc_kind, doc_id) DO UPDATE SET campaign_id = excluded.campaign_id, org_id = excluded.org_id, \
             org_path = excluded.org_path, title = excluded.title, snippet = excluded.snippet, title_terms = excluded.title_terms, \
             body_terms = excluded.body_terms, \
             updated_at = excluded.updated_at",
        ),
    )
    .await?;
    Ok(())
}

/// Indexes records that have never been indexed (just created), many rows per statement.
pub async fn insert_new(c: Conn<'_>, docs: &[(Doc<'_>, DateTime<Utc>)]) -> StoreResult<()> {
    let rows = docs.iter().map(|(d, at)| doc_row(d, *at)).collect();
    crate::bulk::insert(c, "search_docs", DOC_COLUMNS, rows).await?;
    Ok(())
}

/// Removes a record from the index.
pub async fn remove(c: Conn<'_>, kind: &str, doc_id: i64) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("DELETE FROM search_docs WHERE doc_kind = ")
            .arg(kind)
            .push(" AND doc_id = ")
            .arg(doc_id),
    )
    .await?;
    Ok(())
}

/// Rewrites the paths of a moved subtree (`old_path` → `new_path`).
pub async fn rewrite_paths(c: Conn<'_>, old_path: &str, new_path: &str) -> StoreResult<u64> {
    let (lo, hi) = subtree_range(old_path);
    db::execute(
        c,
        Sql::new("UPDATE search_docs SET org_path = ")
            .arg(new_path)
            .push(" || substr(org_path, CAST(")
            .arg(old_path.len() as i64 + 1)
            .push(" AS INTEGER)) WHERE org_path >= ")
            .arg(lo)
            .push(" AND org_path < ")
            .arg(hi),
    )
    .await
}

/// Ids of a table after `after`, a batch at a time, for rebuilding the index.
pub async fn ids_after(c: Conn<'_>, kind: &str, after: i64, batch: i64) -> StoreResult<Vec<i64>> {
    let table: &'static str = match kind {
        "report" => "SELECT id FROM reports WHERE id > ",
        "meeting" => "SELECT id FROM meetings WHERE id > ",
        "research" => "SELECT id FROM research_topics WHERE id > ",
        "activity" => "SELECT id FROM activities WHERE id > ",
        _ => "SELECT id FROM items WHERE id > ",
    };
    let rows: Vec<(i64,)> = db::fetch_all(
        c,
        Sql::new(table)
            .arg(after)
            .push(" ORDER BY id LIMIT ")
            .arg(batch),
    )
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// How many records are indexed.
pub async fn count(c: Conn<'_>) -> StoreResult<i64> {
    db::scalar_i64(c, Sql::new("SELECT COUNT(*) FROM search_docs")).await
}

/// The indexed expression of the GIN index (the query must repeat it to use the index): title
/// words weigh A, text words D.
const PG_VECTOR: &str =
    "(setweight(to_tsvector('simple', d.title_terms), 'A') || to_tsvector('simple', d.body_terms))";

/// One result.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Hit {
    pub doc_kind: String,
    pub doc_id: i64,
    pub campaign_id: Option<i64>,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub snippet: String,
    pub updated_at: DateTime<Utc>,
    /// Higher is better; comparable only within one result list.
    pub score: f64,
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Words that must all occur (from [`luodi_domain::search::query_terms`]).
    pub terms: Vec<String>,
    /// Subtrees the reader may see.
    pub scopes: Vec<String>,
    pub kind: Option<String>,
    pub campaign_id: Option<i64>,
}

fn filters(s: &mut Sql, q: &Query) {
    s.add(" AND ");
    s.in_subtrees("d.org_path", &q.scopes);
    if let Some(k) = &q.kind {
        s.add(" AND d.doc_kind = ").bind(k.as_str());
    }
    if let Some(cid) = q.campaign_id {
        s.add(" AND d.campaign_id = ").bind(cid);
    }
}

/// The records matching every word of `q` within its scopes, best first.
pub async fn find(mut c: Conn<'_>, q: &Query, page: Page) -> StoreResult<Paged<Hit>> {
    if q.terms.is_empty() {
        return Ok(Paged {
            items: Vec::new(),
            total: 0,
            page: page.page,
            per_page: page.per_page,
        });
    }
    let postgres = matches!(c, Conn::Postgres(_));
    let (mut count, mut s) = if postgres {
        let words = q.terms.join(" ");
        let mut count = Sql::new("SELECT COUNT(*) FROM search_docs d WHERE ")
            .push(PG_VECTOR)
            .push(" @@ plainto_tsquery('simple', ")
            .arg(words.as_str())
            .push(")");
        filters(&mut count, q);
        let mut s = Sql::new("SELECT d.doc_kind, d.doc_id, d.campaign_id, d.org_id, o.name AS org_name, d.title, d.snippet, d.updated_at, \
             CAST(ts_rank(")
            .push(PG_VECTOR)
            .push(", plainto_tsquery('simple', ")
            .arg(words.as_str())
            .push(")) AS DOUBLE PRECISION) AS score FROM search_docs d JOIN orgs o ON o.id = d.org_id WHERE ")
            .push(PG_VECTOR)
            .push(" @@ plainto_tsquery('simple', ")
            .arg(words.as_str())
            .push(")");
        filters(&mut s, q);
        (count, s)
    } else {
        // Each word a quoted FTS5 string: all must occur, and no word is read as an operator.
        let words = q
            .terms
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" ");
        let mut count = Sql::new("SELECT COUNT(*) FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ")
            .arg(words.as_str());
        filters(&mut count, q);
        let mut s = Sql::new("SELECT d.doc_kind, d.doc_id, d.campaign_id, d.org_id, o.name AS org_name, d.title, d.snippet, d.updated_at, \
             -bm25(search_fts, 10.0, 1.0) AS score FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid JOIN orgs o ON o.id = d.org_id \
             WHERE search_fts MATCH ")
            .arg(words.as_str());
        filters(&mut s, q);
        (count, s)
    };
    let total = db::scalar_i64(c.re(), std::mem::take(&mut count)).await?;
    s.add(" ORDER BY score DESC, d.updated_at DESC, d.id DESC");
    let items = db::fetch_all(c, s.page(page)).await?;
    Ok(Paged {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}
