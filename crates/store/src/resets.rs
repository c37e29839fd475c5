//! Requests to reset a credential of one of the three administrators (see the migration
//! `0025_credential_resets`): asked by one administrator, decided by another.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::Sql;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A request as listed: with the names of the account and of the people involved.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ResetRequest {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// Where the account is located (its org's path; none: an org-less account).
    pub org_path: Option<String>,
    /// `password` or `second_factor`.
    pub kind: String,
    /// `pending`, `approved` or `refused`.
    pub status: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The sealed one-time password of an approved password reset, until it is collected.
    #[serde(skip)]
    pub password_enc: Option<String>,
    pub collected_at: Option<DateTime<Utc>>,
}

fn select() -> Sql {
    Sql::new(
        "SELECT r.id, r.user_id, u.username, u.display_name, o.path AS org_path, r.kind, r.status, r.requested_by, \
         q.display_name AS requested_by_name, r.requested_at, r.decided_by, \
         d.display_name AS decided_by_name, r.decided_at, r.password_enc, r.collected_at \
         FROM credential_resets r JOIN users u ON u.id = r.user_id \
         LEFT JOIN orgs o ON o.id = u.org_id \
         JOIN users q ON q.id = r.requested_by LEFT JOIN users d ON d.id = r.decided_by ",
    )
}

pub async fn create(
    c: Conn<'_>,
    user_id: i64,
    kind: &str,
    requested_by: i64,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO credential_resets (user_id, kind, status, requested_by, requested_at) VALUES (")
            .arg(user_id)
            .push(", ")
            .arg(kind)
            .push(", 'pending', ")
            .arg(requested_by)
            .push(", ")
            .arg(now)
            .push(") RETURNING id"),
    )
    .await
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<ResetRequest>> {
    db::fetch_optional(c, select().push("WHERE r.id = ").arg(id)).await
}

/// The pending request of this kind for an account, if any.
pub async fn pending(c: Conn<'_>, user_id: i64, kind: &str) -> StoreResult<Option<ResetRequest>> {
    db::fetch_optional(
        c,
        select()
            .push("WHERE r.user_id = ")
            .arg(user_id)
            .push(" AND r.kind = ")
            .arg(kind)
            .push(" AND r.status = 'pending'"),
    )
    .await
}

/// Requests, those still pending first, then the newest: at most `limit`. Only the three
/// administrators' accounts ever have any, so the lists stay short.
pub async fn list(c: Conn<'_>, user_id: Option<i64>, limit: i64) -> StoreResult<Vec<ResetRequest>> {
    let mut sql = select();
    if let Some(u) = user_id {
        sql = sql.push("WHERE r.user_id = ").arg(u);
    }
    db::fetch_all(
        c,
        sql.push(" ORDER BY CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END, r.id DESC LIMIT ")
            .arg(limit),
    )
    .await
}

/// Decides a pending request; 0 when it was not pending any more.
pub async fn decide(
    c: Conn<'_>,
    id: i64,
    status: &str,
    decided_by: i64,
    now: DateTime<Utc>,
    password_enc: Option<&str>,
) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("UPDATE credential_resets SET status = ")
            .arg(status)
            .push(", decided_by = ")
            .arg(decided_by)
            .push(", decided_at = ")
            .arg(now)
            .push(", password_enc = ")
            .arg(password_enc)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND status = 'pending'"),
    )
    .await
}

/// Hands out an approved request's one-time password once; 0 when already collected.
pub async fn collect(c: Conn<'_>, id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("UPDATE credential_resets SET password_enc = NULL, collected_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND password_enc IS NOT NULL"),
    )
    .await
}

/// How many requests await a decision.
pub async fn count_pending(c: Conn<'_>) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("SELECT COUNT(*) FROM credential_resets WHERE status = 'pending'"),
    )
    .await
}
