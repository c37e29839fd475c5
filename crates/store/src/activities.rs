//! Study activities (学习教育活动): what an org held, when, where and with how many.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use crate::{Page, Paged};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Activity {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub kind: String,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub organiser: String,
    pub participants: i64,
    pub materials: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT a.id, a.campaign_id, a.org_id, o.name AS org_name, a.org_path, a.kind, a.title, a.held_on, a.place, \
    a.organiser, a.participants, a.materials, a.created_by, a.created_at FROM activities a JOIN orgs o ON o.id = a.org_id ";

pub struct NewActivity<'a> {
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_path: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub held_on: NaiveDate,
    pub place: &'a str,
    pub organiser: &'a str,
    pub participants: i64,
    pub materials: &'a str,
    pub created_by: &'a str,
}

pub async fn create(mut c: Conn<'_>, n: &NewActivity<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
    let id = db::scalar_i64(
        c.re(),
        Sql::new("INSERT INTO activities (campaign_id, org_id, org_path, kind, title, held_on, place, organiser, participants, materials, created_by, created_at) VALUES (")
            .values([
                Arg::from(n.campaign_id),
                Arg::from(n.org_id),
                Arg::from(n.org_path),
                Arg::from(n.kind),
                Arg::from(n.title),
                Arg::from(n.held_on),
                Arg::from(n.place),
                Arg::from(n.organiser),
                Arg::from(n.participants),
                Arg::from(n.materials),
                Arg::from(n.created_by),
                Arg::from(now),
            ])
            .push(") RETURNING id"),
    )
    .await?;
    reindex(c, id).await?;
    Ok(id)
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<Activity>> {
    db::fetch_optional(c, Sql::new(SELECT).push("WHERE a.id = ").arg(id)).await
}

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub scopes: Vec<String>,
    /// Only this subtree (a path), within `scopes`.
    pub within: Option<String>,
    pub campaign_id: Option<i64>,
    pub kind: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn filter_where(s: &mut Sql, f: &ActivityFilter) {
    s.add("WHERE ");
    s.in_subtrees("a.org_path", &f.scopes);
    if let Some(w) = &f.within {
        s.add(" AND ");
        s.in_subtrees("a.org_path", std::slice::from_ref(w));
    }
    if let Some(cid) = f.campaign_id {
        s.add(" AND a.campaign_id = ").bind(cid);
    }
    if let Some(k) = &f.kind {
        s.add(" AND a.kind = ").bind(k.as_str());
    }
    if let Some(d) = f.from {
        s.add(" AND a.held_on >= ").bind(d);
    }
    if let Some(d) = f.to {
        s.add(" AND a.held_on <= ").bind(d);
    }
}

/// Activities, latest first.
pub async fn list(c: Conn<'_>, f: &ActivityFilter, page: Page) -> StoreResult<Paged<Activity>> {
    let mut count = Sql::new("SELECT COUNT(*) FROM activities a ");
    filter_where(&mut count, f);
    let mut s = Sql::new(SELECT);
    filter_where(&mut s, f);
    s.add(" ORDER BY a.held_on DESC, a.id DESC");
    db::fetch_page(c, count, s, page).await
}

/// How many activities of each kind match (no ranking of anyone: counts only).
pub async fn count_by_kind(c: Conn<'_>, f: &ActivityFilter) -> StoreResult<Vec<(String, i64)>> {
    let mut s = Sql::new("SELECT a.kind, CAST(COUNT(*) AS BIGINT) FROM activities a ");
    filter_where(&mut s, f);
    s.add(" GROUP BY a.kind ORDER BY a.kind");
    db::fetch_all(c, s).await
}

/// Indexes a study activity: its title, place, organiser and materials.
pub async fn reindex(mut c: Conn<'_>, id: i64) -> StoreResult<()> {
    let Some(a) = get(c.re(), id).await? else {
        return Ok(());
    };
    crate::search::put(
        c,
        &crate::search::Doc {
            kind: "activity",
            doc_id: id,
            campaign_id: Some(a.campaign_id),
            org_id: a.org_id,
            org_path: &a.org_path,
            title: &a.title,
            body: &[&a.materials, &a.place, &a.organiser],
        },
        a.created_at,
    )
    .await
}
