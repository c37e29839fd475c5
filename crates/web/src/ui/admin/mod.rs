//! Accounts and roles: the account list, a new account, an account's page with its role
//! bindings, and the one-time password pages.

mod account;
mod list;
mod new_account;

use account::*;
use list::*;
use new_account::*;

use super::{export_href, export_page, xlsx_list};
use super::{fmt_time, pager_info, render_status, see_other, see_refused, FormErrors};
use super::{opt_id, query_base, render, Ctx, ListQuery, Pager};
use crate::auth::{lang_of, Signed};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use luodi_domain::role::{Permission, Role};
use luodi_service::accounts::{self as accounts_svc, NewAccount};
use luodi_service::auth::SignedIn;
use luodi_service::orgs as orgs_svc;
use luodi_service::orgs::Org;
use luodi_service::{Actor, ServiceError};
use serde::Deserialize;

// --- Form helpers ----------------------------------------------------------------------------

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    pub username: String,
    pub display_name: String,
    pub org_code: String,
    pub password: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    pub role: String,
    pub org_code: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    pub user_id: String,
}

/// Whether the actor may do `p` to an account that belongs to `org` (no org: whole tree only).
fn reaches(actor: &Actor, p: Permission, org: Option<&Org>) -> bool {
    match org {
        Some(o) => actor.can(p, &o.path),
        None => actor.scopes(p).iter().any(|s| s == "/"),
    }
}

/// Resolves an optional org code: `Ok(None)` when empty; an unknown code is a field error.
async fn org_by_code(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    code: &str,
    field: &str,
    errors: &mut FormErrors,
) -> Result<Option<i64>, ApiError> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    match orgs_svc::get_by_code(&state.svc, actor, code).await {
        Ok(o) => Ok(Some(o.id)),
        Err(ServiceError::NotFound(_)) => {
            errors.add(
                &state.i18n,
                lang,
                field,
                "unknown_org",
                &[("value", code.to_owned())],
            );
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// The roles the actor can grant somewhere, with their labels.
fn grantable_roles(ctx: &Ctx, actor: &Actor) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .filter(|r| actor.can_somewhere(r.granted_by()))
        .map(|r| (r.as_str().to_owned(), ctx.role(r.as_str())))
        .collect()
}

// ---------------------------------------------------------------------------------------------

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_page).post(create))
        .route("/admin/users/export.xlsx", get(export))
        .route("/admin/users/new", get(new_page))
        .route("/admin/users/{id}", get(show))
        .route("/admin/users/{id}/roles", post(grant))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
        .route("/admin/users/{id}/reset-password", post(reset_password))
        .route("/admin/users/{id}/email", post(set_email))
        .route("/admin/users/{id}/contact", post(set_contact))
        .route("/admin/users/{id}/totp/reset", post(reset_totp))
        .route("/admin/roles/{binding_id}/revoke", post(revoke))
}

async fn users_ctx(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    title_key: &str,
) -> Result<Ctx, ApiError> {
    let ctx = Ctx::signed(state, headers, signed, "users", title_key).await?;
    let title = ctx.t("users-title");
    Ok(ctx.crumb(title, "/admin/users"))
}
