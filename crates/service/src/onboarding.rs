//! 账号申请 (account requests): how a unit gets its people inside 三员. The campaign office asks
//! for an account for someone of its subtree, with the business role to grant on the unit; the
//! system administrator creates the account in one step (a generated one-time password, to be
//! changed at the first sign-in); the security administrator grants the requested role on the
//! unit in one step. Either may refuse with a reason. The office creates no account and grants
//! no role itself; nobody acts on a request they filed. The one-time passwords go, once, on a
//! printable sheet to the system administrator who created the accounts. Every step is audited.

use crate::audit::{self, Change};
use crate::error::invalid;
use crate::secrets::{hash_password, random_password};
use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::role::{check_grant, Permission, Role, RoleConflict};
use luodi_domain::{sensitive, Validation};
pub use luodi_store::account_requests::AccountRequest;
use luodi_store::account_requests::{self as requests, CREATED, REQUESTED};
use luodi_store::orgs::{self, Org};
use luodi_store::users;
use luodi_store::{Conn, StoreError};
use serde::Deserialize;

/// The roles an office may ask for: the business roles, never an administrator's.
pub const REQUESTABLE: [Role; 5] = [
    Role::UnitLiaison,
    Role::ResponsiblePerson,
    Role::Leader,
    Role::Supervisor,
    Role::CampaignOffice,
];

/// The column the request's phone number is sealed for.
const SEALED_PHONE: &str = "account_requests.phone";
/// The column the one-time password is sealed for, until the sheet is handed out.
const SEALED_PASSWORD: &str = "account_requests.password";
/// The column an account's phone number is sealed for (see `accounts`).
const USER_PHONE: &str = "users.phone";

/// A request as filed: the person, their unit (by id or code), and the role to grant there.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewRequest {
    pub display_name: String,
    pub org_id: Option<i64>,
    pub org_code: String,
    pub phone: String,
    pub email: String,
    pub role: String,
}

/// The permissions that let someone see requests: who asks, who creates, who grants.
const SEES: [Permission; 3] = [
    Permission::ManageOrgs,
    Permission::ManageAccounts,
    Permission::ManageRoles,
];

fn sees(actor: &Actor, r: &AccountRequest) -> bool {
    SEES.iter().any(|p| actor.can(*p, &r.org_path)) || actor.is(r.requested_by)
}

/// Whether the actor files requests: an office (managing orgs) that is not an administrator.
pub fn may_request(actor: &Actor) -> bool {
    actor.can_somewhere(Permission::ManageOrgs) && !actor.roles().iter().any(|r| r.is_admin())
}

/// Whether the actor sees the page at all.
pub fn may_list(actor: &Actor) -> bool {
    SEES.iter().any(|p| actor.can_somewhere(*p))
}

/// Whether `actor` may create the account of `r` now: a system administrator over the unit who
/// did not file it.
pub fn may_create(actor: &Actor, r: &AccountRequest) -> bool {
    r.status == REQUESTED
        && actor.can(Permission::ManageAccounts, &r.org_path)
        && !actor.is(r.requested_by)
}

/// Whether `actor` may grant the role of `r` now: a security administrator over the unit who
/// neither filed it nor is its account.
pub fn may_grant(actor: &Actor, r: &AccountRequest) -> bool {
    r.status == CREATED
        && actor.can(Permission::ManageRoles, &r.org_path)
        && !actor.is(r.requested_by)
        && r.user_id.is_none_or(|u| !actor.is(u))
}

/// Whether `actor` may collect the one-time password of `r` now.
pub fn may_collect(actor: &Actor, r: &AccountRequest) -> bool {
    r.password_enc.is_some() && r.created_by.is_some_and(|u| actor.is(u))
}

/// A username to propose for `r`: the e-mail's local part when it makes one, else the unit's
/// code and the request's number.
pub fn proposed_username(r: &AccountRequest) -> String {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-');
    let local = r
        .email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if (3..=crate::accounts::USERNAME_MAX).contains(&local.len()) && local.chars().all(ok) {
        return local;
    }
    let code: String = r
        .org_code
        .to_ascii_lowercase()
        .chars()
        .map(|c| if ok(c) { c } else { '-' })
        .take(crate::accounts::USERNAME_MAX - 8)
        .collect();
    format!("{code}-{}", r.id)
}

