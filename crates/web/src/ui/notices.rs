//! Pages and forms of the outside channels: an org's group robots (on the org page), urging an
//! org or an item, and the record of what went out by e-mail and robot.

use super::orgs::{org_response, OrgForms, OrgPageQuery, RobotForm};
use super::{export_href, export_page, query_base, render, xlsx_list, Cell, Ctx, Pager};
use super::{fmt_time, pager_info, see_other, see_refused, validation, FormErrors};
use crate::auth::{lang_of, Signed};
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use luodi_service::auth::SignedIn;
use luodi_service::reminders::DeliveryRecord;
use luodi_service::webhooks::{self, WebhookInput};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/deliveries", get(deliveries_page))
        .route("/deliveries/export.xlsx", get(export))
        .route("/deliveries/{id}/retry", post(retry))
        .route("/orgs/{id}/urge", post(urge_org))
        .route("/items/{id}/urge", post(urge_item))
        .route("/orgs/{id}/webhooks", post(add_robot))
        .route(
            "/orgs/{id}/webhooks/{webhook_id}/{action}",
            post(robot_action),
        )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NoteForm {
    note: String,
}

async fn urge_org(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<NoteForm>,
) -> Result<Response, ApiError> {
    let back = format!("/orgs/{id}");
    match luodi_service::reminders::urge_org(&state.svc, &signed.actor, id, &f.note).await {
        Ok(_) => Ok(see_other(&back, "org_urged")),
        Err(e) => see_refused(&back, e),
    }
}

async fn urge_item(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<NoteForm>,
) -> Result<Response, ApiError> {
    let back = format!("/items/{id}");
    match luodi_service::reminders::urge(&state.svc, &signed.actor, id, &f.note).await {
        Ok(()) => Ok(see_other(&back, "item_urged")),
        Err(e) => see_refused(&back, e),
    }
}

async fn add_robot(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<RobotForm>,
) -> Result<Response, ApiError> {
    let input = WebhookInput {
        kind: form.kind.clone(),
        name: form.name.clone(),
        url: form.url.clone(),
        secret: form.secret.clone(),
    };
    let v = match webhooks::create(&state.svc, &signed.actor, id, input).await {
        Ok(_) => return Ok(see_other(&format!("/orgs/{id}"), "robot_added")),
        Err(e) => validation(e)?,
    };
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    errors.absorb(&state.i18n, lang, &v, |f| {
        matches!(f, "kind" | "name" | "url" | "secret").then(|| f.to_owned())
    });
    let forms = OrgForms {
        // The secret is not sent back into the page.
        robot: RobotForm {
            secret: String::new(),
            ..form
        },
        robot_errors: errors.finish(&state.i18n, lang),
        ..Default::default()
    };
    org_response(
        &state,
        &headers,
        &signed,
        id,
        OrgPageQuery::default(),
        forms,
    )
    .await
}

async fn robot_action(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path((id, webhook_id, action)): Path<(i64, i64, String)>,
) -> Result<Response, ApiError> {
    let a = &signed.actor;
    let back = format!("/orgs/{id}");
    let (result, ok) = match action.as_str() {
        "enable" => (
            webhooks::set_enabled(&state.svc, a, id, webhook_id, true)
                .await
                .map(|_| ()),
            "saved",
        ),
        "disable" => (
            webhooks::set_enabled(&state.svc, a, id, webhook_id, false)
                .await
                .map(|_| ()),
            "saved",
        ),
        "delete" => (
            webhooks::delete(&state.svc, a, id, webhook_id).await,
            "robot_deleted",
        ),
        "test" => (
            webhooks::test(&state.svc, a, id, webhook_id).await,
            "robot_tested",
        ),
        _ => return Err(ApiError::not_found()),
    };
    match result {
        Ok(()) => Ok(see_other(&back, ok)),
        Err(e) => see_refused(&back, e),
    }
}

// --- The record of deliveries ------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeliveryQuery {
    status: String,
    channel: String,
    page: Option<i64>,
    ok: Option<String>,
    refused: Option<String>,
}

struct DeliveryRow {
    id: i64,
    created_at: String,
    channel: String,
    recipient: String,
    address: String,
    subject: String,
    status: String,
    status_tag: &'static str,
    attempts: i64,
    last_error: String,
    when: String,
    failed: bool,
}

#[derive(Template)]
#[template(path = "deliveries.html")]
struct DeliveriesPage {
    ctx: Ctx,
    rows: Vec<DeliveryRow>,
    status: String,
    channel: String,
    statuses: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    pager: Pager,
    pager_info: String,
    mail_enabled: bool,
}

