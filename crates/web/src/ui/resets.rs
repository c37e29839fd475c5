//! 凭据重置审批: requests to reset the password or second factor of one of the three
//! administrators. The system administrator asks (on the account's page), a security
//! administrator approves or refuses here, and the one who asked collects the new one-time
//! password here, once.

use super::{fmt_time, see_other, see_refused};
use super::{render, Ctx, ListQuery};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use luodi_service::auth::SignedIn;
use luodi_service::resets;
use luodi_service::resets::ResetRequest;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/resets", get(list_page))
        .route("/admin/resets/{id}/approve", post(approve))
        .route("/admin/resets/{id}/refuse", post(refuse))
        .route("/admin/resets/{id}/collect", post(collect))
}

/// A request as a table row shows it, with what the reader may do to it.
pub struct ResetRow {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub kind: String,
    pub status: String,
    pub status_label: String,
    pub requested_by_name: String,
    pub requested_at: String,
    pub decided_by_name: String,
    pub decided_at: String,
    pub can_decide: bool,
    pub can_collect: bool,
}

/// The rows of `requests` for the reader of `ctx`.
pub fn rows(ctx: &Ctx, signed: &SignedIn, requests: Vec<ResetRequest>) -> Vec<ResetRow> {
    let actor = &signed.actor;
    requests
        .into_iter()
        .map(|r| ResetRow {
            can_decide: resets::may_decide(actor, &r),
            can_collect: resets::may_collect(actor, &r),
            kind: ctx.t(&format!("resets-kind-{}", r.kind)),
            status_label: ctx.t(&format!("resets-status-{}", r.status)),
            status: r.status,
            id: r.id,
            user_id: r.user_id,
            username: r.username,
            display_name: r.display_name,
            requested_by_name: r.requested_by_name,
            requested_at: fmt_time(&r.requested_at),
            decided_by_name: r.decided_by_name.unwrap_or_default(),
            decided_at: r.decided_at.as_ref().map(fmt_time).unwrap_or_default(),
        })
        .collect()
}

/// A one-time password, shown once: a new account's, or a reset's.
#[derive(Template)]
#[template(path = "users_password.html")]
pub struct PasswordPage {
    pub ctx: Ctx,
    pub heading: String,
    pub message: String,
    pub password: Option<String>,
    pub user_id: i64,
    pub username: String,
}

#[derive(Template)]
#[template(path = "resets_list.html")]
struct ListPage {
    ctx: Ctx,
    resets: Vec<ResetRow>,
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let requests = resets::list(&state.svc, &signed.actor, None).await?;
    let ctx = Ctx::signed(&state, &headers, &signed, "resets", "resets-title")
        .await?
        .with_flash(q.ok.as_deref())
        .with_refusal(q.refused.as_deref());
    Ok(render(&ListPage {
        resets: rows(&ctx, &signed, requests),
        ctx,
    }))
}

async fn approve(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    match resets::approve(&state.svc, &signed.actor, id).await {
        Ok(_) => Ok(see_other("/admin/resets", "reset_approved")),
        Err(e) => see_refused("/admin/resets", e),
    }
}

async fn refuse(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    match resets::refuse(&state.svc, &signed.actor, id).await {
        Ok(_) => Ok(see_other("/admin/resets", "reset_refused")),
        Err(e) => see_refused("/admin/resets", e),
    }
}

/// The one-time password of an approved reset, shown to the one who asked, once.
async fn collect(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let requests = resets::list(&state.svc, &signed.actor, None).await?;
    let Some(r) = requests.into_iter().find(|r| r.id == id) else {
        return Err(luodi_service::ServiceError::NotFound("reset").into());
    };
    let pw = match resets::collect(&state.svc, &signed.actor, id).await {
        Ok(pw) => pw,
        Err(e) => return see_refused("/admin/resets", e),
    };
    let mut ctx = Ctx::signed(&state, &headers, &signed, "resets", "users-password-reset").await?;
    let title = ctx.t("users-password-reset");
    let list = ctx.t("resets-title");
    ctx = ctx.crumb(list, "/admin/resets").crumb(title.clone(), "");
    ctx.back = "/admin/resets".into();
    let page = PasswordPage {
        heading: title,
        message: ctx.t("users-reset-password-once"),
        password: Some(pw),
        user_id: r.user_id,
        username: r.username,
        ctx,
    };
    let mut res = render(&page);
    // A one-time password must not linger in caches.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
