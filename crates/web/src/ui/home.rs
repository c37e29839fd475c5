//! The dashboard: where the user stands, what is under it, and the campaigns they are part of.

use super::{render, Ctx};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use luodi_domain::role::Permission;
use luodi_service::campaigns::Campaign;
use luodi_service::Page;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    kinds: Vec<(String, i64)>,
    total_orgs: i64,
    campaigns: Vec<Campaign>,
    roles: Vec<String>,
}

pub async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    let ctx = Ctx::signed(&state, &headers, &signed, "home", "home-title").await?;
    let a = &signed.actor;
    let kinds = if a.can_somewhere(Permission::ReadOrgs) {
        luodi_service::orgs::count_by_kind(&state.svc, a, ctx.scope.as_ref().map(|o| o.id)).await?
    } else {
        Vec::new()
    };
    let total_orgs = kinds.iter().map(|(_, n)| n).sum();
    let kinds = kinds.into_iter().map(|(k, n)| (ctx.kind(&k), n)).collect();
    let campaigns = if a.can_somewhere(Permission::ReadCampaigns) {
        luodi_service::campaigns::list(&state.svc, a, None, Page::new(1, 5))
            .await?
            .items
    } else {
        Vec::new()
    };
    let roles = signed
        .actor
        .principal
        .bindings
        .iter()
        .map(|b| ctx.role(b.role.as_str()))
        .collect();
    Ok(render(&HomePage {
        ctx,
        kinds,
        total_orgs,
        campaigns,
        roles,
    }))
}
