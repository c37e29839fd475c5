//! Sign-in attempts: counted, locked out, audited, and as slow for an unknown name as for a known one.

use super::*;

/// One sign-in attempt, for auditing its steps.
pub(super) struct Attempt<'a> {
    pub(super) svc: &'a Services,
    pub(super) ip: Option<&'a str>,
    /// The username as typed, for an attempt on no known account.
    pub(super) name: &'a str,
}

/// The failed sign-ins under names that are no account.
pub(super) fn unknown_names(
    svc: &Services,
) -> std::sync::MutexGuard<'_, luodi_domain::lockout::UnknownNames> {
    svc.unknown_names.lock().unwrap_or_else(|e| e.into_inner())
}

/// Checks a sign-in's password against the account's hash, or a stand-in for no account;
/// counted (`luodi_password_checks_total`).
pub(super) fn verify_counted(svc: &Services, pw: &str, hash: Option<&str>) -> bool {
    svc.password_checks
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    match hash {
        Some(h) => verify_password(pw, h),
        None => verify_password(pw, stand_in_hash()),
    }
}

/// A hash of a random password, made like every account's: what a sign-in under an unknown
/// name is checked against.
pub(super) fn stand_in_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_hex(16)).unwrap_or_default())
}

impl Attempt<'_> {
    /// A step by `user` when the account is known, else by the name typed.
    pub(super) fn of<'e>(
        &'e self,
        user: Option<&'e User>,
        action: &'e str,
        org_path: Option<String>,
        outcome: &'e str,
    ) -> audit::Event<'e> {
        audit::Event {
            actor_id: user.map(|u| u.id),
            actor_name: user.map_or(self.name, |u| u.username.as_str()),
            ip: self.ip,
            action,
            object_id: user.map(|u| u.id),
            org_path,
            outcome,
        }
    }

    /// Audits a step inside the caller's transaction.
    pub(super) async fn event_in(
        &self,
        c: Conn<'_>,
        user: Option<&User>,
        action: &str,
        outcome: &str,
    ) -> ServiceResult<()> {
        audit::event_in(self.svc, c, self.of(user, action, None, outcome)).await
    }

    /// Audits a step in a transaction of its own.
    pub(super) async fn event(
        &self,
        user: Option<&User>,
        action: &str,
        org_path: Option<String>,
        outcome: &str,
    ) {
        audit::event(self.svc, self.of(user, action, org_path, outcome)).await;
    }
}

pub(super) async fn user_org_path(svc: &Services, user: &User) -> ServiceResult<Option<String>> {
    let Some(org_id) = user.org_id else {
        return Ok(None);
    };
    let mut c = svc.db.read().await?;
    Ok(luodi_store::orgs::get(c.conn(), org_id)
        .await?
        .map(|o| o.path))
}