/// Requests the actor may see, newest first: the office its subtree's, the administrators
/// those within their scope.
pub async fn list(svc: &Services, actor: &Actor) -> ServiceResult<Vec<AccountRequest>> {
    if !may_list(actor) {
        return Err(ServiceError::Forbidden);
    }
    let mut scopes: Vec<String> = SEES.iter().flat_map(|p| actor.scopes(*p)).collect();
    scopes.sort();
    scopes.dedup();
    let mut c = svc.db.read().await?;
    Ok(requests::list(c.conn(), &scopes, &[], 200).await?)
}

/// How many requests wait on the actor: to create (the system administrator) and to grant (the
/// security administrator).
pub(crate) async fn waiting(mut c: Conn<'_>, actor: &Actor) -> ServiceResult<(i64, i64)> {
    let mut out = (0, 0);
    for (status, p) in [
        (REQUESTED, Permission::ManageAccounts),
        (CREATED, Permission::ManageRoles),
    ] {
        let scopes = actor.scopes(p);
        if scopes.is_empty() {
            continue;
        }
        // Few wait at any time: read them to leave out those the actor filed.
        let n = requests::list(c.re(), &scopes, &[status], 500)
            .await?
            .iter()
            .filter(|r| {
                if status == REQUESTED {
                    may_create(actor, r)
                } else {
                    may_grant(actor, r)
                }
            })
            .count() as i64;
        if status == REQUESTED {
            out.0 = n;
        } else {
            out.1 = n;
        }
    }
    Ok(out)
}

