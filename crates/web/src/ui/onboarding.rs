//! 账号申请: the campaign office asks for accounts for its subtree here; the system
//! administrator creates each in one step and prints the sheet of one-time passwords; the
//! security administrator grants the requested role in one step. See
//! `luodi_service::onboarding`.

use super::{fmt_time, render, render_status, see_other, see_refused, Ctx, FormErrors, ListQuery};
use crate::auth::{lang_of, Signed};
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use luodi_service::auth::SignedIn;
use luodi_service::onboarding::{self, AccountRequest, NewRequest};
use luodi_service::ServiceError;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/onboarding", get(list_page).post(request))
        .route("/onboarding/sheet", get(sheet))
        .route("/onboarding/{id}/create", post(create))
        .route("/onboarding/{id}/grant", post(grant))
        .route("/onboarding/{id}/refuse", post(refuse))
}

/// The office's form for a new request.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    pub display_name: String,
    pub org_code: String,
    pub phone: String,
    pub email: String,
    pub role: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    pub username: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RefuseForm {
    pub reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SheetQuery {
    /// Request numbers, separated by commas.
    pub ids: String,
}

/// A request as a row shows it, with what the reader may do to it.
pub struct RequestRow {
    pub id: i64,
    pub display_name: String,
    pub org_name: String,
    pub org_code: String,
    pub role_label: String,
    pub status: String,
    pub status_label: String,
    pub requested_by_name: String,
    pub requested_at: String,
    pub username: String,
    pub user_id: Option<i64>,
    /// Who did the last step, and when.
    pub last_by: String,
    pub last_at: String,
    pub refusal_reason: String,
    pub proposed_username: String,
    pub can_create: bool,
    pub can_grant: bool,
    pub can_collect: bool,
}

fn row(ctx: &Ctx, signed: &SignedIn, r: AccountRequest) -> RequestRow {
    let actor = &signed.actor;
    let (last_by, last_at) = match r.status.as_str() {
        "created" => (r.created_by_name.clone(), r.created_at),
        "granted" => (r.granted_by_name.clone(), r.granted_at),
        "refused" => (r.refused_by_name.clone(), r.refused_at),
        _ => (None, None),
    };
    RequestRow {
        can_create: onboarding::may_create(actor, &r),
        can_grant: onboarding::may_grant(actor, &r),
        can_collect: onboarding::may_collect(actor, &r),
        proposed_username: onboarding::proposed_username(&r),
        role_label: ctx.role(&r.role),
        status_label: ctx.t(&format!("onboarding-status-{}", r.status)),
        last_by: last_by.unwrap_or_default(),
        last_at: last_at.as_ref().map(fmt_time).unwrap_or_default(),
        requested_at: fmt_time(&r.requested_at),
        username: r.username.unwrap_or_default(),
        id: r.id,
        display_name: r.display_name,
        org_name: r.org_name,
        org_code: r.org_code,
        status: r.status,
        requested_by_name: r.requested_by_name,
        user_id: r.user_id,
        refusal_reason: r.refusal_reason,
    }
}

#[derive(Template)]
#[template(path = "onboarding_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<RequestRow>,
    can_request: bool,
    roles: Vec<(String, String)>,
    form: RequestForm,
    errors: FormErrors,
    /// The sheet of every one-time password waiting for this reader.
    sheet_ids: String,
}

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    q: &ListQuery,
    refused: Option<(RequestForm, FormErrors)>,
) -> Result<Response, ApiError> {
    let list = onboarding::list(&state.svc, &signed.actor).await?;
    let ctx = Ctx::signed(state, headers, signed, "onboarding", "onboarding-title")
        .await?
        .with_flash(q.ok.as_deref())
        .with_refusal(q.refused.as_deref());
    let rows: Vec<RequestRow> = list.into_iter().map(|r| row(&ctx, signed, r)).collect();
    let sheet_ids = rows
        .iter()
        .filter(|r| r.can_collect)
        .map(|r| r.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let roles = onboarding::REQUESTABLE
        .iter()
        .map(|r| (r.as_str().to_owned(), ctx.role(r.as_str())))
        .collect();
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (form, errors) = refused.unwrap_or_default();
    let form = if form.role.is_empty() {
        RequestForm {
            role: "unit_liaison".into(),
            ..form
        }
    } else {
        form
    };
    Ok(render_status(
        status,
        &ListPage {
            can_request: onboarding::may_request(&signed.actor),
            rows,
            roles,
            form,
            errors,
            sheet_ids,
            ctx,
        },
    ))
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    page(&state, &headers, &signed, &q, None).await
}

async fn request(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<RequestForm>,
) -> Result<Response, ApiError> {
    let input = NewRequest {
        display_name: form.display_name.clone(),
        org_id: None,
        org_code: form.org_code.clone(),
        phone: form.phone.clone(),
        email: form.email.clone(),
        role: form.role.clone(),
    };
    match onboarding::request(&state.svc, &signed.actor, input).await {
        Ok(_) => Ok(see_other("/onboarding", "onboarding_requested")),
        Err(ServiceError::Validation(v)) => {
            let lang = lang_of(&headers);
            let mut errors = FormErrors::default();
            errors.absorb(&state.i18n, lang, &v, |f| match f {
                "org_id" => Some("org_code".to_owned()),
                "display_name" | "phone" | "email" | "role" => Some(f.to_owned()),
                _ => None,
            });
            let errors = errors.finish(&state.i18n, lang);
            page(
                &state,
                &headers,
                &signed,
                &ListQuery::default(),
                Some((form, errors)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<CreateForm>,
) -> Result<Response, ApiError> {
    match onboarding::create(&state.svc, &signed.actor, id, Some(&form.username)).await {
        // Straight to the sheet: its password is shown there, once.
        Ok(_) => Ok(axum::response::IntoResponse::into_response(
            axum::response::Redirect::to(&format!("/onboarding/sheet?ids={id}")),
        )),
        Err(e) => see_refused("/onboarding", e),
    }
}

async fn grant(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    match onboarding::grant(&state.svc, &signed.actor, id).await {
        Ok(_) => Ok(see_other("/onboarding", "onboarding_granted")),
        Err(e) => see_refused("/onboarding", e),
    }
}

async fn refuse(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<RefuseForm>,
) -> Result<Response, ApiError> {
    match onboarding::refuse(&state.svc, &signed.actor, id, &form.reason).await {
        Ok(_) => Ok(see_other("/onboarding", "onboarding_refused")),
        Err(e) => see_refused("/onboarding", e),
    }
}

/// One person on the sheet.
pub struct SheetEntry {
    pub display_name: String,
    pub org_name: String,
    pub role_label: String,
    pub username: String,
    pub password: String,
}

#[derive(Template)]
#[template(path = "onboarding_sheet.html")]
struct SheetPage {
    ctx: Ctx,
    entries: Vec<SheetEntry>,
    login_url: String,
    printed_at: String,
}

/// The sheet of one-time passwords to print and hand out: shown once.
async fn sheet(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<SheetQuery>,
) -> Result<Response, ApiError> {
    let ids: Vec<i64> = q
        .ids
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let lines = match onboarding::collect(&state.svc, &signed.actor, &ids).await {
        Ok(lines) => lines,
        Err(e) => return see_refused("/onboarding", e),
    };
    let mut ctx = Ctx::signed(
        &state,
        &headers,
        &signed,
        "onboarding",
        "onboarding-sheet-title",
    )
    .await?;
    let list = ctx.t("onboarding-title");
    let title = ctx.t("onboarding-sheet-title");
    ctx = ctx.crumb(list, "/onboarding").crumb(title, "");
    ctx.back = "/onboarding".into();
    let base = state
        .svc
        .config
        .public_url
        .clone()
        .or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(|h| format!("http://{h}"))
        })
        .unwrap_or_default();
    let entries = lines
        .into_iter()
        .map(|l| SheetEntry {
            role_label: ctx.role(&l.request.role),
            display_name: l.request.display_name,
            org_name: l.request.org_name,
            username: l.request.username.unwrap_or_default(),
            password: l.password,
        })
        .collect();
    let page = SheetPage {
        login_url: format!("{}/login", base.trim_end_matches('/')),
        printed_at: fmt_time(&state.svc.now()),
        entries,
        ctx,
    };
    let mut res = render(&page);
    // One-time passwords must not linger in caches.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
