//! The group robots (DingTalk, WeCom) an org registers to receive its reminders and bulletins.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Webhook {
    pub id: i64,
    pub org_id: i64,
    pub kind: String,
    pub name: String,
    pub url: String,
    pub secret: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str =
    "SELECT id, org_id, kind, name, url, secret, enabled, created_at FROM org_webhooks ";

pub struct NewWebhook<'a> {
    pub org_id: i64,
    pub kind: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub secret: &'a str,
}

pub async fn create(c: Conn<'_>, w: &NewWebhook<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new(
            "INSERT INTO org_webhooks (org_id, kind, name, url, secret, enabled, created_at) VALUES (",
        )
        .values([
            Arg::from(w.org_id),
            Arg::from(w.kind),
            Arg::from(w.name),
            Arg::from(w.url),
            Arg::from(w.secret),
            Arg::from(true),
            Arg::from(now),
        ])
        .push(") RETURNING id"),
    )
    .await
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<Webhook>> {
    db::fetch_optional(c, Sql::new(SELECT).push("WHERE id = ").arg(id)).await
}

/// An org's robots, enabled or not.
pub async fn of_org(c: Conn<'_>, org_id: i64) -> StoreResult<Vec<Webhook>> {
    db::fetch_all(
        c,
        Sql::new(SELECT)
            .push("WHERE org_id = ")
            .arg(org_id)
            .push(" ORDER BY id"),
    )
    .await
}

pub async fn many(c: Conn<'_>, ids: &[i64]) -> StoreResult<Vec<Webhook>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut s = Sql::new(SELECT).push("WHERE id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.add(", ");
        }
        s.bind(*id);
    }
    s.add(")");
    db::fetch_all(c, s).await
}

pub async fn set_enabled(c: Conn<'_>, id: i64, enabled: bool) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE org_webhooks SET enabled = ")
            .arg(enabled)
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(n == 1)
}

pub async fn delete(c: Conn<'_>, id: i64) -> StoreResult<bool> {
    let n = db::execute(c, Sql::new("DELETE FROM org_webhooks WHERE id = ").arg(id)).await?;
    Ok(n == 1)
}
