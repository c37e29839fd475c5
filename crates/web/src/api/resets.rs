//! `/api/v1/credential-resets`: requests to reset a credential of one of the three
//! administrators, approved or refused by a security administrator (see
//! `luodi_service::resets`).

use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use luodi_service::resets;
use luodi_service::resets::ResetRequest;
use serde::Serialize;
use utoipa::ToSchema;

/// A one-time password, shown once.
#[derive(Serialize, ToSchema)]
pub struct NewPassword {
    pub password: String,
}

/// A request to reset the password or the second factor of an administrator's account.
#[derive(Serialize, ToSchema)]
pub struct ResetRequestDto {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    /// `password` or `second_factor`.
    pub kind: String,
    /// `pending`, `approved` or `refused`.
    pub status: String,
    pub requested_by: i64,
    pub requested_at: chrono::DateTime<chrono::Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    /// An approved password reset whose one-time password the requester has not collected yet.
    pub password_waiting: bool,
}

impl From<ResetRequest> for ResetRequestDto {
    fn from(r: ResetRequest) -> Self {
        ResetRequestDto {
            password_waiting: r.password_enc.is_some(),
            id: r.id,
            user_id: r.user_id,
            username: r.username,
            kind: r.kind,
            status: r.status,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ResetRequestList {
    pub items: Vec<ResetRequestDto>,
}

/// Requests the caller may see (system and security administrators), pending first.
#[utoipa::path(get, path = "/credential-resets", tag = "users", responses((status = 200, body = ResetRequestList), (status = 403, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
) -> Result<Json<ResetRequestList>, ApiError> {
    let items = resets::list(&state.svc, &s.actor, None)
        .await?
        .into_iter()
        .map(ResetRequestDto::from)
        .collect();
    Ok(Json(ResetRequestList { items }))
}

/// Approves a request and carries out the reset: a security administrator over the account,
/// neither the one who asked nor the account's holder.
#[utoipa::path(post, path = "/credential-resets/{id}/approve", tag = "users", params(("id" = i64, Path)), responses((status = 200, body = ResetRequestDto), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<ResetRequestDto>, ApiError> {
    Ok(Json(
        resets::approve(&state.svc, &s.actor, id).await?.into(),
    ))
}

/// Refuses a request: nothing is reset.
#[utoipa::path(post, path = "/credential-resets/{id}/refuse", tag = "users", params(("id" = i64, Path)), responses((status = 200, body = ResetRequestDto), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn refuse(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<ResetRequestDto>, ApiError> {
    Ok(Json(resets::refuse(&state.svc, &s.actor, id).await?.into()))
}

/// The one-time password of an approved password reset, for the one who asked; once.
#[utoipa::path(post, path = "/credential-resets/{id}/collect", tag = "users", params(("id" = i64, Path)), responses((status = 200, body = NewPassword), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn collect(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<NewPassword>, ApiError> {
    Ok(Json(NewPassword {
        password: resets::collect(&state.svc, &s.actor, id).await?,
    }))
}
