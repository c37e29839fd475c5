//! Account requests (账号申请, see the migration `0029_account_requests`): the campaign office
//! asks, the system administrator creates the account, the security administrator grants the
//! role. Each step moves the status on only from the step before it, so two administrators
//! acting at once cannot both succeed.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::Sql;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Filed, waiting for the system administrator.
pub const REQUESTED: &str = "requested";
/// The account exists, waiting for the security administrator.
pub const CREATED: &str = "created";
/// The role is granted: done.
pub const GRANTED: &str = "granted";
/// Refused at one of the steps, with a reason.
pub const REFUSED: &str = "refused";

/// A request as listed: with its unit and the names of the people involved.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AccountRequest {
    pub id: i64,
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub org_path: String,
    pub display_name: String,
    /// The sealed phone number.
    #[serde(skip)]
    pub phone_enc: String,
    pub email: String,
    /// The business role to grant on the unit.
    pub role: String,
    /// `requested`, `created`, `granted` or `refused`.
    pub status: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    /// The account created for it.
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub granted_by: Option<i64>,
    pub granted_by_name: Option<String>,
    pub granted_at: Option<DateTime<Utc>>,
    pub refused_by: Option<i64>,
    pub refused_by_name: Option<String>,
    pub refused_at: Option<DateTime<Utc>>,
    pub refusal_reason: String,
    /// The sealed one-time password of the created account, until the sheet is handed out.
    #[serde(skip)]
    pub password_enc: Option<String>,
    pub collected_at: Option<DateTime<Utc>>,
    pub version: i64,
}

fn select() -> Sql {
    Sql::new(
        "SELECT r.id, r.org_id, o.code AS org_code, o.name AS org_name, o.path AS org_path, \
         r.display_name, r.phone_enc, r.email, r.role, r.status, r.requested_by, \
         q.display_name AS requested_by_name, r.requested_at, r.user_id, u.username, \
         r.created_by, c.display_name AS created_by_name, r.created_at, \
         r.granted_by, g.display_name AS granted_by_name, r.granted_at, \
         r.refused_by, f.display_name AS refused_by_name, r.refused_at, r.refusal_reason, \
         r.password_enc, r.collected_at, r.version \
         FROM account_requests r JOIN orgs o ON o.id = r.org_id \
         JOIN users q ON q.id = r.requested_by LEFT JOIN users u ON u.id = r.user_id \
         LEFT JOIN users c ON c.id = r.created_by LEFT JOIN users g ON g.id = r.granted_by \
         LEFT JOIN users f ON f.id = r.refused_by ",
    )
}

/// A request as filed.
#[derive(Debug, Clone)]
pub struct NewAccountRequest<'a> {
    pub org_id: i64,
    pub display_name: &'a str,
    pub phone_enc: &'a str,
    pub email: &'a str,
    pub role: &'a str,
    pub requested_by: i64,
}

pub async fn create(
    c: Conn<'_>,
    n: &NewAccountRequest<'_>,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new(
            "INSERT INTO account_requests (org_id, display_name, phone_enc, email, role, status, \
             requested_by, requested_at) VALUES (",
        )
        .arg(n.org_id)
        .push(", ")
        .arg(n.display_name)
        .push(", ")
        .arg(n.phone_enc)
        .push(", ")
        .arg(n.email)
        .push(", ")
        .arg(n.role)
        .push(", ")
        .arg(REQUESTED)
        .push(", ")
        .arg(n.requested_by)
        .push(", ")
        .arg(now)
        .push(") RETURNING id"),
    )
    .await
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<AccountRequest>> {
    db::fetch_optional(c, select().push("WHERE r.id = ").arg(id)).await
}

/// Requests of units within `scopes`, in `statuses` (all when empty), newest first: at most
/// `limit`.
pub async fn list(
    c: Conn<'_>,
    scopes: &[String],
    statuses: &[&str],
    limit: i64,
) -> StoreResult<Vec<AccountRequest>> {
    let mut s = select();
    s.add("WHERE ");
    s.in_subtrees("o.path", scopes);
    if !statuses.is_empty() {
        s.add(" AND r.status IN (");
        for (i, st) in statuses.iter().enumerate() {
            if i > 0 {
                s.add(", ");
            }
            s.bind(*st);
        }
        s.add(")");
    }
    s.add(" ORDER BY r.id DESC LIMIT ").bind(limit);
    db::fetch_all(c, s).await
}

/// How many requests of units within `scopes` are in `status`.
pub async fn count(c: Conn<'_>, scopes: &[String], status: &str) -> StoreResult<i64> {
    let mut s = Sql::new(
        "SELECT COUNT(*) FROM account_requests r JOIN orgs o ON o.id = r.org_id WHERE r.status = ",
    );
    s.bind(status).add(" AND ");
    s.in_subtrees("o.path", scopes);
    db::scalar_i64(c, s).await
}

/// Records the account created for a filed request; 0 when it was not waiting for that.
pub async fn mark_created(
    c: Conn<'_>,
    id: i64,
    user_id: i64,
    by: i64,
    now: DateTime<Utc>,
    password_enc: &str,
) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("UPDATE account_requests SET status = ")
            .arg(CREATED)
            .push(", user_id = ")
            .arg(user_id)
            .push(", created_by = ")
            .arg(by)
            .push(", created_at = ")
            .arg(now)
            .push(", password_enc = ")
            .arg(password_enc)
            .push(", version = version + 1 WHERE id = ")
            .arg(id)
            .push(" AND status = ")
            .arg(REQUESTED),
    )
    .await
}

/// Records the role granted for a created request; 0 when it was not waiting for that.
pub async fn mark_granted(c: Conn<'_>, id: i64, by: i64, now: DateTime<Utc>) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("UPDATE account_requests SET status = ")
            .arg(GRANTED)
            .push(", granted_by = ")
            .arg(by)
            .push(", granted_at = ")
            .arg(now)
            .push(", version = version + 1 WHERE id = ")
            .arg(id)
            .push(" AND status = ")
            .arg(CREATED),
    )
    .await
}

/// Refuses a request waiting in `from`; 0 when it was not.
pub async fn refuse(
    c: Conn<'_>,
    id: i64,
    from: &str,
    by: i64,
    now: DateTime<Utc>,
    reason: &str,
) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("UPDATE account_requests SET status = ")
            .arg(REFUSED)
            .push(", refused_by = ")
            .arg(by)
            .push(", refused_at = ")
            .arg(now)
            .push(", refusal_reason = ")
            .arg(reason)
            .push(", version = version + 1 WHERE id = ")
            .arg(id)
            .push(" AND status = ")
            .arg(from),
    )
    .await
}

/// Hands out a created account's one-time password once; 0 when already handed out.
pub async fn collect(c: Conn<'_>, id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("UPDATE account_requests SET password_enc = NULL, collected_at = ")
            .arg(now)
            .push(", version = version + 1 WHERE id = ")
            .arg(id)
            .push(" AND password_enc IS NOT NULL"),
    )
    .await
}
