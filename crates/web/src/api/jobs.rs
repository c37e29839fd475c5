//! `/api/v1/jobs/{id}`: progress and outcome of the caller's background work.

use crate::auth::Signed;
use crate::error::{explain, json_body, ApiError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct JobDto {
    pub id: u64,
    pub kind: String,
    /// parsing, checking, writing, done, failed
    pub phase: String,
    pub done: u64,
    pub total: u64,
    /// When done: what the job produced (e.g. `{"created": 100000}`).
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// When failed: the error, in the usual `{code, message, details}` shape.
    #[schema(value_type = Option<Object>)]
    pub error: Option<serde_json::Value>,
}

/// Progress of one of the caller's jobs (only its owner sees it).
#[utoipa::path(get, path = "/jobs/{id}", tag = "items", params(("id" = u64, Path)), responses((status = 200, body = JobDto), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(s): Signed,
    Path(id): Path<u64>,
) -> Result<Json<JobDto>, ApiError> {
    let (p, outcome) = state
        .svc
        .jobs
        .get(s.user.id, id)
        .ok_or_else(ApiError::not_found)?;
    let lang = crate::auth::lang_of(&headers);
    let (result, error) = match outcome.as_deref() {
        None => (None, None),
        Some(Ok(v)) => (Some(v.clone()), None),
        Some(Err(e)) => {
            let api = ApiError::from(e.copy());
            (None, Some(json_body(&explain(&api, &state.i18n, lang))))
        }
    };
    Ok(Json(JobDto {
        id: p.id,
        kind: p.kind.to_owned(),
        phase: p.phase.to_owned(),
        done: p.done,
        total: p.total,
        result,
        error,
    }))
}
