//! Login sessions. The cookie carries a random token; only its SHA-256 is stored.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::Sql;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id: String,
    pub user_id: i64,
    pub scope_org_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Opened by a password, waiting for the second factor.
    pub pending_totp: bool,
}

/// A new session; `pending_totp` while it waits for the second factor.
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<&'a str>,
    pub pending_totp: bool,
}

pub async fn create(c: Conn<'_>, n: NewSession<'_>) -> StoreResult<()> {
    let NewSession {
        id_hash,
        user_id,
        now,
        expires_at,
        ip,
        pending_totp,
    } = n;
    db::execute(
        c,
        Sql::new("INSERT INTO sessions (id, user_id, scope_org_id, created_at, last_seen_at, expires_at, ip, pending_totp) VALUES (")
            .arg(id_hash)
            .push(", ")
            .arg(user_id)
            .push(", NULL, ")
            .arg(now)
            .push(", ")
            .arg(now)
            .push(", ")
            .arg(expires_at)
            .push(", ")
            .arg(ip)
            .push(", ")
            .arg(pending_totp)
            .push(")"),
    )
    .await?;
    Ok(())
}

pub async fn get(c: Conn<'_>, id_hash: &str) -> StoreResult<Option<Session>> {
    db::fetch_optional(
        c,
        Sql::new("SELECT id, user_id, scope_org_id, created_at, last_seen_at, expires_at, pending_totp FROM sessions WHERE id = ").arg(id_hash),
    )
    .await
}

pub async fn touch(c: Conn<'_>, id_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE sessions SET last_seen_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(id_hash),
    )
    .await?;
    Ok(())
}

pub async fn set_scope(c: Conn<'_>, id_hash: &str, org_id: Option<i64>) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE sessions SET scope_org_id = ")
            .arg(org_id)
            .push(" WHERE id = ")
            .arg(id_hash),
    )
    .await?;
    Ok(())
}

pub async fn delete(c: Conn<'_>, id_hash: &str) -> StoreResult<()> {
    db::execute(c, Sql::new("DELETE FROM sessions WHERE id = ").arg(id_hash)).await?;
    Ok(())
}

/// Ends every session of an account (password reset, disabling).
pub async fn delete_for_user(c: Conn<'_>, user_id: i64) -> StoreResult<()> {
    delete_others(c, user_id, None).await
}

/// Ends every session of an account but `keep` (the one that changed the password).
pub async fn delete_others(c: Conn<'_>, user_id: i64, keep: Option<&str>) -> StoreResult<()> {
    let mut sql = Sql::new("DELETE FROM sessions WHERE user_id = ").arg(user_id);
    if let Some(keep) = keep {
        sql = sql.push(" AND id <> ").arg(keep);
    }
    db::execute(c, sql).await?;
    Ok(())
}

pub async fn delete_expired(c: Conn<'_>, now: DateTime<Utc>) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("DELETE FROM sessions WHERE expires_at < ").arg(now),
    )
    .await
}
