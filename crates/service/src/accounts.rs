//! Accounts and roles. The system administrator manages accounts and appoints the three
//! administrators; the security administrator grants the business roles; nobody grants
//! themselves anything, and no account holds two of the three administrator roles.

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::error::invalid;
use crate::secrets::{hash_password, random_password};
use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::role::{check_grant, Permission, Role, RoleConflict};
use luodi_domain::{password, sensitive, Validation};
use luodi_store::orgs::{self, Org};
use luodi_store::users::{self, UserFilter};
pub use luodi_store::users::{ApiToken, BindingRow, PersonHit, User, UserListRow};
use luodi_store::{sessions, Conn, Page, Paged, StoreError};
use serde::Serialize;

/// An account with the org it belongs to and its role bindings.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub user: User,
    pub org: Option<Org>,
    pub bindings: Vec<BindingRow>,
    /// Phone and ID-card numbers, whole or masked as the reader may see them.
    pub contact: Contact,
}

/// An account's personal data as one reader sees it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Contact {
    pub phone: Option<String>,
    pub id_card: Option<String>,
    /// True when shown masked (`139****5678`): only the person and their account managers see
    /// them whole.
    pub masked: bool,
}

const PHONE: &str = "users.phone";
const ID_CARD: &str = "users.id_card";

/// Opens an account's personal data for `actor`, masked unless it is theirs or they manage
/// the account.
fn contact_for(svc: &Services, actor: &Actor, user: &User, org: Option<&Org>) -> Contact {
    let whole = actor.is(user.id) || reaches(actor, Permission::ManageAccounts, org);
    contact(svc, user, !whole)
}

fn contact(svc: &Services, user: &User, masked: bool) -> Contact {
    let key = &svc.config.field_key;
    let phone = key.open_opt(PHONE, user.phone_enc.as_deref());
    let id_card = key.open_opt(ID_CARD, user.id_card_enc.as_deref());
    if !masked {
        return Contact {
            phone,
            id_card,
            masked,
        };
    }
    Contact {
        phone: phone.map(|p| sensitive::mask_phone(&p)),
        id_card: id_card.map(|i| sensitive::mask_id_card(&i)),
        masked,
    }
}

/// The path an account is located at, for scope checks: its org, or `/` for org-less accounts
/// (which only whole-tree scopes reach).
fn located(org: Option<&Org>) -> &str {
    org.map(|o| o.path.as_str()).unwrap_or("/")
}

fn reaches(actor: &Actor, p: Permission, org: Option<&Org>) -> bool {
    match org {
        Some(o) => actor.can(p, &o.path),
        // Org-less accounts are reached only from the whole tree.
        None => actor.scopes(p).iter().any(|s| s == "/"),
    }
}

pub(crate) async fn load(mut c: Conn<'_>, id: i64) -> ServiceResult<(User, Option<Org>)> {
    let user = users::get(c.re(), id)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    let org = match user.org_id {
        Some(oid) => orgs::get(c, oid).await?,
        None => None,
    };
    Ok((user, org))
}

/// An account the actor may see (oneself always), or "not found".
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<Account> {
    let mut c = svc.db.read().await?;
    let (user, org) = load(c.conn(), id).await?;
    if !actor.is(id) && !reaches(actor, Permission::ReadUsers, org.as_ref()) {
        return Err(ServiceError::NotFound("user"));
    }
    let bindings = users::bindings(c.conn(), id).await?;
    Ok(Account {
        contact: contact_for(svc, actor, &user, org.as_ref()),
        user,
        org,
        bindings,
    })
}

pub async fn list(
    svc: &Services,
    actor: &Actor,
    q: Option<String>,
    include_disabled: bool,
    page: Page,
) -> ServiceResult<Paged<UserListRow>> {
    if !actor.can_somewhere(Permission::ReadUsers) {
        return Err(ServiceError::Forbidden);
    }
    let scopes = actor.scopes(Permission::ReadUsers);
    let filter = UserFilter {
        include_orgless: scopes.iter().any(|s| s == "/"),
        scopes,
        q,
        include_disabled,
    };
    let mut c = svc.db.read().await?;
    Ok(users::list(c.conn(), &filter, page).await?)
}

