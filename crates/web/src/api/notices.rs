//! `/api/v1`: the outside channels of reminders: an org's group robots, urging an org, and the
//! record of what went out by e-mail and robot.

use super::{ApiJson, PageOf};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use luodi_service::reminders::DeliveryRecord;
use luodi_service::webhooks::{self, WebhookInput, WebhookView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A group robot (DingTalk or WeCom) of an org; its token and secret are never shown again.
#[derive(Serialize, ToSchema)]
pub struct WebhookDto {
    pub id: i64,
    pub org_id: i64,
    /// dingtalk or wecom
    pub kind: String,
    pub name: String,
    /// The address with its access token masked.
    pub url: String,
    pub has_secret: bool,
    pub enabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<WebhookView> for WebhookDto {
    fn from(w: WebhookView) -> Self {
        WebhookDto {
            id: w.id,
            org_id: w.org_id,
            kind: w.kind,
            name: w.name,
            url: w.url,
            has_secret: w.has_secret,
            enabled: w.enabled,
            created_at: w.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    /// dingtalk or wecom
    pub kind: String,
    pub name: String,
    /// The robot's address, e.g. `https://oapi.dingtalk.com/robot/send?access_token=…`.
    pub url: String,
    /// DingTalk's signing secret (加签), if the robot uses one.
    #[serde(default)]
    pub secret: String,
}

/// An org's group robots (org managers).
#[utoipa::path(get, path = "/orgs/{id}/webhooks", tag = "notices", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<WebhookDto>), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<Vec<WebhookDto>>, ApiError> {
    let list = webhooks::list(&state.svc, &s.actor, id).await?;
    Ok(Json(list.into_iter().map(WebhookDto::from).collect()))
}

/// Registers a group robot for an org.
#[utoipa::path(post, path = "/orgs/{id}/webhooks", tag = "notices", params(("id" = i64, Path)), request_body = WebhookBody,
    responses((status = 201, body = WebhookDto), (status = 422, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<WebhookBody>,
) -> Result<(StatusCode, Json<WebhookDto>), ApiError> {
    let w = webhooks::create(
        &state.svc,
        &s.actor,
        id,
        WebhookInput {
            kind: b.kind,
            name: b.name,
            url: b.url,
            secret: b.secret,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(w.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    pub enabled: bool,
}

/// Switches a robot on or off.
#[utoipa::path(patch, path = "/orgs/{id}/webhooks/{webhook_id}", tag = "notices", params(("id" = i64, Path), ("webhook_id" = i64, Path)), request_body = WebhookPatch,
    responses((status = 200, body = WebhookDto), (status = 404, body = super::ErrorBody)))]
pub async fn update_webhook(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path((id, webhook_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<WebhookPatch>,
) -> Result<Json<WebhookDto>, ApiError> {
    let w = webhooks::set_enabled(&state.svc, &s.actor, id, webhook_id, b.enabled).await?;
    Ok(Json(w.into()))
}

/// Removes a robot.
#[utoipa::path(delete, path = "/orgs/{id}/webhooks/{webhook_id}", tag = "notices", params(("id" = i64, Path), ("webhook_id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::ErrorBody)))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path((id, webhook_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    webhooks::delete(&state.svc, &s.actor, id, webhook_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Queues a test message to a robot; the delivery record shows whether it arrived.
#[utoipa::path(post, path = "/orgs/{id}/webhooks/{webhook_id}/test", tag = "notices", params(("id" = i64, Path), ("webhook_id" = i64, Path)),
    responses((status = 202), (status = 404, body = super::ErrorBody)))]
pub async fn test_webhook(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path((id, webhook_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    webhooks::test(&state.svc, &s.actor, id, webhook_id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgeOrgBody {
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct UrgedDto {
    /// People and robots the notice was queued for.
    pub reached: usize,
}

/// A supervisor urges (催办) an org: the people who act for it and its group robots get the
/// notice, at most once a day.
#[utoipa::path(post, path = "/orgs/{id}/urge", tag = "notices", params(("id" = i64, Path)), request_body = UrgeOrgBody,
    responses((status = 200, body = UrgedDto), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn urge_org(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<UrgeOrgBody>,
) -> Result<Json<UrgedDto>, ApiError> {
    let reached = luodi_service::reminders::urge_org(&state.svc, &s.actor, id, &b.note).await?;
    Ok(Json(UrgedDto { reached }))
}

/// A notice sent (or being sent) by e-mail or robot.
#[derive(Serialize, ToSchema)]
pub struct DeliveryDto {
    pub id: i64,
    /// email, dingtalk or wecom
    pub channel: String,
    pub user_name: Option<String>,
    pub org_name: Option<String>,
    /// The e-mail address, or the robot's id.
    pub address: String,
    pub subject: String,
    /// queued (waiting or retrying), sent, failed (given up)
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    /// Why the last attempt failed.
    pub last_error: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<DeliveryRecord> for DeliveryDto {
    fn from(d: DeliveryRecord) -> Self {
        DeliveryDto {
            id: d.id,
            channel: d.channel,
            user_name: d.user_name,
            org_name: d.org_name,
            address: d.address,
            subject: d.subject,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error,
            created_at: d.created_at,
            sent_at: d.sent_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// queued, sent or failed
    pub status: Option<String>,
    /// email, dingtalk or wecom
    pub channel: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The record of notices sent by e-mail and robot in the caller's scope (auditors, admins).
#[utoipa::path(get, path = "/deliveries", tag = "notices", params(DeliveryParams),
    responses((status = 200, body = PageOf<DeliveryDto>), (status = 403, body = super::ErrorBody)))]
pub async fn deliveries(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<DeliveryParams>,
) -> Result<Json<PageOf<DeliveryDto>>, ApiError> {
    let page = luodi_service::Page::new(p.page.unwrap_or(1), p.per_page.unwrap_or(50));
    let list =
        luodi_service::reminders::records(&state.svc, &s.actor, p.status, p.channel, page).await?;
    Ok(Json(PageOf::from(list, DeliveryDto::from)))
}

/// Sends a notice that was given up once more.
#[utoipa::path(post, path = "/deliveries/{id}/retry", tag = "notices", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn retry(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    luodi_service::reminders::retry(&state.svc, &s.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
