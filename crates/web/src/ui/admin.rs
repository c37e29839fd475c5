//! Accounts and roles: the account list, a new account, an account's page with its role
//! bindings, and the one-time password pages.

use super::{fmt_time, pager_info, render_status, see_other, see_refused, FormErrors};
use super::{opt_id, query_base, render, Ctx, ListQuery, Pager};
use crate::auth::{lang_of, Signed};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use luodi_domain::role::{Permission, Role};
use luodi_service::accounts::{self as accounts_svc, NewAccount};
use luodi_service::auth::SignedIn;
use luodi_service::orgs as orgs_svc;
use luodi_service::orgs::Org;
use luodi_service::{Actor, ServiceError};
use serde::Deserialize;

// --- Form helpers ----------------------------------------------------------------------------

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    pub username: String,
    pub display_name: String,
    pub org_code: String,
    pub password: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    pub role: String,
    pub org_code: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    pub user_id: String,
}

/// Whether the actor may do `p` to an account that belongs to `org` (no org: whole tree only).
fn reaches(actor: &Actor, p: Permission, org: Option<&Org>) -> bool {
    match org {
        Some(o) => actor.can(p, &o.path),
        None => actor.scopes(p).iter().any(|s| s == "/"),
    }
}

/// Resolves an optional org code: `Ok(None)` when empty; an unknown code is a field error.
async fn org_by_code(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    code: &str,
    field: &str,
    errors: &mut FormErrors,
) -> Result<Option<i64>, ApiError> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    match orgs_svc::get_by_code(&state.svc, actor, code).await {
        Ok(o) => Ok(Some(o.id)),
        Err(ServiceError::NotFound(_)) => {
            errors.add(
                &state.i18n,
                lang,
                field,
                "unknown_org",
                &[("value", code.to_owned())],
            );
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// The roles the actor can grant somewhere, with their labels.
fn grantable_roles(ctx: &Ctx, actor: &Actor) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .filter(|r| actor.can_somewhere(r.granted_by()))
        .map(|r| (r.as_str().to_owned(), ctx.role(r.as_str())))
        .collect()
}

// ---------------------------------------------------------------------------------------------

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_page).post(create))
        .route("/admin/users/new", get(new_page))
        .route("/admin/users/{id}", get(show))
        .route("/admin/users/{id}/roles", post(grant))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
        .route("/admin/users/{id}/reset-password", post(reset_password))
        .route("/admin/users/{id}/email", post(set_email))
        .route("/admin/users/{id}/contact", post(set_contact))
        .route("/admin/users/{id}/totp/reset", post(reset_totp))
        .route("/admin/roles/{binding_id}/revoke", post(revoke))
}

async fn users_ctx(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    title_key: &str,
) -> Result<Ctx, ApiError> {
    let ctx = Ctx::signed(state, headers, signed, "users", title_key).await?;
    let title = ctx.t("users-title");
    Ok(ctx.crumb(title, "/admin/users"))
}

// --- The list --------------------------------------------------------------------------------

struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    org_id: Option<i64>,
    org_name: String,
    disabled: bool,
    must_change_password: bool,
    created_at: String,
}

#[derive(Template)]
#[template(path = "users_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<UserRow>,
    q: String,
    disabled: bool,
    pager: Pager,
    pager_info: String,
    can_create: bool,
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let text = q.q.clone().unwrap_or_default();
    let disabled = q.disabled.as_deref().is_some_and(|d| !d.is_empty());
    let filter = Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let per_page = q.per_page.map(|p| p.to_string());
    let list = accounts_svc::list(&state.svc, actor, filter, disabled, q.page()).await?;
    let mut ctx = users_ctx(&state, &headers, &signed, "users-title")
        .await?
        .with_flash(q.ok.as_deref());
    ctx.back = "/admin/users".into();
    let base = query_base(
        "/admin/users",
        &[
            ("q", Some(&text)),
            ("disabled", disabled.then_some("1")),
            ("per_page", per_page.as_deref()),
        ],
    );
    let pager = Pager::new(list.total, list.page, list.per_page, &base);
    let rows = list
        .items
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            org_id: u.org_id,
            org_name: u.org_name.unwrap_or_default(),
            disabled: u.disabled,
            must_change_password: u.must_change_password,
            created_at: fmt_time(&u.created_at),
        })
        .collect();
    let page = ListPage {
        rows,
        q: text,
        disabled,
        pager_info: pager_info(&ctx, &pager),
        pager,
        can_create: actor.can_somewhere(Permission::ManageAccounts),
        ctx,
    };
    Ok(render(&page))
}

