//! `/api/v1/bulletins`: the weekly bulletin (每周一通报) — compute, review, publish; and the
//! campaign's scoring rules.

use super::ApiJson;
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luodi_domain::bulletin::ScoringRules;
use luodi_service::bulletins;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeBody {
    pub campaign_id: i64,
    /// The org whose direct children are ranked.
    pub scope_org_id: i64,
    /// ISO week, e.g. `2026-W48`; by default the last closed week (its reports all past their
    /// deadline). A week not closed yet gives a provisional bulletin, which cannot be published.
    #[serde(default)]
    pub week: Option<String>,
}

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Computes (or recomputes, while a draft) a scope's bulletin for a week: a frozen snapshot of
/// each child's figures, score, rank and proposed interviews, with the scoring rules' version.
#[utoipa::path(post, path = "/bulletins", tag = "bulletins", request_body = ComputeBody,
    responses((status = 201, description = "the bulletin with its ranked rows", body = Object), (status = 409, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn compute(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<ComputeBody>,
) -> Result<Response, ApiError> {
    let week = match b.week {
        Some(w) => w,
        None => {
            bulletins::default_week(&state.svc, &s.actor, b.campaign_id, Some(b.scope_org_id))
                .await?
        }
    };
    let v = bulletins::compute(&state.svc, &s.actor, b.campaign_id, b.scope_org_id, &week).await?;
    Ok((StatusCode::CREATED, Json(to_json(&v))).into_response())
}

/// Bulletins of the caller's scopes (drafts only for their supervisors).
#[utoipa::path(get, path = "/bulletins", tag = "bulletins", responses((status = 200, body = Vec<Object>)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(&bulletins::list(&state.svc, &s.actor).await?)))
}

/// One bulletin with its ranked rows.
#[utoipa::path(get, path = "/bulletins/{id}", tag = "bulletins", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &bulletins::get(&state.svc, &s.actor, id).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    #[serde(default)]
    pub note: String,
}

/// Publishes a draft bulletin with the office's note; it never changes afterwards. A provisional
/// bulletin (computed before its week's report deadline) is refused with 409 `period_not_closed`.
#[utoipa::path(post, path = "/bulletins/{id}/publish", tag = "bulletins", params(("id" = i64, Path)), request_body = PublishBody,
    responses((status = 200, body = Object), (status = 409, body = super::ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PublishBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &bulletins::publish(&state.svc, &s.actor, id, &b.note).await?,
    )))
}

/// The campaign's current scoring rules.
#[utoipa::path(get, path = "/campaigns/{id}/scoring", tag = "bulletins", params(("id" = i64, Path)), responses((status = 200, body = Object)))]
pub async fn scoring(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &bulletins::scoring_of(&state.svc, &s.actor, id).await?,
    )))
}

/// Sets new scoring rules (a new version; published bulletins keep theirs).
#[utoipa::path(put, path = "/campaigns/{id}/scoring", tag = "bulletins", params(("id" = i64, Path)), request_body = Object, responses((status = 200, body = Object), (status = 403, body = super::ErrorBody)))]
pub async fn set_scoring(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(rules): ApiJson<ScoringRules>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &bulletins::set_scoring(&state.svc, &s.actor, id, rules).await?,
    )))
}

/// The bulletin as .xlsx or .docx (`format` = `xlsx` | `docx`), always as a download.
#[utoipa::path(get, path = "/bulletins/{id}/export.{format}", tag = "bulletins", params(("id" = i64, Path), ("format" = String, Path, description = "xlsx or docx")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = super::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Signed(s): Signed,
    Path((id, format)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let v = bulletins::get(&state.svc, &s.actor, id).await?;
    let lang = crate::auth::lang_of(&headers);
    let Some((name, ctype, bytes)) = bulletins::file(&state.i18n, lang, &v, &format)? else {
        return Err(ApiError::not_found());
    };
    Ok(crate::kit::attachment_response(&name, ctype, bytes))
}