/// People a picker offers (a responsible person, say): enabled accounts that belong to an org,
/// whose username or display name holds `q`, among those the actor may see as accounts
/// (`ReadUsers`) or may name on the items they record (`EditItems`, the same reach as
/// [`crate::items::responsible_by_username`]). With `org_id` (an org the actor may read),
/// only that org's subtree, its own people first. At most `limit` (1–50, default 20).
pub async fn lookup(
    svc: &Services,
    actor: &Actor,
    q: &str,
    org_id: Option<i64>,
    limit: Option<i64>,
) -> ServiceResult<Vec<PersonHit>> {
    let limit = limit
        .unwrap_or(crate::orgs::LOOKUP_DEFAULT)
        .clamp(1, crate::orgs::LOOKUP_MAX);
    let mut scopes = actor.scopes(Permission::ReadUsers);
    scopes.extend(actor.scopes(Permission::EditItems));
    if scopes.is_empty() {
        return Err(ServiceError::Forbidden);
    }
    let mut c = svc.db.read().await?;
    let within = match org_id {
        Some(id) => Some(crate::orgs::visible(c.conn(), actor, id).await?),
        None => None,
    };
    Ok(users::lookup(
        c.conn(),
        &scopes,
        within.as_ref().map(|o| o.path.as_str()),
        within.as_ref().map(|o| o.id),
        q.trim(),
        limit,
    )
    .await?)
}

/// A new account as entered. Without a password, a random one is generated and returned once.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub org_id: Option<i64>,
    pub password: Option<String>,
}

pub const USERNAME_MAX: usize = 32;

pub(crate) fn validate_username(v: &mut Validation, username: &str) {
    let u = username.trim();
    if u.is_empty() {
        v.add("username", "required");
    } else if u.len() < 3 || u.len() > USERNAME_MAX {
        v.add_with(
            "username",
            "bad_length",
            vec![("min", "3".into()), ("max", USERNAME_MAX.to_string())],
        );
    } else if !u
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
    {
        v.add("username", "bad_username");
    }
}

/// Creates an account; returns it and the generated password, if one was generated.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    n: NewAccount,
) -> ServiceResult<(Account, Option<String>)> {
    let mut v = Validation::new();
    validate_username(&mut v, &n.username);
    v.text("display_name", &n.display_name, 100);
    if let Some(pw) = &n.password {
        if let Err(code) = password::check(pw, n.username.trim(), svc.config.password_policy) {
            v.add("password", code);
        }
    }
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let org = match n.org_id {
        Some(oid) => {
            let o = orgs::get(tx.conn(), oid).await?;
            match o.filter(|o| actor.can(Permission::ReadOrgs, &o.path)) {
                Some(o) => Some(o),
                None => return Err(invalid("org_id", "unknown_org")),
            }
        }
        None => None,
    };
    if !reaches(actor, Permission::ManageAccounts, org.as_ref()) {
        return Err(ServiceError::Forbidden);
    }
    let (pw, generated) = match n.password {
        Some(p) => (p, None),
        None => {
            let p = random_password();
            (p.clone(), Some(p))
        }
    };
    let id = users::create(
        tx.conn(),
        &users::NewUser {
            username: n.username.trim(),
            display_name: n.display_name.trim(),
            org_id: org.as_ref().map(|o| o.id),
            password_hash: &hash_password(&pw)?,
            must_change_password: true,
            locale: "zh-CN",
        },
        svc.now(),
    )
    .await
    .map_err(|e| match e {
        StoreError::Unique(_) => invalid("username", "duplicate_username"),
        other => other.into(),
    })?;
    let (user, org) = load(tx.conn(), id).await?;
    audit::record::<(), User>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "user.create",
            object_type: "user",
            object_id: Some(id.to_string()),
            org_path: org.as_ref().map(|o| o.path.clone()),
            before: None,
            after: Some(&user),
        },
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok((
        Account {
            contact: contact_for(svc, actor, &user, org.as_ref()),
            user,
            org,
            bindings: Vec::new(),
        },
        generated,
    ))
}

/// Sets where an account's e-mail reminders go (empty: none): the person themselves, or an
/// account manager over them.
pub async fn set_email(
    svc: &Services,
    actor: &Actor,
    id: i64,
    email: &str,
) -> ServiceResult<Account> {
    let mut v = Validation::new();
    v.email("email", email);
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let (before, _) = own_or_managed(tx.conn(), actor, id).await?;
    users::set_email(tx.conn(), id, email.trim(), svc.now()).await?;
    let (user, org) = load(tx.conn(), id).await?;
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "user.set_email",
            object_type: "user",
            object_id: Some(id.to_string()),
            org_path: org.as_ref().map(|o| o.path.clone()),
            before: Some(&serde_json::json!({ "email": before.email })),
            after: Some(&serde_json::json!({ "email": user.email })),
        },
    )
    .await?;
    let bindings = users::bindings(tx.conn(), id).await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(Account {
        contact: contact_for(svc, actor, &user, org.as_ref()),
        user,
        org,
        bindings,
    })
}

