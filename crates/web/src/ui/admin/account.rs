//! An account's page: its roles, granting and revoking, disabling, resets, contact and e-mail.

use super::*;

// --- An account ------------------------------------------------------------------------------

pub(super) struct BindingView {
    pub(super) id: i64,
    pub(super) role_label: String,
    pub(super) org_id: Option<i64>,
    pub(super) org_name: String,
    pub(super) granted_at: String,
    pub(super) can_revoke: bool,
}

#[derive(Template)]
#[template(path = "users_show.html")]
pub(super) struct ShowPage {
    pub(super) ctx: Ctx,
    pub(super) id: i64,
    pub(super) username: String,
    pub(super) display_name: String,
    pub(super) org: Option<Org>,
    pub(super) disabled: bool,
    pub(super) must_change_password: bool,
    pub(super) locale: String,
    pub(super) email: String,
    /// Whole for the person and account managers, masked for other readers.
    pub(super) phone: String,
    pub(super) id_card: String,
    pub(super) totp_enabled: bool,
    pub(super) created_at: String,
    pub(super) updated_at: String,
    pub(super) password_changed_at: String,
    pub(super) bindings: Vec<BindingView>,
    pub(super) can_manage: bool,
    pub(super) is_self: bool,
    pub(super) roles: Vec<(String, String)>,
    pub(super) can_grant: bool,
    pub(super) grant: GrantForm,
    pub(super) errors: FormErrors,
    /// Requests to reset this account's credentials (administrators' accounts only).
    pub(super) resets: Vec<crate::ui::resets::ResetRow>,
}

pub(super) async fn account_page(
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
        Ok(list) => crate::ui::resets::rows(&ctx, signed, list),
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

pub(super) async fn show(
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

pub(super) async fn grant(
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

pub(super) async fn revoke(
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

pub(super) async fn set_disabled(
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

pub(super) async fn disable(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    set_disabled(&state, &signed, id, true).await
}

pub(super) async fn enable(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    set_disabled(&state, &signed, id, false).await
}

pub(super) async fn reset_password(
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
    let page = crate::ui::resets::PasswordPage {
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
pub(super) struct EmailForm {
    pub(super) email: String,
}

pub(super) async fn reset_totp(
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

pub(super) async fn set_contact(
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
            Ok(crate::kit::see_refused_code(&back, code))
        }
        Err(e) => see_refused(&back, e),
    }
}

pub(super) async fn set_email(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<EmailForm>,
) -> Result<Response, ApiError> {
    let back = format!("/admin/users/{id}");
    match accounts_svc::set_email(&state.svc, &signed.actor, id, &f.email).await {
        Ok(_) => Ok(see_other(&back, "email_saved")),
        Err(ServiceError::Validation(_)) => Ok(crate::kit::see_refused_code(&back, "bad_email")),
        Err(e) => see_refused(&back, e),
    }
}