/// A request the actor may see, or "not found".
async fn visible(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<AccountRequest> {
    requests::get(c, id)
        .await?
        .filter(|r| sees(actor, r))
        .ok_or(ServiceError::NotFound("account_request"))
}

/// What the audit trail keeps of a request: no phone number, no password.
fn summary(r: &AccountRequest) -> serde_json::Value {
    serde_json::json!({
        "request_id": r.id, "status": r.status, "display_name": r.display_name,
        "org_id": r.org_id, "role": r.role, "user_id": r.user_id,
    })
}

async fn trail(
    svc: &Services,
    c: Conn<'_>,
    actor: &Actor,
    action: &str,
    before: Option<&AccountRequest>,
    after: &AccountRequest,
) -> ServiceResult<()> {
    audit::record(
        svc,
        c,
        actor,
        Change {
            action,
            object_type: "account_request",
            object_id: Some(after.id.to_string()),
            org_path: Some(after.org_path.clone()),
            before: before.map(summary).as_ref(),
            after: Some(&summary(after)),
        },
    )
    .await
}

async fn reload(c: Conn<'_>, id: i64) -> ServiceResult<AccountRequest> {
    requests::get(c, id)
        .await?
        .ok_or(ServiceError::NotFound("account_request"))
}

/// Files a request: an office, for a unit of its subtree, for a business role on that unit.
pub async fn request(
    svc: &Services,
    actor: &Actor,
    n: NewRequest,
) -> ServiceResult<AccountRequest> {
    let by = actor.user_id.ok_or(ServiceError::Forbidden)?;
    if !may_request(actor) {
        return Err(ServiceError::Forbidden);
    }
    let mut v = Validation::new();
    v.text("display_name", &n.display_name, 100);
    let phone = match sensitive::check_phone(n.phone.trim()) {
        Ok(p) if !n.phone.trim().is_empty() => Some(p),
        Ok(_) => {
            v.add("phone", "required");
            None
        }
        Err(code) => {
            v.add(
                "phone",
                if n.phone.trim().is_empty() {
                    "required"
                } else {
                    code
                },
            );
            None
        }
    };
    v.email("email", &n.email);
    v.max_len("email", &n.email, 200);
    let role = match Role::parse(&n.role) {
        Some(r) if REQUESTABLE.contains(&r) => Some(r),
        Some(_) => {
            v.add("role", "business_role_only");
            None
        }
        None if n.role.trim().is_empty() => {
            v.add("role", "required");
            None
        }
        None => {
            v.add("role", "unknown_role");
            None
        }
    };
    let mut tx = svc.db.begin().await?;
    let org = unit(tx.conn(), actor, &n, &mut v).await?;
    v.into_result()?;
    let (Some(org), Some(role), Some(phone)) = (org, role, phone) else {
        return Err(ServiceError::Internal(
            "a checked request lacks a field".into(),
        ));
    };
    if !actor.can(Permission::ManageOrgs, &org.path) {
        return Err(ServiceError::Forbidden);
    }
    let id = requests::create(
        tx.conn(),
        &requests::NewAccountRequest {
            org_id: org.id,
            display_name: n.display_name.trim(),
            phone_enc: &svc.config.field_key.seal(SEALED_PHONE, &phone),
            email: n.email.trim(),
            role: role.as_str(),
            requested_by: by,
        },
        svc.now(),
    )
    .await?;
    let r = reload(tx.conn(), id).await?;
    trail(svc, tx.conn(), actor, "account_request.create", None, &r).await?;
    tx.commit().await?;
    Ok(r)
}

/// The unit a request names (by id, else by code), among the orgs the actor reads; an error
/// under `org_id` otherwise.
async fn unit(
    mut c: Conn<'_>,
    actor: &Actor,
    n: &NewRequest,
    v: &mut Validation,
) -> ServiceResult<Option<Org>> {
    let org = match (n.org_id, n.org_code.trim()) {
        (Some(id), _) => orgs::get(c.re(), id).await?,
        (None, "") => {
            v.add("org_id", "required");
            return Ok(None);
        }
        (None, code) => orgs::get_by_code(c.re(), code).await?,
    };
    match org.filter(|o| actor.can(Permission::ReadOrgs, &o.path) && !o.disabled) {
        Some(o) => Ok(Some(o)),
        None => {
            v.add("org_id", "unknown_org");
            Ok(None)
        }
    }
}

/// Creates the account a filed request asks for, in one step: `username` (the proposed one
/// when empty), a generated one-time password to be changed at the first sign-in, the phone
/// and e-mail of the request. The password waits, sealed, for the sheet.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    id: i64,
    username: Option<&str>,
) -> ServiceResult<AccountRequest> {
    let by = actor.user_id.ok_or(ServiceError::Forbidden)?;
    let mut tx = svc.db.begin().await?;
    let r = visible(tx.conn(), actor, id).await?;
    if !actor.can(Permission::ManageAccounts, &r.org_path) {
        return Err(ServiceError::Forbidden);
    }
    if actor.is(r.requested_by) {
        return Err(ServiceError::Refused("own_account_request"));
    }
    if r.status != REQUESTED {
        return Err(ServiceError::Conflict("account_request_not_pending"));
    }
    let username = match username.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => u.to_owned(),
        None => proposed_username(&r),
    };
    let mut v = Validation::new();
    crate::accounts::validate_username(&mut v, &username);
    v.into_result()?;
    let key = &svc.config.field_key;
    let phone = key
        .open_opt(SEALED_PHONE, Some(&r.phone_enc))
        .ok_or_else(|| ServiceError::Internal("a request's phone does not open".into()))?;
    let pw = random_password();
    let now = svc.now();
    let user_id = users::create(
        tx.conn(),
        &users::NewUser {
            username: &username,
            display_name: &r.display_name,
            org_id: Some(r.org_id),
            password_hash: &hash_password(&pw)?,
            must_change_password: true,
            locale: "zh-CN",
        },
        now,
    )
    .await
    .map_err(|e| match e {
        StoreError::Unique(_) => invalid("username", "duplicate_username"),
        other => other.into(),
    })?;
    users::set_contact(
        tx.conn(),
        user_id,
        Some(&key.seal(USER_PHONE, &phone)),
        None,
        now,
    )
    .await?;
    if !r.email.is_empty() {
        users::set_email(tx.conn(), user_id, &r.email, now).await?;
    }
    let user = users::get(tx.conn(), user_id)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    audit::record::<(), users::User>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "user.create",
            object_type: "user",
            object_id: Some(user_id.to_string()),
            org_path: Some(r.org_path.clone()),
            before: None,
            after: Some(&user),
        },
    )
    .await?;
    let sealed = key.seal(SEALED_PASSWORD, &pw);
    if requests::mark_created(tx.conn(), id, user_id, by, now, &sealed).await? == 0 {
        return Err(ServiceError::Conflict("account_request_not_pending"));
    }
    let after = reload(tx.conn(), id).await?;
    trail(
        svc,
        tx.conn(),
        actor,
        "account_request.create_account",
        Some(&r),
        &after,
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(after)
}

