//! Resetting the credentials of the three administrators takes two people (三员): the system
//! administrator asks, a security administrator approves, and only then is the password or the
//! second factor reset. The new one-time password goes to the one who asked, once; the one who
//! approved never sees it. Neither may be the account's holder. The operator on the server
//! (`luodi user passwd`, `luodi user reset-totp`) is the other way, for when no second
//! administrator is left. Every step is audited.

// What callers of this service see of its storage.
use crate::accounts::{for_change, load};
use crate::audit::{self, Change};
use crate::error::invalid;
use crate::secrets::{hash_password, random_password};
use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::password;
use luodi_domain::role::{Permission, Role};
use luodi_store::orgs::Org;
pub use luodi_store::resets::ResetRequest;
use luodi_store::resets::{self};
use luodi_store::users::{self, User};
use luodi_store::{sessions, Conn};

/// A reset of the password.
pub const PASSWORD: &str = "password";
/// A reset of the second factor (TOTP).
pub const SECOND_FACTOR: &str = "second_factor";
/// The column the collected one-time password is sealed for.
const SEALED_PASSWORD: &str = "credential_resets.password";

/// What a reset of a credential did: done at once (with the new one-time password of a
/// password reset), or, for one of the three administrators, asked of a second administrator
/// (see [`crate::resets`]).
#[derive(Debug, Clone)]
pub enum Reset {
    Done(Option<String>),
    Requested(Box<luodi_store::resets::ResetRequest>),
}

/// The account a reset of `kind` is for, to reset now; or, for one of the three
/// administrators (and anyone but the operator on the server), the request recorded instead.
// Lives for one statement: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Target {
    Now(User, Option<Org>),
    Requested(Box<luodi_store::resets::ResetRequest>),
}

async fn reset_target(
    svc: &Services,
    mut c: Conn<'_>,
    actor: &Actor,
    id: i64,
    kind: &'static str,
) -> ServiceResult<Target> {
    let (user, org) = for_change(c.re(), actor, id, Permission::ManageAccounts).await?;
    let admin = users::bindings(c.re(), id)
        .await?
        .iter()
        .any(|b| Role::parse(&b.role).is_some_and(Role::is_admin));
    if actor.system || !admin {
        return Ok(Target::Now(user, org));
    }
    let r = request(svc, c, actor, &user, org.as_ref(), kind).await?;
    Ok(Target::Requested(Box::new(r)))
}

/// Resets an account's second factor (its authenticator was lost): the system administrator
/// over the account, never on their own. The person sets a new one up at their next sign-in.
/// One of the three administrators' is only requested here: another administrator approves it
/// (or the operator resets it on the server).
pub async fn reset_totp(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<Reset> {
    if actor.is(id) {
        return Err(ServiceError::Refused("own_second_factor"));
    }
    let mut tx = svc.db.begin().await?;
    let (user, org) = match reset_target(svc, tx.conn(), actor, id, SECOND_FACTOR).await? {
        Target::Now(user, org) => (user, org),
        Target::Requested(r) => {
            tx.commit().await?;
            return Ok(Reset::Requested(r));
        }
    };
    apply_totp_reset(svc, tx.conn(), actor, &user, org.as_ref(), None).await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(Reset::Done(None))
}

/// Clears an account's second factor and audits it (`request`: the approved request it
/// carries out).
pub(crate) async fn apply_totp_reset(
    svc: &Services,
    c: Conn<'_>,
    actor: &Actor,
    user: &User,
    org: Option<&Org>,
    request: Option<i64>,
) -> ServiceResult<()> {
    let mut c = c;
    users::set_totp(c.re(), user.id, None, None).await?;
    audit::record(
        svc,
        c,
        actor,
        Change {
            action: "totp.reset",
            object_type: "user",
            object_id: Some(user.id.to_string()),
            org_path: org.map(|o| o.path.clone()),
            before: Some(&serde_json::json!({ "totp_enabled": user.totp_enabled_at.is_some() })),
            after: Some(&serde_json::json!({ "totp_enabled": false, "request_id": request })),
        },
    )
    .await
}

/// Sets a new password for another account (random unless given); it must be changed at the
/// next login, the account's sessions end and its API tokens are revoked. Nobody resets their
/// own (they change it, giving the current one). One of the three administrators' is only
/// requested here: another administrator approves it (or the operator resets it on the server).
pub async fn reset_password(
    svc: &Services,
    actor: &Actor,
    id: i64,
    new: Option<String>,
) -> ServiceResult<Reset> {
    if actor.is(id) {
        return Err(ServiceError::Refused("own_password"));
    }
    let mut tx = svc.db.begin().await?;
    let (user, org) = match reset_target(svc, tx.conn(), actor, id, PASSWORD).await? {
        Target::Now(user, org) => (user, org),
        Target::Requested(r) => {
            tx.commit().await?;
            return Ok(Reset::Requested(r));
        }
    };
    let pw = match new {
        Some(p) => {
            password::check(&p, &user.username, svc.config.password_policy)
                .map_err(|code| invalid("password", code))?;
            p
        }
        None => random_password(),
    };
    apply_password_reset(svc, tx.conn(), actor, &user, org.as_ref(), &pw, None).await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(Reset::Done(Some(pw)))
}

/// Sets `pw` as an account's one-time password, ends its sessions, revokes its tokens, and
/// audits it (`request`: the approved request it carries out).
pub(crate) async fn apply_password_reset(
    svc: &Services,
    c: Conn<'_>,
    actor: &Actor,
    user: &User,
    org: Option<&Org>,
    pw: &str,
    request: Option<i64>,
) -> ServiceResult<()> {
    let mut c = c;
    let now = svc.now();
    users::set_password(c.re(), user.id, &hash_password(pw)?, true, now).await?;
    sessions::delete_for_user(c.re(), user.id).await?;
    users::revoke_tokens(c.re(), user.id, now).await?;
    audit::record::<(), serde_json::Value>(
        svc,
        c,
        actor,
        Change {
            action: "user.reset_password",
            object_type: "user",
            object_id: Some(user.id.to_string()),
            org_path: org.map(|o| o.path.clone()),
            before: None,
            after: request
                .map(|r| serde_json::json!({ "request_id": r }))
                .as_ref(),
        },
    )
    .await
}

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
