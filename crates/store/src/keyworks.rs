//! Key work (重点工作) with its linked tasks, and indicators with their trajectories and weekly
//! actuals.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use crate::{Page, Paged};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct KeyWork {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub title: String,
    pub description: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT k.id, k.campaign_id, k.org_id, o.name AS org_name, k.org_path, k.title, k.description, k.created_by, \
    k.created_at FROM key_works k JOIN orgs o ON o.id = k.org_id ";

pub struct NewKeyWork<'a> {
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_path: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub created_by: &'a str,
}

pub async fn create(c: Conn<'_>, n: &NewKeyWork<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO key_works (campaign_id, org_id, org_path, title, description, created_by, created_at) VALUES (")
            .values([
                Arg::from(n.campaign_id),
                Arg::from(n.org_id),
                Arg::from(n.org_path),
                Arg::from(n.title),
                Arg::from(n.description),
                Arg::from(n.created_by),
                Arg::from(now),
            ])
            .push(") RETURNING id"),
    )
    .await
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<KeyWork>> {
    db::fetch_optional(c, Sql::new(SELECT).push("WHERE k.id = ").arg(id)).await
}

/// Key works of `scopes`, by org and title.
pub async fn list(
    c: Conn<'_>,
    scopes: &[String],
    campaign_id: Option<i64>,
    page: Page,
) -> StoreResult<Paged<KeyWork>> {
    let filter = |s: &mut Sql| {
        s.add("WHERE ");
        s.in_subtrees("k.org_path", scopes);
        if let Some(cid) = campaign_id {
            s.add(" AND k.campaign_id = ").bind(cid);
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) FROM key_works k ");
    filter(&mut count);
    let mut s = Sql::new(SELECT);
    filter(&mut s);
    s.add(" ORDER BY k.org_path, k.id");
    db::fetch_page(c, count, s, page).await
}

pub async fn link_task(c: Conn<'_>, key_work_id: i64, item_id: i64) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO key_work_tasks (key_work_id, item_id) VALUES (")
            .values([Arg::from(key_work_id), Arg::from(item_id)])
            .push(") ON CONFLICT (key_work_id, item_id) DO NOTHING"),
    )
    .await?;
    Ok(())
}

pub async fn tasks(c: Conn<'_>, key_work_id: i64) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = db::fetch_all(
        c,
        Sql::new("SELECT item_id FROM key_work_tasks WHERE key_work_id = ")
            .arg(key_work_id)
            .push(" ORDER BY item_id"),
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Indicator {
    pub id: i64,
    pub key_work_id: i64,
    pub org_path: String,
    pub name: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    pub direction: String,
    pub start_on: NaiveDate,
    pub target_on: NaiveDate,
    pub confidence: String,
    pub confidence_note: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

const INDICATOR: &str = "SELECT id, key_work_id, org_path, name, unit, baseline, target, direction, start_on, target_on, confidence, \
    confidence_note, version, created_at FROM indicators ";

pub async fn create_indicator(c: Conn<'_>, i: &Indicator) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO indicators (key_work_id, org_path, name, unit, baseline, target, direction, start_on, target_on, confidence, confidence_note, version, created_at) VALUES (")
            .values([
                Arg::from(i.key_work_id),
                Arg::from(i.org_path.as_str()),
                Arg::from(i.name.as_str()),
                Arg::from(i.unit.as_str()),
                Arg::from(i.baseline),
                Arg::from(i.target),
                Arg::from(i.direction.as_str()),
                Arg::from(i.start_on),
                Arg::from(i.target_on),
                Arg::from(i.confidence.as_str()),
                Arg::from(i.confidence_note.as_str()),
                Arg::from(1i64),
                Arg::from(i.created_at),
            ])
            .push(") RETURNING id"),
    )
    .await
}

pub async fn indicator(c: Conn<'_>, id: i64) -> StoreResult<Option<Indicator>> {
    db::fetch_optional(c, Sql::new(INDICATOR).push("WHERE id = ").arg(id)).await
}

pub async fn indicators_of(c: Conn<'_>, key_work_id: i64) -> StoreResult<Vec<Indicator>> {
    db::fetch_all(
        c,
        Sql::new(INDICATOR)
            .push("WHERE key_work_id = ")
            .arg(key_work_id)
            .push(" ORDER BY id"),
    )
    .await
}

/// Indicators of `scopes` (at most `limit`), for a dashboard.
pub async fn indicators_in(
    c: Conn<'_>,
    scopes: &[String],
    campaign_id: Option<i64>,
    limit: i64,
) -> StoreResult<Vec<Indicator>> {
    let mut s = Sql::new("SELECT i.id, i.key_work_id, i.org_path, i.name, i.unit, i.baseline, i.target, i.direction, i.start_on, \
        i.target_on, i.confidence, i.confidence_note, i.version, i.created_at FROM indicators i JOIN key_works k ON k.id = i.key_work_id WHERE ");
    s.in_subtrees("i.org_path", scopes);
    if let Some(cid) = campaign_id {
        s.add(" AND k.campaign_id = ").bind(cid);
    }
    s.add(" ORDER BY i.org_path, i.id LIMIT ").bind(limit);
    db::fetch_all(c, s).await
}

/// Sets the confidence rating if the version is `expected`; returns whether it did.
pub async fn set_confidence(
    c: Conn<'_>,
    id: i64,
    confidence: &str,
    note: &str,
    expected: i64,
) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE indicators SET confidence = ")
            .arg(confidence)
            .push(", confidence_note = ")
            .arg(note)
            .push(", version = version + 1 WHERE id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(expected),
    )
    .await?;
    Ok(n == 1)
}

