//! The organisation tree pages: the tree browser and list, one org's page with its forms, and
//! the spreadsheet import.

mod import;
mod org;
mod tree;

use import::*;
use org::*;
pub(crate) use org::{org_response, OrgForms, OrgPageQuery};
use tree::*;

use super::{
    export_href, export_page, fmt_time, kind_options, opt_id, pager_info, parse_version,
    query_base, render, render_status, see_other, validation, xlsx_list, Cell, Ctx, FormErrors,
    ListQuery, Pager,
};
use crate::auth::{lang_of, Signed};
use crate::error::{explain, ApiError, RowMessage};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use luodi_domain::role::Permission;
use luodi_office::ImportError;
use luodi_service::orgs::{self as orgs_svc, NewOrgInput, OrgChanges, OrgQuery};
use luodi_service::orgs::{Org, OrgNode};
use luodi_service::ServiceError;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------

/// A robot as the org page lists it.
pub struct RobotRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub url: String,
    pub has_secret: bool,
    pub enabled: bool,
}

impl RobotRow {
    pub fn new(ctx: &Ctx, w: luodi_service::webhooks::WebhookView) -> Self {
        RobotRow {
            id: w.id,
            name: w.name,
            kind: ctx.t(&format!("channel-{}", w.kind)),
            url: w.url,
            has_secret: w.has_secret,
            enabled: w.enabled,
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RobotForm {
    pub kind: String,
    pub name: String,
    pub url: String,
    pub secret: String,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list_page).post(create))
        .route("/orgs/tree", get(tree_fragment))
        .route("/orgs/export.xlsx", get(export))
        .route("/orgs/import", get(import_page).post(import))
        .route("/orgs/import/template.xlsx", get(import_template))
        .route("/orgs/{id}", get(org_page))
        .route("/orgs/{id}/edit", post(edit))
        .route("/orgs/{id}/move", post(move_org))
        .route("/orgs/{id}/disable", post(disable))
        .route("/orgs/{id}/enable", post(enable))
}

/// An org as a tree node or a table row.
pub struct NodeView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind_label: String,
    pub child_count: i64,
    pub disabled: bool,
    pub status: String,
    /// The number of children, in words (`orgs-children-count`).
    pub meta: String,
}

fn node_view(ctx: &Ctx, n: &OrgNode) -> NodeView {
    NodeView {
        id: n.org.id,
        code: n.org.code.clone(),
        name: n.org.name.clone(),
        kind_label: ctx.kind(&n.org.kind),
        child_count: n.child_count,
        disabled: n.org.disabled,
        status: ctx.t(if n.org.disabled {
            "status-disabled"
        } else {
            "status-enabled"
        }),
        meta: ctx.tr(
            "orgs-children-count",
            &[("count", n.child_count.to_string())],
        ),
    }
}

/// A root of the tree; when it is the only one its children come with the page, so that the
/// tree opens without a request (and without JS).
pub struct TreeRoot {
    pub node: NodeView,
    pub children: Vec<NodeView>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NewOrgForm {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct EditForm {
    pub name: String,
    pub kind: String,
    pub version: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    pub parent_code: String,
    pub version: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    pub version: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct TreeQuery {
    pub parent: Option<String>,
}