// --- A new account ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "users_new.html")]
struct NewPage {
    ctx: Ctx,
    form: NewUserForm,
    errors: FormErrors,
}

async fn new_form(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    form: Option<NewUserForm>,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    if !signed.actor.can_somewhere(Permission::ManageAccounts) {
        return Err(ServiceError::Forbidden.into());
    }
    let mut ctx = users_ctx(state, headers, signed, "users-new").await?;
    ctx.back = "/admin/users/new".into();
    let title = ctx.t("users-new");
    let ctx = ctx.crumb(title, "");
    // A new account belongs, by default, to the org the user stands in.
    let form = form.unwrap_or_else(|| NewUserForm {
        org_code: ctx
            .scope
            .as_ref()
            .map(|s| s.code.clone())
            .unwrap_or_default(),
        ..Default::default()
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(status, &NewPage { ctx, form, errors }))
}

async fn new_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    new_form(&state, &headers, &signed, None, FormErrors::default()).await
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<NewUserForm>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    let org_id = org_by_code(
        &state,
        &signed.actor,
        lang,
        &form.org_code,
        "org_code",
        &mut errors,
    )
    .await?;
    {
        // An unknown org code is sent as id 0, which no org has: the service checks the other
        // fields and then refuses it, so the form can say everything that is wrong at once.
        let org_id = if errors.has("org_code") {
            Some(0)
        } else {
            org_id
        };
        let input = NewAccount {
            username: form.username.clone(),
            display_name: form.display_name.clone(),
            org_id,
            password: Some(form.password.clone()).filter(|p| !p.is_empty()),
        };
        match accounts_svc::create(&state.svc, &signed.actor, input).await {
            Ok((account, generated)) => {
                let mut ctx = users_ctx(&state, &headers, &signed, "users-created").await?;
                let title = ctx.t("users-created");
                ctx = ctx.crumb(title, "");
                ctx.flash = Some(ctx.t("flash-created"));
                let page = super::resets::PasswordPage {
                    heading: ctx.t("users-created"),
                    message: ctx.t(if generated.is_some() {
                        "users-initial-password"
                    } else {
                        "users-created-own-password"
                    }),
                    password: generated,
                    user_id: account.user.id,
                    username: account.user.username,
                    ctx,
                };
                let mut res = render(&page);
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                return Ok(res);
            }
            Err(ServiceError::Validation(v)) => {
                let org_named = errors.has("org_code");
                errors.absorb(&state.i18n, lang, &v, |f| match f {
                    "username" | "display_name" | "password" => Some(f.to_owned()),
                    "org_id" if !org_named => Some("org_code".to_owned()),
                    "org_id" => Some(String::new()),
                    _ => None,
                });
                // Drop the repeat of the unknown org (mapped to the empty field name).
                errors.fields.retain(|(f, _)| !f.is_empty());
            }
            Err(e) => return Err(e.into()),
        }
    }
    // A password is never sent back into the form.
    let form = NewUserForm {
        password: String::new(),
        ..form
    };
    new_form(
        &state,
        &headers,
        &signed,
        Some(form),
        errors.finish(&state.i18n, lang),
    )
    .await
}

// --- An account ------------------------------------------------------------------------------

struct BindingView {
    id: i64,
    role_label: String,
    org_id: Option<i64>,
    org_name: String,
    granted_at: String,
    can_revoke: bool,
}

