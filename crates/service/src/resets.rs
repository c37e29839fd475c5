//! Resetting the credentials of the three administrators takes two people (三员): the system
//! administrator asks, a security administrator approves, and only then is the password or the
//! second factor reset. The new one-time password goes to the one who asked, once; the one who
//! approved never sees it. Neither may be the account's holder. The operator on the server
//! (`luodi user passwd`, `luodi user reset-totp`) is the other way, for when no second
//! administrator is left. Every step is audited.

use crate::accounts::{apply_password_reset, apply_totp_reset, load};
use crate::audit::{self, Change};
use crate::auth::random_password;
use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::role::Permission;
use luodi_store::orgs::Org;
use luodi_store::resets::{self, ResetRequest};
use luodi_store::users::User;
use luodi_store::Conn;

/// A reset of the password.
pub const PASSWORD: &str = "password";
/// A reset of the second factor (TOTP).
pub const SECOND_FACTOR: &str = "second_factor";
/// The column the collected one-time password is sealed for.
const SEALED_PASSWORD: &str = "credential_resets.password";

/// Records a request by `actor` (who may manage the account) to reset `kind` of `user`.
pub(crate) async fn request(
    svc: &Services,
    c: Conn<'_>,
    actor: &Actor,
    user: &User,
    org: Option<&Org>,
    kind: &'static str,
) -> ServiceResult<ResetRequest> {
    let mut c = c;
    let by = actor.user_id.ok_or(ServiceError::Forbidden)?;
    if resets::pending(c.re(), user.id, kind).await?.is_some() {
        return Err(ServiceError::Conflict("reset_already_requested"));
    }
    let id = resets::create(c.re(), user.id, kind, by, svc.now()).await?;
    audit::record::<(), serde_json::Value>(
        svc,
        c.re(),
        actor,
        Change {
            action: "reset.request",
            object_type: "user",
            object_id: Some(user.id.to_string()),
            org_path: org.map(|o| o.path.clone()),
            before: None,
            after: Some(&serde_json::json!({ "request_id": id, "kind": kind })),
        },
    )
    .await?;
    resets::get(c, id)
        .await?
        .ok_or(ServiceError::NotFound("reset"))
}

/// Whether the actor may see requests about an account located at `path` (none: org-less).
fn sees(actor: &Actor, p: Permission, path: Option<&str>) -> bool {
    match path {
        Some(path) => actor.can(p, path),
        None => actor.scopes(p).iter().any(|s| s == "/"),
    }
}

/// Requests the actor may see (those who ask and those who approve), pending first; of one
/// account when `user_id` is given.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    user_id: Option<i64>,
) -> ServiceResult<Vec<ResetRequest>> {
    if !actor.can_somewhere(Permission::ApproveResets)
        && !actor.can_somewhere(Permission::ManageAccounts)
    {
        return Err(ServiceError::Forbidden);
    }
    let mut c = svc.db.read().await?;
    Ok(resets::list(c.conn(), user_id, 200)
        .await?
        .into_iter()
        .filter(|r| {
            sees(actor, Permission::ApproveResets, r.org_path.as_deref())
                || sees(actor, Permission::ManageAccounts, r.org_path.as_deref())
        })
        .collect())
}

