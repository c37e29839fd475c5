//! The to-do page (待办), everyone's home: what waits on the user now, grouped and counted, each
//! group one click from where it is done; below it the campaigns they are part of.

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

/// A group as the page shows it.
struct GroupView {
    kind: &'static str,
    label: String,
    hint: String,
    count: i64,
    path: String,
    urgent: bool,
    entries: Vec<EntryView>,
}

struct EntryView {
    title: String,
    org: String,
    due: String,
    light: String,
    light_label: String,
    path: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct TodoPage {
    ctx: Ctx,
    groups: Vec<GroupView>,
    total: i64,
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
    let todo = luodi_service::todo::todo(&state.svc, a, 5).await?;
    let groups = todo
        .groups
        .into_iter()
        .map(|g| GroupView {
            label: ctx.t(&format!("todo-{}", g.kind)),
            hint: ctx.t(&format!("todo-{}-hint", g.kind)),
            kind: g.kind,
            count: g.count,
            path: g.path,
            urgent: g.urgent,
            entries: g
                .entries
                .into_iter()
                .map(|e| {
                    let light = e.light.unwrap_or_default();
                    EntryView {
                        light_label: if light.is_empty() {
                            String::new()
                        } else {
                            ctx.t(&format!("light-{light}"))
                        },
                        light,
                        title: e.title,
                        org: e.org,
                        due: e.due_on.map(|d| d.to_string()).unwrap_or_default(),
                        path: e.path,
                    }
                })
                .collect(),
        })
        .collect();
    let campaigns = if a.can_somewhere(Permission::ReadCampaigns) {
        luodi_service::campaigns::list(&state.svc, a, None, Page::new(1, 5))
            .await?
            .items
    } else {
        Vec::new()
    };
    let roles = a
        .principal
        .bindings
        .iter()
        .map(|b| ctx.role(b.role.as_str()))
        .collect();
    Ok(render(&TodoPage {
        ctx,
        groups,
        total: todo.total,
        campaigns,
        roles,
    }))
}
