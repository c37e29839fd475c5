//! Accounts, their role bindings, and API tokens.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{contains_pattern, Sql};
use crate::{Page, Paged};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: Option<i64>,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change_password: bool,
    pub password_changed_at: DateTime<Utc>,
    pub disabled: bool,
    pub locale: String,
    /// Where e-mail reminders go; empty: none.
    pub email: String,
    /// Failed sign-ins in a row, and the end of the lock they caused (see domain::lockout).
    #[serde(skip)]
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    /// Sealed (SM4-GCM) personal data; the service opens and masks them.
    #[serde(skip)]
    pub phone_enc: Option<String>,
    #[serde(skip)]
    pub id_card_enc: Option<String>,
    /// The second factor: the sealed TOTP secret (pending until `totp_enabled_at`).
    #[serde(skip)]
    pub totp_secret_enc: Option<String>,
    pub totp_enabled_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub totp_last_step: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLS: &str =
    "u.id, u.username, u.display_name, u.org_id, u.password_hash, u.must_change_password, \
    u.password_changed_at, u.disabled, u.locale, u.email, u.failed_logins, u.locked_until, \
    u.phone_enc, u.id_card_enc, u.totp_secret_enc, u.totp_enabled_at, u.totp_last_step, u.version, \
    u.created_at, u.updated_at";

fn select() -> Sql {
    let mut s = Sql::default();
    s.add("SELECT ").add(COLS).add(" FROM users u ");
    s
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<User>> {
    db::fetch_optional(c, select().push("WHERE u.id = ").arg(id)).await
}

pub async fn get_by_username(c: Conn<'_>, username: &str) -> StoreResult<Option<User>> {
    db::fetch_optional(c, select().push("WHERE u.username = ").arg(username)).await
}

pub async fn count(c: Conn<'_>) -> StoreResult<i64> {
    db::scalar_i64(c, Sql::new("SELECT COUNT(*) FROM users")).await
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub org_id: Option<i64>,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    pub locale: &'a str,
}

pub async fn create(c: Conn<'_>, n: &NewUser<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO users (username, display_name, org_id, password_hash, must_change_password, password_changed_at, disabled, locale, version, created_at, updated_at) VALUES (")
            .arg(n.username)
            .push(", ")
            .arg(n.display_name)
            .push(", ")
            .arg(n.org_id)
            .push(", ")
            .arg(n.password_hash)
            .push(", ")
            .arg(n.must_change_password)
            .push(", ")
            .arg(now)
            .push(", ")
            .arg(false)
            .push(", ")
            .arg(n.locale)
            .push(", 1, ")
            .arg(now)
            .push(", ")
            .arg(now)
            .push(") RETURNING id"),
    )
    .await
}

/// How many earlier password hashes an account keeps (more than any policy asks to check).
const HISTORY_KEPT: i64 = 10;