/// New phone and ID-card numbers for an account (empty clears one).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ContactInput {
    pub phone: String,
    pub id_card: String,
}

/// Sets an account's phone and ID-card numbers: the person themselves, or an account manager
/// over them. Stored sealed; the audit record shows them masked.
pub async fn set_contact(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: ContactInput,
) -> ServiceResult<Account> {
    let mut v = Validation::new();
    let phone = Some(input.phone.trim())
        .filter(|p| !p.is_empty())
        .map(sensitive::check_phone)
        .transpose()
        .unwrap_or_else(|code| {
            v.add("phone", code);
            None
        });
    let id_card = Some(input.id_card.trim())
        .filter(|p| !p.is_empty())
        .map(sensitive::check_id_card)
        .transpose()
        .unwrap_or_else(|code| {
            v.add("id_card", code);
            None
        });
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let (before, _) = own_or_managed(tx.conn(), actor, id).await?;
    let key = &svc.config.field_key;
    users::set_contact(
        tx.conn(),
        id,
        phone.as_deref().map(|p| key.seal(PHONE, p)).as_deref(),
        id_card.as_deref().map(|i| key.seal(ID_CARD, i)).as_deref(),
        svc.now(),
    )
    .await?;
    let (user, org) = load(tx.conn(), id).await?;
    // The trail says what changed without keeping the numbers themselves.
    let masked = |u: &User| {
        let c = contact(svc, u, true);
        serde_json::json!({ "phone": c.phone, "id_card": c.id_card })
    };
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "user.set_contact",
            object_type: "user",
            object_id: Some(id.to_string()),
            org_path: org.as_ref().map(|o| o.path.clone()),
            before: Some(&masked(&before)),
            after: Some(&masked(&user)),
        },
    )
    .await?;
    let bindings = users::bindings(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(Account {
        contact: contact_for(svc, actor, &user, org.as_ref()),
        user,
        org,
        bindings,
    })
}

