//! `/api/v1/users` and `/api/v1/roles`: accounts and role bindings.

use super::{ApiJson, PageOf, Paging};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luodi_service::accounts::{self, Account, NewAccount};
use luodi_service::accounts::{BindingRow, UserListRow};
use luodi_service::resets;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub disabled: bool,
    pub must_change_password: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<UserListRow> for UserDto {
    fn from(u: UserListRow) -> Self {
        UserDto {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            org_id: u.org_id,
            org_name: u.org_name,
            disabled: u.disabled,
            must_change_password: u.must_change_password,
            created_at: u.created_at,
        }
    }
}

/// A role held on a subtree (`org_id` null: the whole tree).
#[derive(Serialize, ToSchema)]
pub struct RoleBindingDto {
    pub id: i64,
    pub role: String,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<BindingRow> for RoleBindingDto {
    fn from(b: BindingRow) -> Self {
        RoleBindingDto {
            id: b.id,
            role: b.role,
            org_id: b.org_id,
            org_name: b.org_name,
            created_at: b.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountDto {
    #[serde(flatten)]
    pub user: UserDto,
    pub locale: String,
    /// Where e-mail reminders go; empty: none.
    pub email: String,
    /// Mobile or landline number; masked (`139****5678`) unless the reader is the person or
    /// manages the account.
    pub phone: Option<String>,
    /// Resident ID-card number, masked the same way (`110105**********2X`).
    pub id_card: Option<String>,
    /// Whether `phone` and `id_card` are shown masked.
    pub contact_masked: bool,
    /// Whether the account signs in with a second factor (TOTP).
    pub totp_enabled: bool,
    pub roles: Vec<RoleBindingDto>,
}

impl From<Account> for AccountDto {
    fn from(a: Account) -> Self {
        AccountDto {
            user: UserDto {
                id: a.user.id,
                username: a.user.username,
                display_name: a.user.display_name,
                org_id: a.user.org_id,
                org_name: a.org.map(|o| o.name),
                disabled: a.user.disabled,
                must_change_password: a.user.must_change_password,
                created_at: a.user.created_at,
            },
            locale: a.user.locale,
            email: a.user.email,
            phone: a.contact.phone,
            id_card: a.contact.id_card,
            contact_masked: a.contact.masked,
            totp_enabled: a.user.totp_enabled_at.is_some(),
            roles: a.bindings.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    pub q: Option<String>,
    #[serde(default)]
    pub include_disabled: bool,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Accounts that belong to orgs in the caller's scope.
#[utoipa::path(get, path = "/users", tag = "users", params(UserListParams), responses((status = 200, body = PageOf<UserDto>), (status = 403, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<UserListParams>,
) -> Result<Json<PageOf<UserDto>>, ApiError> {
    let page = Paging {
        page: p.page,
        per_page: p.per_page,
    }
    .page();
    Ok(Json(PageOf::from(
        accounts::list(&state.svc, &s.actor, p.q, p.include_disabled, page).await?,
        UserDto::from,
    )))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserLookupParams {
    /// Part of a username or display name; empty: everyone in reach.
    #[serde(default)]
    pub q: String,
    /// Only the people of this org and its subtree, the org's own people first.
    pub org_id: Option<i64>,
    /// At most this many answers (1–50, default 20).
    pub limit: Option<i64>,
}

/// A person a picker offers.
#[derive(Serialize, ToSchema)]
pub struct PersonDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub org_name: String,
}

/// People for pickers (a responsible person): enabled accounts of orgs the caller may see as
/// accounts or may name on the items they record.
#[utoipa::path(get, path = "/users/lookup", tag = "users", operation_id = "users_lookup", params(UserLookupParams),
    responses((status = 200, body = Vec<PersonDto>), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<UserLookupParams>,
) -> Result<Json<Vec<PersonDto>>, ApiError> {
    let hits = accounts::lookup(&state.svc, &s.actor, &p.q, p.org_id, p.limit).await?;
    Ok(Json(
        hits.into_iter()
            .map(|h| PersonDto {
                id: h.id,
                username: h.username,
                display_name: h.display_name,
                org_id: h.org_id,
                org_name: h.org_name,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub username: String,
    pub display_name: String,
    pub org_id: Option<i64>,
    /// Omit to generate a one-time password (returned once).
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: AccountDto,
    /// The generated one-time password, if none was given; shown only now.
    pub initial_password: Option<String>,
}

/// Creates an account (system administrator). The password must be changed at first login.
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUserBody, responses((status = 201, body = CreatedUser), (status = 422, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<NewUserBody>,
) -> Result<Response, ApiError> {
    let (acc, pw) = accounts::create(
        &state.svc,
        &s.actor,
        NewAccount {
            username: b.username,
            display_name: b.display_name,
            org_id: b.org_id,
            password: b.password,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: acc.into(),
            initial_password: pw,
        }),
    )
        .into_response())
}

/// One account with its roles.
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = i64, Path)), responses((status = 200, body = AccountDto), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<AccountDto>, ApiError> {
    Ok(Json(accounts::get(&state.svc, &s.actor, id).await?.into()))
}

/// Disables an account and ends its sessions.
#[utoipa::path(post, path = "/users/{id}/disable", tag = "users", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn disable(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    accounts::set_disabled(&state.svc, &s.actor, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables an account.
#[utoipa::path(post, path = "/users/{id}/enable", tag = "users", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn enable(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    accounts::set_disabled(&state.svc, &s.actor, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A reset done at once (200, with the one-time password of a password reset) or, for one of
/// the three administrators, a request that a security administrator must approve (202).
fn reset_answer(r: resets::Reset) -> Response {
    match r {
        resets::Reset::Done(Some(password)) => {
            Json(super::resets::NewPassword { password }).into_response()
        }
        resets::Reset::Done(None) => StatusCode::NO_CONTENT.into_response(),
        resets::Reset::Requested(req) => (
            StatusCode::ACCEPTED,
            Json(super::resets::ResetRequestDto::from(*req)),
        )
            .into_response(),
    }
}

/// Sets a random one-time password; it must be changed at the next login, the account's
/// sessions end and its API tokens are revoked. Nobody resets their own. For one of the three
/// administrators this only records a request (202) that a security administrator approves.
#[utoipa::path(post, path = "/users/{id}/reset-password", tag = "users", params(("id" = i64, Path)), responses((status = 200, body = super::resets::NewPassword), (status = 202, body = super::resets::ResetRequestDto), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(reset_answer(
        resets::reset_password(&state.svc, &s.actor, id, None).await?,
    ))
}

/// Resets an account's second factor (a lost authenticator): a new one is set up at the next
/// sign-in. Never one's own. For one of the three administrators this only records a request
/// (202) that a security administrator approves.
#[utoipa::path(post, path = "/users/{id}/totp/reset", tag = "users", params(("id" = i64, Path)), responses((status = 204), (status = 202, body = super::resets::ResetRequestDto), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn reset_totp(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(reset_answer(
        resets::reset_totp(&state.svc, &s.actor, id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// system_admin, security_admin, audit_admin, campaign_office, supervisor, unit_liaison, responsible_person or leader.
    pub role: String,
    /// The subtree the role reaches: required for the business roles (422 `scope_required`
    /// without it); null only for the three administrator roles, which reach the whole tree.
    pub org_id: Option<i64>,
}

/// Grants a role on a subtree. The three administrator roles never share an account.
#[utoipa::path(post, path = "/users/{id}/roles", tag = "users", params(("id" = i64, Path)), request_body = GrantBody, responses((status = 201, body = RoleBindingDto), (status = 422, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn grant(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<GrantBody>,
) -> Result<Response, ApiError> {
    let binding = accounts::grant(&state.svc, &s.actor, id, &b.role, b.org_id).await?;
    Ok((StatusCode::CREATED, Json(RoleBindingDto::from(binding))).into_response())
}

/// Revokes a role binding.
#[utoipa::path(delete, path = "/roles/{id}", tag = "users", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    accounts::revoke(&state.svc, &s.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailBody {
    /// Where e-mail reminders go; empty for none.
    pub email: String,
}

/// Sets where an account's e-mail reminders go (account managers over it).
#[utoipa::path(put, path = "/users/{id}/email", tag = "users", params(("id" = i64, Path)), request_body = EmailBody,
    responses((status = 200, body = AccountDto), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn set_email(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    super::ApiJson(b): super::ApiJson<EmailBody>,
) -> Result<Json<AccountDto>, ApiError> {
    Ok(Json(
        luodi_service::accounts::set_email(&state.svc, &s.actor, id, &b.email)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    /// Mobile (11 digits) or landline with area code; empty for none.
    #[serde(default)]
    pub phone: String,
    /// 18-character resident ID-card number (GB 11643); empty for none.
    #[serde(default)]
    pub id_card: String,
}

/// Sets an account's phone and ID-card numbers (the person, or account managers over it).
/// They are stored encrypted (SM4-GCM) and shown masked to everyone else.
#[utoipa::path(put, path = "/users/{id}/contact", tag = "users", params(("id" = i64, Path)), request_body = ContactBody,
    responses((status = 200, body = AccountDto), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn set_contact(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    super::ApiJson(b): super::ApiJson<ContactBody>,
) -> Result<Json<AccountDto>, ApiError> {
    Ok(Json(
        luodi_service::accounts::set_contact(
            &state.svc,
            &s.actor,
            id,
            luodi_service::accounts::ContactInput {
                phone: b.phone,
                id_card: b.id_card,
            },
        )
        .await?
        .into(),
    ))
}
