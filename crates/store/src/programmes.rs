//! Special programmes (专项整治): a themed rectification drive of a campaign with its areas
//! (整治内容); its measures (工作措施) are items that point at an area.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Programme {
    pub id: i64,
    pub campaign_id: i64,
    pub owner_org_id: i64,
    pub owner_org_name: String,
    pub owner_org_path: String,
    pub name: String,
    pub goal: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Area {
    pub id: i64,
    pub programme_id: i64,
    pub position: i64,
    pub name: String,
}

/// Items of one area counted by status and light.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AreaCount {
    pub area_id: i64,
    pub status: String,
    pub light: String,
    pub n: i64,
}

const SELECT: &str = "SELECT p.id, p.campaign_id, p.owner_org_id, o.name AS owner_org_name, o.path AS owner_org_path, p.name, p.goal, p.created_at \
    FROM programmes p JOIN orgs o ON o.id = p.owner_org_id ";

pub async fn create(
    mut c: Conn<'_>,
    campaign_id: i64,
    owner_org_id: i64,
    name: &str,
    goal: &str,
    areas: &[String],
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    let id = db::scalar_i64(
        c.re(),
        Sql::new(
            "INSERT INTO programmes (campaign_id, owner_org_id, name, goal, created_at) VALUES (",
        )
        .values([
            Arg::from(campaign_id),
            Arg::from(owner_org_id),
            Arg::from(name),
            Arg::from(goal),
            Arg::from(now),
        ])
        .push(") RETURNING id"),
    )
    .await?;
    for (i, a) in areas.iter().enumerate() {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO programme_areas (programme_id, position, name) VALUES (")
                .values([Arg::from(id), Arg::from(i as i64), Arg::from(a.as_str())])
                .push(")"),
        )
        .await?;
    }
    Ok(id)
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<Programme>> {
    db::fetch_optional(c, Sql::new(SELECT).push("WHERE p.id = ").arg(id)).await
}

/// Programmes owned inside `scopes`, or of campaigns that cover them (by their items' reach, the
/// caller filters further).
pub async fn list(
    c: Conn<'_>,
    scopes: &[String],
    campaign_id: Option<i64>,
) -> StoreResult<Vec<Programme>> {
    let mut s = Sql::new(SELECT);
    s.add("WHERE ");
    s.in_subtrees("o.path", scopes);
    if let Some(cid) = campaign_id {
        s.add(" AND p.campaign_id = ").bind(cid);
    }
    s.add(" ORDER BY p.id DESC LIMIT 500");
    db::fetch_all(c, s).await
}

pub async fn areas(c: Conn<'_>, programme_id: i64) -> StoreResult<Vec<Area>> {
    db::fetch_all(
        c,
        Sql::new(
            "SELECT id, programme_id, position, name FROM programme_areas WHERE programme_id = ",
        )
        .arg(programme_id)
        .push(" ORDER BY position"),
    )
    .await
}

pub async fn area(c: Conn<'_>, id: i64) -> StoreResult<Option<Area>> {
    db::fetch_optional(
        c,
        Sql::new("SELECT id, programme_id, position, name FROM programme_areas WHERE id = ")
            .arg(id),
    )
    .await
}

/// The programme's items by area, status and light, within `scopes` (what the reader may see).
pub async fn counts(
    c: Conn<'_>,
    programme_id: i64,
    scopes: &[String],
) -> StoreResult<Vec<AreaCount>> {
    let mut s = Sql::new(
        "SELECT i.programme_area_id AS area_id, i.status, i.light, COUNT(*) AS n FROM items i JOIN programme_areas a ON a.id = i.programme_area_id \
         WHERE a.programme_id = ",
    )
    .arg(programme_id);
    s.add(" AND ");
    s.in_subtrees("i.lead_org_path", scopes);
    s.add(" GROUP BY i.programme_area_id, i.status, i.light");
    db::fetch_all(c, s).await
}
