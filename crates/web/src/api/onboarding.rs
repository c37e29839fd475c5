//! `/api/v1/account-requests`: 账号申请. The campaign office asks for an account with a business
//! role on a unit of its subtree; the system administrator creates it, the security
//! administrator grants the role (see `luodi_service::onboarding`).

use super::ApiJson;
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luodi_service::onboarding::{self, AccountRequest, NewRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An account request and how far it has come.
#[derive(Serialize, ToSchema)]
pub struct AccountRequestDto {
    pub id: i64,
    pub display_name: String,
    /// The unit the person belongs to; the role is granted on its subtree.
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub email: String,
    /// unit_liaison, responsible_person, leader, supervisor or campaign_office.
    pub role: String,
    /// `requested`, `created`, `granted` or `refused`.
    pub status: String,
    pub requested_by: i64,
    pub requested_at: chrono::DateTime<chrono::Utc>,
    /// The account created for it.
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub granted_by: Option<i64>,
    pub granted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub refused_by: Option<i64>,
    pub refused_at: Option<chrono::DateTime<chrono::Utc>>,
    pub refusal_reason: String,
    /// A created account whose one-time password has not been handed out yet.
    pub password_waiting: bool,
}

impl From<AccountRequest> for AccountRequestDto {
    fn from(r: AccountRequest) -> Self {
        AccountRequestDto {
            password_waiting: r.password_enc.is_some(),
            id: r.id,
            display_name: r.display_name,
            org_id: r.org_id,
            org_code: r.org_code,
            org_name: r.org_name,
            email: r.email,
            role: r.role,
            status: r.status,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            user_id: r.user_id,
            username: r.username,
            created_by: r.created_by,
            created_at: r.created_at,
            granted_by: r.granted_by,
            granted_at: r.granted_at,
            refused_by: r.refused_by,
            refused_at: r.refused_at,
            refusal_reason: r.refusal_reason,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountRequestList {
    pub items: Vec<AccountRequestDto>,
}

/// A request as the office files it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccountRequestBody {
    pub display_name: String,
    /// The unit, by id …
    pub org_id: Option<i64>,
    /// … or by code.
    pub org_code: Option<String>,
    /// A mobile or landline number.
    pub phone: String,
    pub email: Option<String>,
    /// unit_liaison, responsible_person, leader, supervisor or campaign_office.
    pub role: String,
}

/// The username to create the account under (empty or absent: the proposed one).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct CreateAccountBody {
    pub username: Option<String>,
}

/// The created account's request, with its one-time password, shown once.
#[derive(Serialize, ToSchema)]
pub struct CreatedAccount {
    pub request: AccountRequestDto,
    pub initial_password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseBody {
    pub reason: String,
}

/// Requests the caller may see: the office its subtree's, the administrators those in scope;
/// newest first.
#[utoipa::path(get, path = "/account-requests", tag = "users", operation_id = "onboarding_list", responses((status = 200, body = AccountRequestList), (status = 403, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
) -> Result<Json<AccountRequestList>, ApiError> {
    let items = onboarding::list(&state.svc, &s.actor)
        .await?
        .into_iter()
        .map(AccountRequestDto::from)
        .collect();
    Ok(Json(AccountRequestList { items }))
}

/// Files a request (the campaign office, for a unit of its subtree, for a business role).
#[utoipa::path(post, path = "/account-requests", tag = "users", operation_id = "onboarding_request", request_body = NewAccountRequestBody, responses((status = 201, body = AccountRequestDto), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<NewAccountRequestBody>,
) -> Result<Response, ApiError> {
    let r = onboarding::request(
        &state.svc,
        &s.actor,
        NewRequest {
            display_name: b.display_name,
            org_id: b.org_id,
            org_code: b.org_code.unwrap_or_default(),
            phone: b.phone,
            email: b.email.unwrap_or_default(),
            role: b.role,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(AccountRequestDto::from(r))).into_response())
}

/// Creates the requested account in one step (the system administrator, not the one who
/// filed it): its one-time password is in the answer, once, and must be changed at the first
/// sign-in.
#[utoipa::path(post, path = "/account-requests/{id}/create", tag = "users", operation_id = "onboarding_create", params(("id" = i64, Path)), request_body = CreateAccountBody, responses((status = 200, body = CreatedAccount), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CreateAccountBody>,
) -> Result<Json<CreatedAccount>, ApiError> {
    onboarding::create(&state.svc, &s.actor, id, b.username.as_deref()).await?;
    let mut lines = onboarding::collect(&state.svc, &s.actor, &[id]).await?;
    let line = lines
        .pop()
        .ok_or(luodi_service::ServiceError::NotFound("account_request"))?;
    Ok(Json(CreatedAccount {
        request: line.request.into(),
        initial_password: line.password,
    }))
}

/// Grants the requested role on the unit in one step (the security administrator).
#[utoipa::path(post, path = "/account-requests/{id}/grant", tag = "users", operation_id = "onboarding_grant", params(("id" = i64, Path)), responses((status = 200, body = AccountRequestDto), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn grant(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<AccountRequestDto>, ApiError> {
    Ok(Json(
        onboarding::grant(&state.svc, &s.actor, id).await?.into(),
    ))
}

/// Refuses a request at the step it waits in, with a reason.
#[utoipa::path(post, path = "/account-requests/{id}/refuse", tag = "users", operation_id = "onboarding_refuse", params(("id" = i64, Path)), request_body = RefuseBody, responses((status = 200, body = AccountRequestDto), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn refuse(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RefuseBody>,
) -> Result<Json<AccountRequestDto>, ApiError> {
    Ok(Json(
        onboarding::refuse(&state.svc, &s.actor, id, &b.reason)
            .await?
            .into(),
    ))
}
