//! Signing in and out, changing one's password, the language and scope switches, and one's own
//! API tokens.

use super::{render, Ctx};
use crate::auth::{self, Signed};
use crate::error::{field_message, ApiError};
use crate::i18n::Lang;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use luodi_service::{auth as svc_auth, ServiceError};
use serde::Deserialize;

use crate::local_path::local;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let ctx = Ctx::anonymous(&state, &headers, "login-title");
    render(&LoginPage {
        ctx,
        username: String::new(),
        next: local(q.next.as_deref()),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth::ClientIp(ip): auth::ClientIp,
    Form(f): Form<LoginForm>,
) -> Response {
    match svc_auth::login(&state.svc, &f.username, &f.password, ip.as_deref()).await {
        Ok(svc_auth::SignIn {
            token,
            user,
            needs_code,
        }) => {
            let secure = state.config.secure_cookies;
            let lang = Lang::parse(&user.locale).unwrap_or_default();
            let target = if needs_code {
                format!(
                    "/login/totp?next={}",
                    crate::error::urlencode(&local(f.next.as_deref()))
                )
            } else if user.must_change_password {
                "/password".to_owned()
            } else {
                local(f.next.as_deref())
            };
            let mut res = Redirect::to(&target).into_response();
            let h = res.headers_mut();
            for c in [
                auth::session_cookie(&token, secure),
                auth::lang_cookie(lang, secure),
            ] {
                if let Ok(v) = c.parse() {
                    h.append(header::SET_COOKIE, v);
                }
            }
            res
        }
        Err(
            e @ (ServiceError::BadCredentials
            | ServiceError::AccountDisabled
            | ServiceError::AccountLocked
            | ServiceError::AddressThrottled),
        ) => {
            let ctx = Ctx::anonymous(&state, &headers, "login-title");
            let code = match e {
                ServiceError::AccountDisabled => "err-account_disabled",
                ServiceError::AccountLocked => "err-account_locked",
                ServiceError::AddressThrottled => "err-too_many_sign_in_failures",
                _ => "err-bad_credentials",
            };
            let status = if matches!(e, ServiceError::AddressThrottled) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let error = Some(ctx.t(code));
            let mut res = render(&LoginPage {
                ctx,
                username: f.username,
                next: local(f.next.as_deref()),
                error,
            });
            *res.status_mut() = status;
            res
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    svc_auth::logout(&state.svc, &signed).await?;
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = auth::clear_session_cookie(state.config.secure_cookies).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
    back: Option<String>,
}

/// Switches the language: a cookie for this browser, and the account's choice when signed in.
pub async fn set_lang(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LangForm>,
) -> Response {
    let lang = Lang::parse(&f.lang).unwrap_or_default();
    if let Some(token) = auth::cookie(&headers, auth::SESSION_COOKIE) {
        if let Ok(Some(signed)) = svc_auth::session(&state.svc, token, None).await {
            if let Err(e) = svc_auth::set_locale(&state.svc, &signed, lang.code()).await {
                return ApiError::from(e).into_response();
            }
        }
    }
    let mut res = Redirect::to(&local(f.back.as_deref())).into_response();
    if let Ok(v) = auth::lang_cookie(lang, state.config.secure_cookies).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
pub struct ScopeForm {
    org_id: String,
    back: Option<String>,
}

pub async fn set_scope(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Form(f): Form<ScopeForm>,
) -> Result<Response, ApiError> {
    let org = super::opt_id(Some(&f.org_id));
    svc_auth::set_scope(&state.svc, &signed, org).await?;
    // Pages of one org make no sense in another scope; lists and the dashboard do.
    let back = local(f.back.as_deref());
    let back = if back.starts_with("/orgs/") {
        "/orgs".to_owned()
    } else {
        back
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    ctx: Ctx,
    /// The rule in force, in words.
    rule: String,
    forced: bool,
    errors: Vec<(String, String)>,
}

impl PasswordPage {
    fn error_for(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn password_rule(state: &AppState, ctx: &Ctx) -> String {
    ctx.t(match state.svc.config.password_policy {
        luodi_domain::password::PasswordPolicy::Dengbao3 => "password-rule",
        luodi_domain::password::PasswordPolicy::Asvs => "password-rule-asvs",
    })
}

pub async fn password_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    let ctx = Ctx::signed(&state, &headers, &signed, "account", "password-title").await?;
    Ok(render(&PasswordPage {
        rule: password_rule(&state, &ctx),
        ctx,
        forced: signed.user.must_change_password,
        errors: vec![],
    }))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(f): Form<PasswordForm>,
) -> Result<Response, ApiError> {
    let result = if f.new_password != f.confirm_password {
        Err(ServiceError::Validation(luodi_domain::Validation::single(
            "confirm_password",
            "passwords_differ",
        )))
    } else {
        svc_auth::change_password(&state.svc, &signed, &f.current_password, &f.new_password).await
    };
    match result {
        Ok(()) => Ok(Redirect::to("/account?ok=password_changed").into_response()),
        Err(ServiceError::Validation(v)) => {
            let ctx = Ctx::signed(&state, &headers, &signed, "account", "password-title").await?;
            let errors = v
                .errors
                .iter()
                .map(|e| {
                    (
                        e.field.clone(),
                        field_message(&state.i18n, ctx.lang, e.code, &e.params),
                    )
                })
                .collect();
            let mut res = render(&PasswordPage {
                rule: password_rule(&state, &ctx),
                ctx,
                forced: signed.user.must_change_password,
                errors,
            });
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: Ctx,
    username: String,
    display_name: String,
    bindings: Vec<(String, String)>,
    tokens: Vec<luodi_service::accounts::ApiToken>,
    new_token: Option<String>,
    email: String,
    email_error: Option<String>,
}

#[derive(Deserialize)]
pub struct OkQuery {
    ok: Option<String>,
}

async fn account_view(
    state: &AppState,
    headers: &HeaderMap,
    signed: &svc_auth::SignedIn,
    ok: Option<&str>,
    new_token: Option<String>,
) -> Result<Response, ApiError> {
    account_view_with(state, headers, signed, ok, new_token, None).await
}

/// The account page; `email` is a refused address as typed, with the message.
async fn account_view_with(
    state: &AppState,
    headers: &HeaderMap,
    signed: &svc_auth::SignedIn,
    ok: Option<&str>,
    new_token: Option<String>,
    email: Option<(String, String)>,
) -> Result<Response, ApiError> {
    let ctx = Ctx::signed(state, headers, signed, "account", "account-title")
        .await?
        .with_flash(ok);
    let me = luodi_service::accounts::get(&state.svc, &signed.actor, signed.user.id).await?;
    let bindings = me
        .bindings
        .iter()
        .map(|b| {
            (
                ctx.role(&b.role),
                b.org_name.clone().unwrap_or_else(|| ctx.t("scope-all")),
            )
        })
        .collect();
    let tokens = svc_auth::list_tokens(&state.svc, signed).await?;
    let (email, email_error) = match email {
        Some((typed, msg)) => (typed, Some(msg)),
        None => (me.user.email.clone(), None),
    };
    let page = AccountPage {
        email,
        email_error,
        ctx,
        username: signed.user.username.clone(),
        display_name: signed.user.display_name.clone(),
        bindings,
        tokens,
        new_token,
    };
    Ok(if page.email_error.is_some() {
        super::render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    })
}

#[derive(Deserialize)]
pub struct EmailForm {
    email: String,
}

pub async fn set_email(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(f): Form<EmailForm>,
) -> Result<Response, ApiError> {
    match luodi_service::accounts::set_email(&state.svc, &signed.actor, signed.user.id, &f.email)
        .await
    {
        Ok(_) => Ok(Redirect::to("/account?ok=email_saved").into_response()),
        Err(e) => {
            let v = super::validation(e)?;
            let lang = auth::lang_of(&headers);
            let msg = v
                .errors
                .first()
                .map(|fe| field_message(&state.i18n, lang, fe.code, &fe.params))
                .unwrap_or_default();
            account_view_with(&state, &headers, &signed, None, None, Some((f.email, msg))).await
        }
    }
}

pub async fn account_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    account_view(&state, &headers, &signed, q.ok.as_deref(), None).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

/// Creates a token and shows its secret once, on this response only.
pub async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(f): Form<TokenForm>,
) -> Result<Response, ApiError> {
    let (_, secret) = svc_auth::create_token(&state.svc, &signed, &f.name).await?;
    account_view(&state, &headers, &signed, None, Some(secret)).await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    svc_auth::revoke_token(&state.svc, &signed, id).await?;
    Ok(Redirect::to("/account?ok=token_revoked").into_response())
}

// --- The second factor --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login_totp.html")]
struct CodePage {
    ctx: Ctx,
    next: String,
    error: Option<String>,
}

/// The second step of a sign-in: the code from the authenticator.
pub async fn code_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<NextQuery>,
) -> Response {
    if !signed.pending_totp {
        return Redirect::to(&local(q.next.as_deref())).into_response();
    }
    render(&CodePage {
        ctx: Ctx::anonymous(&state, &headers, "totp-title"),
        next: local(q.next.as_deref()),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    next: Option<String>,
}

pub async fn code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(f): Form<CodeForm>,
) -> Result<Response, ApiError> {
    match svc_auth::second_factor(&state.svc, &signed, &f.code).await {
        Ok(token) => {
            let target = if signed.user.must_change_password {
                "/password".to_owned()
            } else {
                local(f.next.as_deref())
            };
            let mut res = Redirect::to(&target).into_response();
            if let Ok(v) = auth::session_cookie(&token, state.config.secure_cookies).parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(e @ (ServiceError::BadSecondFactor | ServiceError::AccountLocked)) => {
            let ctx = Ctx::anonymous(&state, &headers, "totp-title");
            let error = Some(ctx.t(match e {
                ServiceError::AccountLocked => "err-account_locked",
                _ => "err-bad_second_factor",
            }));
            let mut res = render(&CodePage {
                ctx,
                next: local(f.next.as_deref()),
                error,
            });
            *res.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "account_totp.html")]
struct TotpPage {
    ctx: Ctx,
    enabled: bool,
    required: bool,
    secret: Option<String>,
    uri: String,
    qr_svg: String,
    error: Option<String>,
}

/// The QR code of an `otpauth://` address, as inline SVG (drawn here: nothing leaves the
/// intranet).
fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build()
            // Inline in the page: no XML declaration.
            .split_once("<svg")
            .map(|(_, rest)| format!("<svg{rest}"))
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn totp_view(
    state: &AppState,
    headers: &HeaderMap,
    signed: &svc_auth::SignedIn,
    ok: Option<&str>,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let ctx = Ctx::signed(state, headers, signed, "account", "totp-setup-title")
        .await?
        .with_flash(ok);
    let setup = svc_auth::totp_setup(&state.svc, signed).await?;
    let enabled = signed.user.totp_enabled_at.is_some();
    let (secret, uri) = match setup {
        Some(s) if !enabled => (Some(s.secret), s.uri),
        _ => (None, String::new()),
    };
    let failed = error.is_some();
    let page = TotpPage {
        ctx,
        enabled,
        required: signed.must_enroll_totp,
        qr_svg: if uri.is_empty() {
            String::new()
        } else {
            qr_svg(&uri)
        },
        secret,
        uri,
        error,
    };
    Ok(if failed {
        super::render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    })
}

/// One's second factor: its state, and setting it up.
pub async fn totp_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    totp_view(&state, &headers, &signed, q.ok.as_deref(), None).await
}

pub async fn totp_begin(
    State(state): State<AppState>,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    svc_auth::totp_begin(&state.svc, &signed).await?;
    Ok(Redirect::to("/account/totp").into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    code: String,
}

pub async fn totp_confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, ApiError> {
    match svc_auth::totp_confirm(&state.svc, &signed, &f.code).await {
        Ok(()) => Ok(Redirect::to("/account/totp?ok=totp_enabled").into_response()),
        Err(ServiceError::Validation(_)) => {
            let lang = super::Ctx::anonymous(&state, &headers, "totp-setup-title");
            let msg = lang.t("err-bad_second_factor");
            totp_view(&state, &headers, &signed, None, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}
