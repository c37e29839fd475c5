//! `/api/v1/me`: the caller's own account, password and API tokens.

use super::users::AccountDto;
use super::ApiJson;
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luodi_service::{accounts, auth};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The caller's account and roles.
#[utoipa::path(get, path = "/me", tag = "me", responses((status = 200, body = AccountDto), (status = 401, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
) -> Result<Json<AccountDto>, ApiError> {
    Ok(Json(
        accounts::get(&state.svc, &s.actor, s.user.id).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's password.
#[utoipa::path(post, path = "/me/password", tag = "me", request_body = PasswordBody, responses((status = 204), (status = 422, body = super::ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    auth::change_password(&state.svc, &s, &b.current_password, &b.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets where the caller's e-mail reminders go (empty: none).
#[utoipa::path(put, path = "/me/email", tag = "me", request_body = super::users::EmailBody, responses((status = 200, body = AccountDto), (status = 422, body = super::ErrorBody)))]
pub async fn set_email(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<super::users::EmailBody>,
) -> Result<Json<AccountDto>, ApiError> {
    Ok(Json(
        accounts::set_email(&state.svc, &s.actor, s.user.id, &b.email)
            .await?
            .into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TokenDto {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The caller's API tokens (never their secrets).
#[utoipa::path(get, path = "/me/tokens", tag = "me", responses((status = 200, body = Vec<TokenDto>)))]
pub async fn tokens(
    State(state): State<AppState>,
    Signed(s): Signed,
) -> Result<Json<Vec<TokenDto>>, ApiError> {
    Ok(Json(
        auth::list_tokens(&state.svc, &s)
            .await?
            .into_iter()
            .map(|t| TokenDto {
                id: t.id,
                name: t.name,
                prefix: t.prefix,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    /// Send as `Authorization: Bearer <token>`. Shown only now.
    pub token: String,
}

/// Creates an API token with the caller's scope.
#[utoipa::path(post, path = "/me/tokens", tag = "me", request_body = NewTokenBody, responses((status = 201, body = CreatedToken), (status = 422, body = super::ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<NewTokenBody>,
) -> Result<Response, ApiError> {
    let (id, token) = auth::create_token(&state.svc, &s, &b.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id, token })).into_response())
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/me/tokens/{id}", tag = "me", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = super::ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    auth::revoke_token(&state.svc, &s, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct NoticeDto {
    pub id: i64,
    /// digest or urge
    pub kind: String,
    /// The notice in the reader's language.
    pub text: String,
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read: bool,
}

/// The caller's in-app inbox: daily digests and urges, newest first.
#[utoipa::path(get, path = "/me/inbox", tag = "me", responses((status = 200, body = Vec<NoticeDto>)))]
pub async fn inbox(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Signed(s): Signed,
) -> Result<Json<Vec<NoticeDto>>, ApiError> {
    let lang = crate::auth::lang_of(&headers);
    let list = luodi_service::reminders::inbox(&state.svc, s.user.id).await?;
    Ok(Json(
        list.into_iter()
            .map(|d| {
                let body: serde_json::Value = serde_json::from_str(&d.body).unwrap_or_default();
                NoticeDto {
                    id: d.id,
                    text: crate::kit::notice_text(&state.i18n, lang, &d.subject, &body),
                    kind: d.subject,
                    body,
                    created_at: d.created_at,
                    read: d.read_at.is_some(),
                }
            })
            .collect(),
    ))
}

/// Marks one of the caller's notices read.
#[utoipa::path(post, path = "/me/inbox/{id}/read", tag = "me", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn read_notice(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    luodi_service::reminders::mark_read(&state.svc, s.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One entry of a to-do group.
#[derive(Serialize, ToSchema)]
pub struct TodoEntryDto {
    pub title: String,
    pub org: String,
    pub due_on: Option<chrono::NaiveDate>,
    /// red, yellow or green, for items
    pub light: Option<String>,
    /// The page where it is done.
    pub path: String,
}

/// One kind of work waiting on the caller.
#[derive(Serialize, ToSchema)]
pub struct TodoGroupDto {
    /// sign_off, overdue, due_soon, reports_to_write, assign, close_out, extension,
    /// reports_to_review, interviews, red, notices, resets_to_decide, resets_to_hand_out,
    /// deliveries_failed or audit_unsealed
    pub kind: String,
    /// The group's name in the reader's language.
    pub label: String,
    pub count: i64,
    /// The page where this work is done, filtered to it.
    pub path: String,
    pub urgent: bool,
    /// The first entries (at most five).
    pub entries: Vec<TodoEntryDto>,
}

/// What waits on the caller now.
#[derive(Serialize, ToSchema)]
pub struct TodoDto {
    pub total: i64,
    pub groups: Vec<TodoGroupDto>,
}

/// The caller's to-do (待办): what waits on them now for their roles and scopes, grouped and
/// counted, each group with the page where it is done and its first entries.
#[utoipa::path(get, path = "/me/todo", tag = "me", operation_id = "me_todo", responses((status = 200, body = TodoDto), (status = 401, body = super::ErrorBody)))]
pub async fn todo(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Signed(s): Signed,
) -> Result<Json<TodoDto>, ApiError> {
    let lang = crate::auth::lang_of(&headers);
    let t = luodi_service::todo::todo(&state.svc, &s.actor, 5).await?;
    Ok(Json(TodoDto {
        total: t.total,
        groups: t
            .groups
            .into_iter()
            .map(|g| TodoGroupDto {
                label: state.i18n.t(lang, &format!("todo-{}", g.kind)),
                kind: g.kind.to_owned(),
                count: g.count,
                path: g.path,
                urgent: g.urgent,
                entries: g
                    .entries
                    .into_iter()
                    .map(|e| TodoEntryDto {
                        title: e.title,
                        org: e.org,
                        due_on: e.due_on,
                        light: e.light,
                        path: e.path,
                    })
                    .collect(),
            })
            .collect(),
    }))
}