/// Loads an account for a change the person may make themselves, or an account manager over
/// them.
async fn own_or_managed(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<(User, Option<Org>)> {
    if actor.is(id) {
        return load(c, id).await;
    }
    for_change(c, actor, id, Permission::ManageAccounts).await
}

/// Loads an account for a change by the actor, with the permission the change needs.
pub(crate) async fn for_change(
    c: Conn<'_>,
    actor: &Actor,
    id: i64,
    p: Permission,
) -> ServiceResult<(User, Option<Org>)> {
    let (user, org) = load(c, id).await?;
    if !reaches(actor, Permission::ReadUsers, org.as_ref()) && !actor.is(id) {
        return Err(ServiceError::NotFound("user"));
    }
    if !reaches(actor, p, org.as_ref()) {
        return Err(ServiceError::Forbidden);
    }
    Ok((user, org))
}

pub async fn set_disabled(
    svc: &Services,
    actor: &Actor,
    id: i64,
    disabled: bool,
) -> ServiceResult<User> {
    let mut tx = svc.db.begin().await?;
    let (before, org) = for_change(tx.conn(), actor, id, Permission::ManageAccounts).await?;
    if actor.is(id) {
        return Err(ServiceError::Conflict("cannot_disable_self"));
    }
    users::set_disabled(tx.conn(), id, disabled, svc.now()).await?;
    if disabled {
        sessions::delete_for_user(tx.conn(), id).await?;
        users::revoke_tokens(tx.conn(), id, svc.now()).await?;
    }
    let (after, _) = load(tx.conn(), id).await?;
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            object_type: "user",
            object_id: Some(id.to_string()),
            org_path: Some(located(org.as_ref()).to_owned()).filter(|p| p != "/"),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(after)
}

/// Grants `role` on `org_id`'s subtree to account `user_id`. A business role's scope is always
/// chosen (`scope_required`): only the three administrators are appointed for the whole tree,
/// without an org.
pub async fn grant(
    svc: &Services,
    actor: &Actor,
    user_id: i64,
    role: &str,
    org_id: Option<i64>,
) -> ServiceResult<BindingRow> {
    let role = Role::parse(role).ok_or_else(|| invalid("role", "unknown_role"))?;
    let mut tx = svc.db.begin().await?;
    let (user, user_org) = load(tx.conn(), user_id).await?;
    if !reaches(actor, Permission::ReadUsers, user_org.as_ref()) {
        return Err(ServiceError::NotFound("user"));
    }
    let org = match org_id {
        Some(oid) => match orgs::get(tx.conn(), oid)
            .await?
            .filter(|o| actor.can(Permission::ReadOrgs, &o.path))
        {
            Some(o) => Some(o),
            None => return Err(invalid("org_id", "unknown_org")),
        },
        None => None,
    };
    if !reaches(actor, role.granted_by(), org.as_ref()) {
        return Err(ServiceError::Forbidden);
    }
    if org.is_none() && !role.is_admin() {
        return Err(invalid("org_id", "scope_required"));
    }
    let held: Vec<Role> = users::bindings(tx.conn(), user_id)
        .await?
        .iter()
        .filter_map(|b| Role::parse(&b.role))
        .collect();
    let existing = users::bindings(tx.conn(), user_id).await?;
    if existing
        .iter()
        .any(|b| b.role == role.as_str() && b.org_id == org_id)
    {
        return Err(ServiceError::Conflict("role_already_granted"));
    }
    check_grant(&held, role, actor.is(user_id)).map_err(|e| match e {
        RoleConflict::TwoAdmins => invalid("role", "two_admin_roles"),
        RoleConflict::AdminAndBusiness => invalid("role", "admin_and_business"),
        RoleConflict::SelfGrant => ServiceError::Forbidden,
    })?;
    let id = users::add_binding(
        tx.conn(),
        user_id,
        role.as_str(),
        org_id,
        actor.user_id,
        svc.now(),
    )
    .await?;
    let binding = users::get_binding(tx.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound("role"))?;
    audit::record::<(), BindingRow>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "role.grant",
            object_type: "user",
            object_id: Some(user.id.to_string()),
            org_path: org.map(|o| o.path).or(user_org.map(|o| o.path)),
            before: None,
            after: Some(&binding),
        },
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(binding)
}

pub async fn revoke(svc: &Services, actor: &Actor, binding_id: i64) -> ServiceResult<()> {
    let mut tx = svc.db.begin().await?;
    let binding = users::get_binding(tx.conn(), binding_id)
        .await?
        .ok_or(ServiceError::NotFound("role"))?;
    let (_, user_org) = load(tx.conn(), binding.user_id).await?;
    if !reaches(actor, Permission::ReadUsers, user_org.as_ref()) {
        return Err(ServiceError::NotFound("role"));
    }
    let role = Role::parse(&binding.role).ok_or(ServiceError::NotFound("role"))?;
    let scope = binding.org_path.clone().unwrap_or_else(|| "/".into());
    if !actor.can(role.granted_by(), &scope) || actor.is(binding.user_id) {
        return Err(ServiceError::Forbidden);
    }
    users::remove_binding(tx.conn(), binding_id).await?;
    audit::record::<BindingRow, ()>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "role.revoke",
            object_type: "user",
            object_id: Some(binding.user_id.to_string()),
            org_path: binding.org_path.clone().or(user_org.map(|o| o.path)),
            before: Some(&binding),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(())
}

/// For the CLI: a role binding written by the operator, with the same conflict rules.
pub async fn grant_by_code(
    svc: &Services,
    actor: &Actor,
    username: &str,
    role: &str,
    org_code: Option<&str>,
) -> ServiceResult<BindingRow> {
    let mut c = svc.db.read().await?;
    let user = users::get_by_username(c.conn(), username)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    let org_id = match org_code {
        Some(code) => Some(
            orgs::get_by_code(c.conn(), code)
                .await?
                .ok_or(ServiceError::NotFound("org"))?
                .id,
        ),
        None => None,
    };
    drop(c);
    grant(svc, actor, user.id, role, org_id).await
}

/// An account by its username, if the actor may see it.
pub async fn get_by_username(
    svc: &Services,
    actor: &Actor,
    username: &str,
) -> ServiceResult<Account> {
    let id = {
        let mut c = svc.db.read().await?;
        users::get_by_username(c.conn(), username.trim())
            .await?
            .ok_or(ServiceError::NotFound("user"))?
            .id
    };
    get(svc, actor, id).await
}