/// Sets an account's password; the one it replaces goes into its history.
pub async fn set_password(
    mut c: Conn<'_>,
    id: i64,
    hash: &str,
    must_change: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("INSERT INTO password_history (user_id, password_hash, set_at) SELECT id, password_hash, password_changed_at FROM users WHERE id = ")
            .arg(id),
    )
    .await?;
    db::execute(
        c.re(),
        Sql::new("DELETE FROM password_history WHERE user_id = ")
            .arg(id)
            .push(" AND id NOT IN (SELECT id FROM password_history WHERE user_id = ")
            .arg(id)
            .push(" ORDER BY id DESC LIMIT ")
            .arg(HISTORY_KEPT)
            .push(")"),
    )
    .await?;
    db::execute(
        c,
        Sql::new("UPDATE users SET password_hash = ")
            .arg(hash)
            .push(", must_change_password = ")
            .arg(must_change)
            .push(", password_changed_at = ")
            .arg(now)
            // A new password (one's own, or set by an administrator) ends a lockout.
            .push(", failed_logins = 0, locked_until = NULL")
            .push(", version = version + 1, updated_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}

pub async fn set_disabled(
    c: Conn<'_>,
    id: i64,
    disabled: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE users SET disabled = ")
            .arg(disabled)
            .push(", version = version + 1, updated_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}

pub async fn set_email(c: Conn<'_>, id: i64, email: &str, now: DateTime<Utc>) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE users SET email = ")
            .arg(email)
            .push(", version = version + 1, updated_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}

/// Sets the sealed phone and ID-card numbers (`None` clears one).
pub async fn set_contact(
    c: Conn<'_>,
    id: i64,
    phone_enc: Option<&str>,
    id_card_enc: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE users SET phone_enc = ")
            .arg(phone_enc)
            .push(", id_card_enc = ")
            .arg(id_card_enc)
            .push(", version = version + 1, updated_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}

/// Sets the sealed TOTP secret and when it was confirmed (`None`, `None`: no second factor).
pub async fn set_totp(
    c: Conn<'_>,
    id: i64,
    secret_enc: Option<&str>,
    enabled_at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE users SET totp_secret_enc = ")
            .arg(secret_enc)
            .push(", totp_enabled_at = ")
            .arg(enabled_at)
            .push(", totp_last_step = 0, version = version + 1 WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}

/// Records the time step a code was accepted for, unless one at or after it already was: true
/// when this use is the first (a code works once, also across instances).
pub async fn use_totp_step(c: Conn<'_>, id: i64, step: i64) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE users SET totp_last_step = ")
            .arg(step)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND totp_last_step < ")
            .arg(step),
    )
    .await?;
    Ok(n == 1)
}

pub async fn set_locale(c: Conn<'_>, id: i64, locale: &str) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE users SET locale = ")
            .arg(locale)
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}

/// An account in a list, with the org it belongs to and its roles as text.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UserListRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub disabled: bool,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Subtrees the reader may see; accounts belong to the org they are in (`org_id`).
    pub scopes: Vec<String>,
    /// Whether the reader also sees accounts that belong to no org (the administrators).
    pub include_orgless: bool,
    pub q: Option<String>,
    pub include_disabled: bool,
}

fn user_where(s: &mut Sql, f: &UserFilter) {
    s.add("WHERE (");
    s.in_subtrees("o.path", &f.scopes);
    if f.include_orgless {
        s.add(" OR u.org_id IS NULL");
    }
    s.add(")");
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let pat = contains_pattern(q);
        s.add(" AND (LOWER(u.username) LIKE ")
            .bind(pat.clone())
            .add(" ESCAPE '\\' OR LOWER(u.display_name) LIKE ")
            .bind(pat)
            .add(" ESCAPE '\\')");
    }
    if !f.include_disabled {
        s.add(" AND u.disabled = ").bind(false);
    }
}

pub async fn list(c: Conn<'_>, f: &UserFilter, page: Page) -> StoreResult<Paged<UserListRow>> {
    let mut count = Sql::new("SELECT COUNT(*) FROM users u LEFT JOIN orgs o ON o.id = u.org_id ");
    user_where(&mut count, f);
    let mut s = Sql::new(
        "SELECT u.id, u.username, u.display_name, u.org_id, o.name AS org_name, u.disabled, u.must_change_password, u.created_at \
         FROM users u LEFT JOIN orgs o ON o.id = u.org_id ",
    );
    user_where(&mut s, f);
    s.add(" ORDER BY u.username");
    db::fetch_page(c, count, s, page).await
}

/// A person a picker offers: an enabled account in an org, with the org's name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PersonHit {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub org_name: String,
}

/// Enabled accounts of orgs in `scopes` (and in the subtree `within`, when given) whose
/// username or display name holds `q`: the people of `own_org` first, then by how near the
/// root their org is, then by name. One query with a limit.
pub async fn lookup(
    c: Conn<'_>,
    scopes: &[String],
    within: Option<&str>,
    own_org: Option<i64>,
    q: &str,
    limit: i64,
) -> StoreResult<Vec<PersonHit>> {
    let mut s = Sql::new(
        "SELECT u.id, u.username, u.display_name, o.id AS org_id, o.name AS org_name \
         FROM users u JOIN orgs o ON o.id = u.org_id WHERE ",
    );
    s.in_subtrees("o.path", scopes);
    if let Some(w) = within {
        let (lo, hi) = luodi_domain::org::subtree_range(w);
        s.add(" AND o.path >= ")
            .bind(lo)
            .add(" AND o.path < ")
            .bind(hi);
    }
    s.add(" AND u.disabled = ").bind(false);
    if !q.trim().is_empty() {
        let pat = contains_pattern(q);
        s.add(" AND (LOWER(u.username) LIKE ")
            .bind(pat.clone())
            .add(" ESCAPE '\\' OR LOWER(u.display_name) LIKE ")
            .bind(pat)
            .add(" ESCAPE '\\')");
    }
    s.add(" ORDER BY CASE WHEN o.id = ")
        .bind(own_org.unwrap_or(0))
        .add(" THEN 0 ELSE 1 END, o.depth, u.display_name, u.username LIMIT ")
        .bind(limit);
    db::fetch_all(c, s).await
}

/// A role binding with its org's path (`None` org = the whole tree).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BindingRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub org_id: Option<i64>,
    pub org_path: Option<String>,
    pub org_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn bindings(c: Conn<'_>, user_id: i64) -> StoreResult<Vec<BindingRow>> {
    db::fetch_all(
        c,
        Sql::new(
            "SELECT b.id, b.user_id, b.role, b.org_id, o.path AS org_path, o.name AS org_name, b.created_at \
             FROM role_bindings b LEFT JOIN orgs o ON o.id = b.org_id WHERE b.user_id = ",
        )
        .arg(user_id)
        .push(" ORDER BY b.id"),
    )
    .await
}

pub async fn get_binding(c: Conn<'_>, id: i64) -> StoreResult<Option<BindingRow>> {
    db::fetch_optional(
        c,
        Sql::new(
            "SELECT b.id, b.user_id, b.role, b.org_id, o.path AS org_path, o.name AS org_name, b.created_at \
             FROM role_bindings b LEFT JOIN orgs o ON o.id = b.org_id WHERE b.id = ",
        )
        .arg(id),
    )
    .await
}

pub async fn add_binding(
    c: Conn<'_>,
    user_id: i64,
    role: &str,
    org_id: Option<i64>,
    granted_by: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new(
            "INSERT INTO role_bindings (user_id, role, org_id, granted_by, created_at) VALUES (",
        )
        .arg(user_id)
        .push(", ")
        .arg(role)
        .push(", ")
        .arg(org_id)
        .push(", ")
        .arg(granted_by)
        .push(", ")
        .arg(now)
        .push(") RETURNING id"),
    )
    .await
}

pub async fn remove_binding(c: Conn<'_>, id: i64) -> StoreResult<u64> {
    db::execute(c, Sql::new("DELETE FROM role_bindings WHERE id = ").arg(id)).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn create_token(
    c: Conn<'_>,
    user_id: i64,
    name: &str,
    hash: &str,
    prefix: &str,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES (")
            .arg(user_id)
            .push(", ")
            .arg(name)
            .push(", ")
            .arg(hash)
            .push(", ")
            .arg(prefix)
            .push(", ")
            .arg(now)
            .push(") RETURNING id"),
    )
    .await
}

pub async fn tokens(c: Conn<'_>, user_id: i64) -> StoreResult<Vec<ApiToken>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ")
            .arg(user_id)
            .push(" ORDER BY id DESC"),
    )
    .await
}

/// The live token with this hash and its owner's id.
pub async fn token_by_hash(c: Conn<'_>, hash: &str) -> StoreResult<Option<ApiToken>> {
    db::fetch_optional(
        c,
        Sql::new("SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE token_hash = ")
            .arg(hash)
            .push(" AND revoked_at IS NULL"),
    )
    .await
}

pub async fn revoke_token(
    c: Conn<'_>,
    user_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("UPDATE api_tokens SET revoked_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND user_id = ")
            .arg(user_id)
            .push(" AND revoked_at IS NULL"),
    )
    .await
}

/// Revokes every token of an account (a password reset, disabling): enabling it again brings
/// none back.
pub async fn revoke_tokens(c: Conn<'_>, user_id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("UPDATE api_tokens SET revoked_at = ")
            .arg(now)
            .push(" WHERE user_id = ")
            .arg(user_id)
            .push(" AND revoked_at IS NULL"),
    )
    .await
}

/// The hashes of an account's last `n` passwords before the current one, newest first.
pub async fn earlier_password_hashes(c: Conn<'_>, id: i64, n: i64) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> = db::fetch_all(
        c,
        Sql::new("SELECT password_hash FROM password_history WHERE user_id = ")
            .arg(id)
            .push(" ORDER BY id DESC LIMIT ")
            .arg(n),
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Requires a new password at the account's next request (its password is too old). Not an
/// edit of the account: its version stays.
pub async fn require_password_change(c: Conn<'_>, id: i64) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE users SET must_change_password = ")
            .arg(true)
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}

/// Records an account's failed sign-ins in a row and the end of their lock. Not an edit of the
/// account: its version stays, so nobody's open form goes stale.
pub async fn set_login_state(
    c: Conn<'_>,
    id: i64,
    failed: i64,
    locked_until: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE users SET failed_logins = ")
            .arg(failed)
            .push(", locked_until = ")
            .arg(locked_until)
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}

pub async fn touch_token(c: Conn<'_>, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE api_tokens SET last_used_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}