/// Replaces an indicator's trajectory.
pub async fn set_plan(mut c: Conn<'_>, id: i64, plan: &[(NaiveDate, f64)]) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("DELETE FROM indicator_plan WHERE indicator_id = ").arg(id),
    )
    .await?;
    for chunk in plan.chunks(200) {
        let mut s = Sql::new("INSERT INTO indicator_plan (indicator_id, week_on, planned) VALUES ");
        for (i, (week, v)) in chunk.iter().enumerate() {
            if i > 0 {
                s.add(", ");
            }
            s.add("(")
                .bind(id)
                .add(", ")
                .bind(*week)
                .add(", ")
                .bind(*v)
                .add(")");
        }
        db::execute(c.re(), s).await?;
    }
    Ok(())
}

/// (indicator, week, value) of the trajectories or actuals of several indicators, by week.
async fn weekly(
    c: Conn<'_>,
    table: &'static str,
    ids: &[i64],
) -> StoreResult<Vec<(i64, NaiveDate, f64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut s = Sql::new(table);
    s.add(" WHERE indicator_id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.add(", ");
        }
        s.bind(*id);
    }
    s.add(") ORDER BY indicator_id, week_on");
    db::fetch_all(c, s).await
}

pub async fn plans(c: Conn<'_>, ids: &[i64]) -> StoreResult<Vec<(i64, NaiveDate, f64)>> {
    weekly(
        c,
        "SELECT indicator_id, week_on, planned FROM indicator_plan",
        ids,
    )
    .await
}

pub async fn actuals(c: Conn<'_>, ids: &[i64]) -> StoreResult<Vec<(i64, NaiveDate, f64)>> {
    weekly(
        c,
        "SELECT indicator_id, week_on, value FROM indicator_actuals",
        ids,
    )
    .await
}

/// Records the week's actual (a correction replaces it: one value per week).
pub async fn put_actual(
    c: Conn<'_>,
    id: i64,
    week: NaiveDate,
    value: f64,
    by: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO indicator_actuals (indicator_id, week_on, value, recorded_by, recorded_at) VALUES (")
            .values([
                Arg::from(id),
                Arg::from(week),
                Arg::from(value),
                Arg::from(by),
                Arg::from(now),
            ])
            .push(") ON CONFLICT (indicator_id, week_on) DO UPDATE SET value = excluded.value, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at"),
    )
    .await?;
    Ok(())
}