#[derive(Template)]
#[template(path = "users_show.html")]
struct ShowPage {
    ctx: Ctx,
    id: i64,
    username: String,
    display_name: String,
    org: Option<Org>,
    disabled: bool,
    must_change_password: bool,
    locale: String,
    email: String,
    /// Whole for the person and account managers, masked for other readers.
    phone: String,
    id_card: String,
    totp_enabled: bool,
    created_at: String,
    updated_at: String,
    password_changed_at: String,
    bindings: Vec<BindingView>,
    can_manage: bool,
    is_self: bool,
    roles: Vec<(String, String)>,
    can_grant: bool,
    grant: GrantForm,
    errors: FormErrors,
    /// Requests to reset this account's credentials (administrators' accounts only).
    resets: Vec<super::resets::ResetRow>,
}

async fn account_page(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    (ok, refusal): (Option<&str>, Option<&str>),
    refused: Option<(GrantForm, FormErrors, StatusCode)>,
) -> Result<Response, ApiError> {
    let (grant, errors, status) = refused.unwrap_or_default();
    let actor = &signed.actor;
    let a = accounts_svc::get(&state.svc, actor, id).await?;
    let mut ctx = users_ctx(state, headers, signed, "users-title")
        .await?
        .with_flash(ok)
        .with_refusal(refusal);
    ctx.back = format!("/admin/users/{id}");
    ctx.title = a.user.display_name.clone();
    ctx = ctx.crumb(a.user.username.clone(), "");
    let is_self = actor.is(id);
    let bindings = a
        .bindings
        .iter()
        .map(|b| BindingView {
            id: b.id,
            role_label: ctx.role(&b.role),
            org_id: b.org_id,
            org_name: b.org_name.clone().unwrap_or_else(|| ctx.t("all")),
            granted_at: fmt_time(&b.created_at),
            can_revoke: !is_self
                && Role::parse(&b.role).is_some_and(|r| {
                    actor.can(r.granted_by(), b.org_path.as_deref().unwrap_or("/"))
                }),
        })
        .collect();
    let roles = grantable_roles(&ctx, actor);
    let resets = match luodi_service::resets::list(&state.svc, actor, Some(id)).await {
        Ok(list) => super::resets::rows(&ctx, signed, list),
        Err(_) => Vec::new(),
    };
    let page = ShowPage {
        resets,
        id,
        username: a.user.username.clone(),
        display_name: a.user.display_name.clone(),
        disabled: a.user.disabled,
        must_change_password: a.user.must_change_password,
        locale: a.user.locale.clone(),
        email: a.user.email.clone(),
        phone: a.contact.phone.clone().unwrap_or_default(),
        id_card: a.contact.id_card.clone().unwrap_or_default(),
        totp_enabled: a.user.totp_enabled_at.is_some(),
        created_at: fmt_time(&a.user.created_at),
        updated_at: fmt_time(&a.user.updated_at),
        password_changed_at: fmt_time(&a.user.password_changed_at),
        bindings,
        can_manage: reaches(actor, Permission::ManageAccounts, a.org.as_ref()),
        is_self,
        can_grant: !is_self && !roles.is_empty(),
        roles,
        grant,
        errors,
        org: a.org,
        ctx,
    };
    Ok(render_status(status, &page))
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    account_page(
        &state,
        &headers,
        &signed,
        id,
        (q.ok.as_deref(), q.refused.as_deref()),
        None,
    )
    .await
}

