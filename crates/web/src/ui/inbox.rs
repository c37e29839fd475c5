//! 站内消息 (the inbox): the notices that reached the user (urges, items sent back, daily
//! digests, bulletins), unread first in weight; opening one marks it read, which the sender
//! sees on the item's page.

use super::{fmt_time, render, see_other, Ctx};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::kit::{notice_link, notice_text};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use luodi_service::reminders;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox_page))
        .route("/inbox/read-all", post(read_all))
        .route("/inbox/{id}/open", post(open))
}

struct NoticeRow {
    id: i64,
    kind_label: String,
    text: String,
    at: String,
    read: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    ctx: Ctx,
    rows: Vec<NoticeRow>,
    unread_only: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InboxQuery {
    unread: String,
    ok: String,
}

async fn inbox_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<InboxQuery>,
) -> Result<Response, ApiError> {
    let ctx = Ctx::signed(&state, &headers, &signed, "inbox", "inbox-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    let title = ctx.t("inbox-title");
    let ctx = ctx.crumb(title, "");
    let unread_only = !q.unread.trim().is_empty();
    let rows = reminders::inbox(&state.svc, signed.user.id)
        .await?
        .into_iter()
        .filter(|d| !unread_only || d.read_at.is_none())
        .map(|d| {
            let body: serde_json::Value = serde_json::from_str(&d.body).unwrap_or_default();
            NoticeRow {
                id: d.id,
                kind_label: ctx.t(&format!("inbox-kind-{}", d.subject)),
                text: notice_text(&state.i18n, ctx.lang, &d.subject, &body),
                at: fmt_time(&d.created_at),
                read: d.read_at.is_some(),
            }
        })
        .collect();
    Ok(render(&InboxPage {
        ctx,
        rows,
        unread_only,
    }))
}

/// Opens a notice: marks it read and goes where it leads.
async fn open(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = reminders::open_notice(&state.svc, signed.user.id, id).await?;
    let body: serde_json::Value = serde_json::from_str(&d.body).unwrap_or_default();
    Ok(Redirect::to(&notice_link(&d.subject, &body)).into_response())
}

async fn read_all(
    State(state): State<AppState>,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    reminders::read_all(&state.svc, signed.user.id).await?;
    Ok(see_other("/inbox", "inbox_read"))
}