/// Grants the role a created request asks for, on its unit, in one step.
pub async fn grant(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<AccountRequest> {
    let by = actor.user_id.ok_or(ServiceError::Forbidden)?;
    let mut tx = svc.db.begin().await?;
    let r = visible(tx.conn(), actor, id).await?;
    if !actor.can(Permission::ManageRoles, &r.org_path) {
        return Err(ServiceError::Forbidden);
    }
    if actor.is(r.requested_by) {
        return Err(ServiceError::Refused("own_account_request"));
    }
    let user_id = match (r.status.as_str(), r.user_id) {
        (CREATED, Some(u)) => u,
        _ => return Err(ServiceError::Conflict("account_request_not_pending")),
    };
    if actor.is(user_id) {
        return Err(ServiceError::Refused("own_account_request"));
    }
    let role = Role::parse(&r.role).ok_or_else(|| invalid("role", "unknown_role"))?;
    let held: Vec<Role> = users::bindings(tx.conn(), user_id)
        .await?
        .iter()
        .filter_map(|b| Role::parse(&b.role))
        .collect();
    check_grant(&held, role, false).map_err(|e| match e {
        RoleConflict::TwoAdmins => invalid("role", "two_admin_roles"),
        RoleConflict::AdminAndBusiness => invalid("role", "admin_and_business"),
        RoleConflict::SelfGrant => ServiceError::Forbidden,
    })?;
    let now = svc.now();
    let binding_id = users::add_binding(
        tx.conn(),
        user_id,
        role.as_str(),
        Some(r.org_id),
        Some(by),
        now,
    )
    .await?;
    let binding = users::get_binding(tx.conn(), binding_id)
        .await?
        .ok_or(ServiceError::NotFound("role"))?;
    audit::record::<(), users::BindingRow>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "role.grant",
            object_type: "user",
            object_id: Some(user_id.to_string()),
            org_path: Some(r.org_path.clone()),
            before: None,
            after: Some(&binding),
        },
    )
    .await?;
    if requests::mark_granted(tx.conn(), id, by, now).await? == 0 {
        return Err(ServiceError::Conflict("account_request_not_pending"));
    }
    let after = reload(tx.conn(), id).await?;
    trail(
        svc,
        tx.conn(),
        actor,
        "account_request.grant",
        Some(&r),
        &after,
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(after)
}

/// Refuses a request at the step it waits in, with a reason: the system administrator a filed
/// one, the security administrator a created one (its account stays, without a role).
pub async fn refuse(
    svc: &Services,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> ServiceResult<AccountRequest> {
    let by = actor.user_id.ok_or(ServiceError::Forbidden)?;
    let mut tx = svc.db.begin().await?;
    let r = visible(tx.conn(), actor, id).await?;
    let step = match r.status.as_str() {
        REQUESTED => Permission::ManageAccounts,
        CREATED => Permission::ManageRoles,
        _ => return Err(ServiceError::Conflict("account_request_not_pending")),
    };
    if !actor.can(step, &r.org_path) {
        return Err(ServiceError::Forbidden);
    }
    if actor.is(r.requested_by) || r.user_id.is_some_and(|u| actor.is(u)) {
        return Err(ServiceError::Refused("own_account_request"));
    }
    // The reason is asked for once the request is known to be the actor's to refuse.
    let mut v = Validation::new();
    v.text("reason", reason, 500);
    v.into_result()?;
    if requests::refuse(tx.conn(), id, &r.status, by, svc.now(), reason.trim()).await? == 0 {
        return Err(ServiceError::Conflict("account_request_not_pending"));
    }
    let after = reload(tx.conn(), id).await?;
    trail(
        svc,
        tx.conn(),
        actor,
        "account_request.refuse",
        Some(&r),
        &after,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// One line of the sheet of one-time passwords.
#[derive(Debug, Clone)]
pub struct SheetLine {
    pub request: AccountRequest,
    pub password: String,
}

/// Hands out the one-time passwords of the accounts the actor created for `ids`, once: all of
/// them or none.
pub async fn collect(svc: &Services, actor: &Actor, ids: &[i64]) -> ServiceResult<Vec<SheetLine>> {
    if ids.is_empty() {
        return Err(invalid("ids", "required"));
    }
    let mut tx = svc.db.begin().await?;
    let mut out = Vec::new();
    for &id in ids {
        let r = visible(tx.conn(), actor, id).await?;
        if !r.created_by.is_some_and(|u| actor.is(u)) {
            return Err(ServiceError::Refused("not_your_account_request"));
        }
        let Some(sealed) = r.password_enc.as_deref() else {
            return Err(ServiceError::Conflict("account_request_password_collected"));
        };
        let password = svc
            .config
            .field_key
            .open_opt(SEALED_PASSWORD, Some(sealed))
            .ok_or_else(|| ServiceError::Internal("a request's password does not open".into()))?;
        if requests::collect(tx.conn(), id, svc.now()).await? == 0 {
            return Err(ServiceError::Conflict("account_request_password_collected"));
        }
        let after = reload(tx.conn(), id).await?;
        trail(
            svc,
            tx.conn(),
            actor,
            "account_request.collect",
            Some(&r),
            &after,
        )
        .await?;
        out.push(SheetLine {
            request: after,
            password,
        });
    }
    tx.commit().await?;
    Ok(out)
}