async fn grant(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<GrantForm>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let org_id = org_by_code(
        &state,
        &signed.actor,
        lang,
        &form.org_code,
        "org_code",
        &mut errors,
    )
    .await?;
    if form.role.trim().is_empty() {
        errors.add(&state.i18n, lang, "role", "required", &[]);
    }
    if errors.is_empty() {
        match accounts_svc::grant(&state.svc, &signed.actor, id, &form.role, org_id).await {
            Ok(_) => return Ok(see_other(&format!("/admin/users/{id}"), "granted")),
            Err(ServiceError::Validation(v)) => errors.absorb(&state.i18n, lang, &v, |f| match f {
                "role" => Some("role".to_owned()),
                "org_id" => Some("org_code".to_owned()),
                _ => None,
            }),
            // "Already granted" is said on the form, next to the role.
            Err(ServiceError::Conflict(code)) => {
                errors.add(&state.i18n, lang, "role", code, &[]);
                status = StatusCode::CONFLICT;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let errors = errors.finish(&state.i18n, lang);
    account_page(
        &state,
        &headers,
        &signed,
        id,
        (None, None),
        Some((form, errors, status)),
    )
    .await
}

async fn revoke(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(binding_id): Path<i64>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, ApiError> {
    accounts_svc::revoke(&state.svc, &signed.actor, binding_id).await?;
    Ok(match opt_id(Some(&form.user_id)) {
        Some(uid) => see_other(&format!("/admin/users/{uid}"), "revoked"),
        None => see_other("/admin/users", "revoked"),
    })
}

async fn set_disabled(
    state: &AppState,
    signed: &SignedIn,
    id: i64,
    disabled: bool,
) -> Result<Response, ApiError> {
    accounts_svc::set_disabled(&state.svc, &signed.actor, id, disabled).await?;
    Ok(see_other(
        &format!("/admin/users/{id}"),
        if disabled { "disabled" } else { "enabled" },
    ))
}

async fn disable(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    set_disabled(&state, &signed, id, true).await
}

async fn enable(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    set_disabled(&state, &signed, id, false).await
}

async fn reset_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let back = format!("/admin/users/{id}");
    let pw = match luodi_service::resets::reset_password(&state.svc, &signed.actor, id, None).await
    {
        Ok(luodi_service::resets::Reset::Done(Some(pw))) => pw,
        Ok(_) => return Ok(see_other(&back, "reset_requested")),
        Err(e) => return see_refused(&back, e),
    };
    let a = accounts_svc::get(&state.svc, &signed.actor, id).await?;
    let mut ctx = users_ctx(&state, &headers, &signed, "users-password-reset").await?;
    let title = ctx.t("users-password-reset");
    ctx = ctx
        .crumb(a.user.username.clone(), &back)
        .crumb(title.clone(), "");
    ctx.back = back;
    let page = super::resets::PasswordPage {
        heading: title,
        message: ctx.t("users-reset-password-once"),
        password: Some(pw),
        user_id: id,
        username: a.user.username,
        ctx,
    };
    let mut res = render(&page);
    // A one-time password must not linger in caches.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(Deserialize)]
struct EmailForm {
    email: String,
}

async fn reset_totp(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let back = format!("/admin/users/{id}");
    match luodi_service::resets::reset_totp(&state.svc, &signed.actor, id).await {
        Ok(luodi_service::resets::Reset::Requested(_)) => Ok(see_other(&back, "reset_requested")),
        Ok(_) => Ok(see_other(&back, "totp_reset")),
        Err(e) => see_refused(&back, e),
    }
}

async fn set_contact(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<accounts_svc::ContactInput>,
) -> Result<Response, ApiError> {
    let back = format!("/admin/users/{id}");
    match accounts_svc::set_contact(&state.svc, &signed.actor, id, f).await {
        Ok(_) => Ok(see_other(&back, "contact_saved")),
        Err(ServiceError::Validation(v)) => {
            let code = v.errors.first().map(|e| e.code).unwrap_or("invalid");
            Ok(Redirect::to(&format!("{back}?refused={code}")).into_response())
        }
        Err(e) => see_refused(&back, e),
    }
}

async fn set_email(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<EmailForm>,
) -> Result<Response, ApiError> {
    let back = format!("/admin/users/{id}");
    match accounts_svc::set_email(&state.svc, &signed.actor, id, &f.email).await {
        Ok(_) => Ok(see_other(&back, "email_saved")),
        Err(ServiceError::Validation(_)) => {
            Ok(Redirect::to(&format!("{back}?refused=bad_email")).into_response())
        }
        Err(e) => see_refused(&back, e),
    }
}
