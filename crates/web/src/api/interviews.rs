//! `/api/v1/interviews`: accountability interviews (约谈) proposed by bulletins.

use super::{expected_version, stale_as_412, ApiJson};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use luodi_service::interviews::{self, RecordInput};
use serde::Deserialize;
use utoipa::ToSchema;

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Interviews of the caller's subtree.
#[utoipa::path(get, path = "/interviews", tag = "bulletins", responses((status = 200, body = Vec<Object>)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &interviews::list(&state.svc, &s.actor).await?,
    )))
}

/// One interview with the items its commitments became.
#[utoipa::path(get, path = "/interviews/{id}", tag = "bulletins", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &interviews::get(&state.svc, &s.actor, id).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    pub confirm: bool,
    pub version: Option<i64>,
}

/// The office confirms or dismisses a proposed interview.
#[utoipa::path(post, path = "/interviews/{id}/decide", tag = "bulletins", params(("id" = i64, Path)), request_body = DecideBody, responses((status = 200, body = Object), (status = 409, body = super::ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DecideBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (version, if_match) = expected_version(&headers, b.version)?;
    Ok(Json(to_json(
        &interviews::decide(&state.svc, &s.actor, id, b.confirm, version)
            .await
            .map_err(|e| stale_as_412(e, if_match))?,
    )))
}

/// Records a held interview; each commitment becomes a tracked item of the interviewed org.
#[utoipa::path(post, path = "/interviews/{id}/record", tag = "bulletins", params(("id" = i64, Path)), request_body = Object, responses((status = 200, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(mut b): ApiJson<serde_json::Value>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body_version = b.get("version").and_then(|v| v.as_i64());
    if let Some(o) = b.as_object_mut() {
        o.remove("version");
    }
    let (version, if_match) = expected_version(&headers, body_version)?;
    let input: RecordInput = serde_json::from_value(b).map_err(|e| {
        ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "bad_request")
            .with_text(e.to_string())
    })?;
    Ok(Json(to_json(
        &interviews::record(&state.svc, &s.actor, id, input, version)
            .await
            .map_err(|e| stale_as_412(e, if_match))?,
    )))
}
