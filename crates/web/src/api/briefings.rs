//! `/api/v1/submissions` and `/api/v1/briefings`: information submissions (信息报送) with their
//! photos and adoptions, and the numbered briefings (工作简报) the office publishes.

use super::{expected_version, stale_as_412, ApiJson, Paging};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use luodi_service::briefings::{
    self, AdoptInput, BriefingInput, ListFilter, SubmissionInput, SubmissionText,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmissionQuery {
    /// draft, submitted or adopted
    pub status: Option<String>,
    pub campaign_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Submissions the caller sees: their own units' drafts, and submitted ones of their subtree.
#[utoipa::path(get, path = "/submissions", tag = "briefings", params(SubmissionQuery), responses((status = 200, body = Object)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(q): Query<SubmissionQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page();
    let p = briefings::list(
        &state.svc,
        &s.actor,
        ListFilter {
            status: q.status,
            campaign_id: q.campaign_id,
        },
        page,
    )
    .await?;
    Ok(Json(to_json(&p)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionBody {
    pub campaign_id: i64,
    /// The writing unit.
    pub org_id: i64,
    pub title: String,
    pub body: String,
}

/// A unit writes a draft submission.
#[utoipa::path(post, path = "/submissions", tag = "briefings", request_body = SubmissionBody, responses((status = 201, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<SubmissionBody>,
) -> Result<Response, ApiError> {
    let v = briefings::create(
        &state.svc,
        &s.actor,
        SubmissionInput {
            campaign_id: b.campaign_id,
            org_id: b.org_id,
            title: b.title,
            body: b.body,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(to_json(&v))).into_response())
}

/// One submission with its photos and adoptions.
#[utoipa::path(get, path = "/submissions/{id}", tag = "briefings", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &briefings::get(&state.svc, &s.actor, id).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextBody {
    pub title: String,
    pub body: String,
    pub version: Option<i64>,
}

/// Changes the title and text (the unit while a draft; the office after submission).
#[utoipa::path(put, path = "/submissions/{id}", tag = "briefings", params(("id" = i64, Path)), request_body = TextBody, responses((status = 200, body = Object), (status = 409, body = super::ErrorBody), (status = 412, body = super::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<TextBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (version, if_match) = expected_version(&headers, b.version)?;
    let text = SubmissionText {
        title: b.title,
        body: b.body,
    };
    Ok(Json(to_json(
        &briefings::update(&state.svc, &s.actor, id, text, version)
            .await
            .map_err(|e| stale_as_412(e, if_match))?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    pub version: Option<i64>,
}

/// The unit sends its draft to the office.
#[utoipa::path(post, path = "/submissions/{id}/submit", tag = "briefings", params(("id" = i64, Path)), request_body = VersionBody, responses((status = 200, body = Object), (status = 409, body = super::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (version, if_match) = expected_version(&headers, b.version)?;
    Ok(Json(to_json(
        &briefings::submit(&state.svc, &s.actor, id, version)
            .await
            .map_err(|e| stale_as_412(e, if_match))?,
    )))
}

/// Adds a photo (multipart field `file`; PNG, JPEG, GIF or WebP by content; at most nine).
#[utoipa::path(post, path = "/submissions/{id}/photos", tag = "briefings", params(("id" = i64, Path)), request_body(content_type = "multipart/form-data", content = String),
    responses((status = 201, body = Object), (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn add_photo(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> Result<Response, ApiError> {
    let (name, bytes) = crate::kit::read_upload(mp, state.config.max_upload_bytes).await?;
    let p = briefings::add_photo(&state.svc, &s.actor, id, &bytes, &name).await?;
    Ok((StatusCode::CREATED, Json(to_json(&p))).into_response())
}

/// A photo, shown inline (its type was recognised from its content when stored).
#[utoipa::path(get, path = "/photos/{id}", tag = "briefings", params(("id" = i64, Path)), responses((status = 200, content_type = "image/*", body = Vec<u8>), (status = 404, body = super::ErrorBody)))]
pub async fn photo(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (p, bytes) = briefings::photo(&state.svc, &s.actor, id).await?;
    Ok(crate::kit::photo_response(p.content_type, bytes))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptBody {
    /// `office` (into a draft briefing of the caller's) or `higher` (a higher level adopted it)
    pub level: String,
    pub briefing_id: Option<i64>,
    /// For `higher`: who adopted it and where.
    #[serde(default)]
    pub note: String,
}

/// Adopts a submitted item into a briefing, or records a higher level's adoption.
#[utoipa::path(post, path = "/submissions/{id}/adopt", tag = "briefings", params(("id" = i64, Path)), request_body = AdoptBody, responses((status = 200, body = Object), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn adopt(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<AdoptBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let input = AdoptInput {
        level: b.level,
        briefing_id: b.briefing_id,
        note: b.note,
    };
    Ok(Json(to_json(
        &briefings::adopt(&state.svc, &s.actor, id, input).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnadoptBody {
    pub briefing_id: i64,
}

/// Takes a submission out of a draft briefing.
#[utoipa::path(post, path = "/submissions/{id}/unadopt", tag = "briefings", params(("id" = i64, Path)), request_body = UnadoptBody, responses((status = 200, body = Object), (status = 409, body = super::ErrorBody)))]
pub async fn unadopt(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<UnadoptBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &briefings::unadopt(&state.svc, &s.actor, id, b.briefing_id).await?,
    )))
}

/// Briefings the caller sees: published ones of their scope and above, and their drafts.
#[utoipa::path(get, path = "/briefings", tag = "briefings", responses((status = 200, body = Vec<Object>)))]
pub async fn list_briefings(
    State(state): State<AppState>,
    Signed(s): Signed,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &briefings::list_briefings(&state.svc, &s.actor).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BriefingBody {
    pub campaign_id: i64,
    /// The issuing office's org.
    pub org_id: i64,
    pub title: String,
}

/// Starts a draft briefing with the next issue number.
#[utoipa::path(post, path = "/briefings", tag = "briefings", request_body = BriefingBody, responses((status = 201, body = Object), (status = 403, body = super::ErrorBody)))]
pub async fn create_briefing(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<BriefingBody>,
) -> Result<Response, ApiError> {
    let v = briefings::create_briefing(
        &state.svc,
        &s.actor,
        BriefingInput {
            campaign_id: b.campaign_id,
            org_id: b.org_id,
            title: b.title,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(to_json(&v))).into_response())
}

/// One briefing with the submissions it carries.
#[utoipa::path(get, path = "/briefings/{id}", tag = "briefings", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn get_briefing(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &briefings::get_briefing(&state.svc, &s.actor, id).await?,
    )))
}

/// Publishes a draft briefing to its scope; an empty one is refused.
#[utoipa::path(post, path = "/briefings/{id}/publish", tag = "briefings", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 409, body = super::ErrorBody)))]
pub async fn publish_briefing(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &briefings::publish_briefing(&state.svc, &s.actor, id).await?,
    )))
}

/// The briefing as a Word document, always as a download.
#[utoipa::path(get, path = "/briefings/{id}/export.docx", tag = "briefings", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = super::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let v = briefings::get_briefing(&state.svc, &s.actor, id).await?;
    let lang = crate::auth::lang_of(&headers);
    let (name, bytes) = briefings::file(&state.svc, &state.i18n, lang, &v).await?;
    Ok(crate::kit::attachment_response(
        &name,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        bytes,
    ))
}