/// A request the actor may see, or "not found".
async fn visible(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<ResetRequest> {
    resets::get(c, id)
        .await?
        .filter(|r| {
            sees(actor, Permission::ReadUsers, r.org_path.as_deref()) || actor.is(r.requested_by)
        })
        .ok_or(ServiceError::NotFound("reset"))
}

/// Whether `actor` may approve or refuse `r` now: a security administrator over the account
/// who neither asked nor holds it, while it is pending.
pub fn may_decide(actor: &Actor, r: &ResetRequest) -> bool {
    r.status == "pending"
        && sees(actor, Permission::ApproveResets, r.org_path.as_deref())
        && !actor.is(r.requested_by)
        && !actor.is(r.user_id)
}

/// Whether `actor` may collect the one-time password of `r` now.
pub fn may_collect(actor: &Actor, r: &ResetRequest) -> bool {
    r.password_enc.is_some() && actor.is(r.requested_by)
}

/// Loads a pending request for a decision by `actor`: a security administrator over the
/// account who is neither the one who asked nor the account's holder.
async fn for_decision(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<ResetRequest> {
    let r = visible(c, actor, id).await?;
    if !sees(actor, Permission::ApproveResets, r.org_path.as_deref()) {
        return Err(ServiceError::Forbidden);
    }
    if actor.is(r.requested_by) {
        return Err(ServiceError::Refused("own_reset_request"));
    }
    if actor.is(r.user_id) {
        return Err(ServiceError::Refused("own_credentials"));
    }
    if r.status != "pending" {
        return Err(ServiceError::Conflict("reset_not_pending"));
    }
    Ok(r)
}

/// Approves a request and carries out the reset. A new one-time password waits, sealed, for
/// the one who asked.
pub async fn approve(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<ResetRequest> {
    let by = actor.user_id.ok_or(ServiceError::Forbidden)?;
    let mut tx = svc.db.begin().await?;
    let r = for_decision(tx.conn(), actor, id).await?;
    let (user, org) = load(tx.conn(), r.user_id).await?;
    let sealed = if r.kind == PASSWORD {
        let pw = random_password();
        apply_password_reset(svc, tx.conn(), actor, &user, org.as_ref(), &pw, Some(id)).await?;
        Some(svc.config.field_key.seal(SEALED_PASSWORD, &pw))
    } else {
        apply_totp_reset(svc, tx.conn(), actor, &user, org.as_ref(), Some(id)).await?;
        None
    };
    if resets::decide(tx.conn(), id, "approved", by, svc.now(), sealed.as_deref()).await? == 0 {
        return Err(ServiceError::Conflict("reset_not_pending"));
    }
    decided(svc, tx.conn(), actor, &r, org.as_ref(), "reset.approve").await?;
    let after = resets::get(tx.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound("reset"))?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(after)
}

/// Refuses a request: nothing is reset.
pub async fn refuse(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<ResetRequest> {
    let by = actor.user_id.ok_or(ServiceError::Forbidden)?;
    let mut tx = svc.db.begin().await?;
    let r = for_decision(tx.conn(), actor, id).await?;
    if resets::decide(tx.conn(), id, "refused", by, svc.now(), None).await? == 0 {
        return Err(ServiceError::Conflict("reset_not_pending"));
    }
    decided(svc, tx.conn(), actor, &r, None, "reset.refuse").await?;
    let after = resets::get(tx.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound("reset"))?;
    tx.commit().await?;
    Ok(after)
}

async fn decided(
    svc: &Services,
    c: Conn<'_>,
    actor: &Actor,
    r: &ResetRequest,
    org: Option<&Org>,
    action: &str,
) -> ServiceResult<()> {
    audit::record::<(), serde_json::Value>(
        svc,
        c,
        actor,
        Change {
            action,
            object_type: "user",
            object_id: Some(r.user_id.to_string()),
            org_path: org.map(|o| o.path.clone()).or_else(|| r.org_path.clone()),
            before: None,
            after: Some(&serde_json::json!({
                "request_id": r.id, "kind": r.kind, "requested_by": r.requested_by,
            })),
        },
    )
    .await
}

/// Hands the one-time password of an approved password reset to the one who asked, once.
pub async fn collect(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<String> {
    let mut tx = svc.db.begin().await?;
    let r = visible(tx.conn(), actor, id).await?;
    if !actor.is(r.requested_by) {
        return Err(ServiceError::Refused("not_your_reset_request"));
    }
    let Some(sealed) = r.password_enc.as_deref() else {
        return Err(ServiceError::Conflict("reset_password_collected"));
    };
    let pw = svc
        .config
        .field_key
        .open_opt(SEALED_PASSWORD, Some(sealed))
        .ok_or_else(|| ServiceError::Internal("a reset's password does not open".into()))?;
    if resets::collect(tx.conn(), id, svc.now()).await? == 0 {
        return Err(ServiceError::Conflict("reset_password_collected"));
    }
    audit::record::<(), serde_json::Value>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "reset.collect",
            object_type: "user",
            object_id: Some(r.user_id.to_string()),
            org_path: r.org_path.clone(),
            before: None,
            after: Some(&serde_json::json!({ "request_id": r.id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(pw)
}