fn row(ctx: &Ctx, d: DeliveryRecord) -> DeliveryRow {
    let (status, status_tag) = match (d.status.as_str(), d.attempts) {
        ("sent", _) => (ctx.t("delivery-sent"), "tag-green"),
        ("failed", _) => (ctx.t("delivery-failed"), "tag-red"),
        (_, 0) => (ctx.t("delivery-queued"), "tag-blue"),
        _ => (ctx.t("delivery-retrying"), "tag-yellow"),
    };
    let when = match (&d.sent_at, d.status.as_str()) {
        (Some(t), _) => fmt_time(t),
        (None, "queued") => ctx.tr("delivery-next", &[("time", fmt_time(&d.next_attempt_at))]),
        _ => String::new(),
    };
    let recipient = match (&d.user_name, &d.org_name) {
        (Some(u), _) => u.clone(),
        (None, Some(o)) => o.clone(),
        _ => String::new(),
    };
    DeliveryRow {
        id: d.id,
        created_at: fmt_time(&d.created_at),
        channel: ctx.t(&format!("channel-{}", d.channel)),
        recipient,
        address: if d.channel == "email" {
            d.address
        } else {
            String::new()
        },
        subject: d.subject,
        failed: d.status == "failed",
        status,
        status_tag,
        attempts: d.attempts,
        last_error: d.last_error,
        when,
    }
}

/// The record's page with the list's filters, through the service.
async fn records(
    state: &AppState,
    signed: &SignedIn,
    q: &DeliveryQuery,
    page: luodi_service::Page,
) -> Result<luodi_service::Paged<DeliveryRecord>, ApiError> {
    Ok(luodi_service::reminders::records(
        &state.svc,
        &signed.actor,
        Some(q.status.clone()),
        Some(q.channel.clone()),
        page,
    )
    .await?)
}

/// The filtered record as a workbook, same columns as the page.
async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<DeliveryQuery>,
) -> Result<Response, ApiError> {
    let list = records(&state, &signed, &q, export_page()).await?;
    let ctx = Ctx::anonymous(&state, &headers, "deliveries-title");
    let rows = list
        .items
        .into_iter()
        .map(|d| {
            let r = row(&ctx, d);
            let recipient = if r.address.is_empty() {
                r.recipient
            } else {
                format!("{} <{}>", r.recipient, r.address)
            };
            vec![
                r.created_at.into(),
                r.channel.into(),
                recipient.into(),
                r.subject.into(),
                r.status.into(),
                Cell::from(r.attempts),
                r.when.into(),
                r.last_error.into(),
            ]
        })
        .collect();
    let columns = [
        "deliveries-created",
        "deliveries-channel",
        "deliveries-recipient",
        "deliveries-subject",
        "manage-status",
        "deliveries-attempts",
        "deliveries-when",
        "deliveries-error",
    ];
    xlsx_list(&ctx, "deliveries-title", &columns, rows, list.total).await
}

async fn deliveries_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<DeliveryQuery>,
) -> Result<Response, ApiError> {
    let mut ctx = Ctx::signed(&state, &headers, &signed, "deliveries", "deliveries-title")
        .await?
        .with_flash(q.ok.as_deref())
        .with_refusal(q.refused.as_deref());
    ctx.back = "/deliveries".into();
    let page = luodi_service::Page::new(q.page.unwrap_or(1), 50);
    let list = records(&state, &signed, &q, page).await?;
    let base = query_base(
        "/deliveries",
        &[
            ("status", Some(q.status.as_str())),
            ("channel", Some(q.channel.as_str())),
        ],
    );
    ctx.export = export_href("/deliveries/export.xlsx", &base);
    let pager = Pager::new(list.total, list.page, list.per_page, &base);
    let rows = list.items.into_iter().map(|d| row(&ctx, d)).collect();
    let statuses = ctx.options("delivery-", &["queued", "sent", "failed"]);
    let channels = ctx.options("channel-", &["email", "dingtalk", "wecom"]);
    Ok(render(&DeliveriesPage {
        rows,
        status: q.status,
        channel: q.channel,
        statuses,
        channels,
        pager_info: pager_info(&ctx, &pager),
        pager,
        mail_enabled: state.svc.channels.mail_enabled(),
        ctx,
    }))
}

async fn retry(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    match luodi_service::reminders::retry(&state.svc, &signed.actor, id).await {
        Ok(()) => Ok(see_other("/deliveries", "delivery_retried")),
        Err(e) => see_refused("/deliveries", e),
    }
}
