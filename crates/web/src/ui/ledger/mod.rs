//! The ledger pages: the rectification ledger and task book with filters, a roll-up of the scope
//! and server-side paging; the form to record an item; an item's page with its timeline,
//! evidence, progress notes and one form per lifecycle step the reader may take; evidence
//! downloads; and the roadmap, a Gantt-style chart of the task book drawn as server-side SVG
//! (positions are SVG attributes, so nothing needs an inline style or a script).

mod batch;
mod form;
mod item;
mod list;
mod roadmap;
mod steps;

use batch::*;
use form::*;
use item::*;
use list::*;
use roadmap::*;
use steps::*;

use super::{fmt_time, pager_info, parse_version, render_status, see_other, FormErrors};
use super::{opt_id, query_base, render, Ctx, Pager};
use crate::auth::{lang_of, Signed};
use crate::error::ApiError;
use crate::i18n::{I18n, Lang};
use crate::kit::{attachment_response, item_query, ItemListParams};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use luodi_domain::campaign::PhaseKind;
use luodi_domain::item::{Action, ItemKind, ItemType, Source, Status};
use luodi_domain::role::Permission;
use luodi_service::auth::SignedIn;
use luodi_service::campaigns as campaigns_svc;
use luodi_service::items::{self as items_svc, ItemDetail, ItemInput, ItemQuery, MilestoneInput};
use luodi_service::items::{ItemFilter, ItemRow, ItemSort};
use luodi_service::orgs as orgs_svc;
use luodi_service::Page;
use luodi_service::ServiceError;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ledger", get(ledger_page))
        .route("/ledger/batch", post(batch))
        .route("/items", get(items_index).post(create_item))
        .route("/items/new", get(new_item_page))
        .route("/items/{id}", get(item_page))
        .route("/items/{id}/transitions", post(transition))
        .route("/items/{id}/notes", post(add_note))
        .route("/items/{id}/evidence", post(upload_evidence))
        .route("/attachments/{id}/download", get(download))
        .route("/attachments/{id}/view", get(view))
        .route("/roadmap", get(roadmap_page))
}

const PER_PAGE: i64 = 50;
const OPEN_STATUSES: &str = "assigned,returned,in_progress,close_out_requested,under_review";
const DONE_STATUSES: &str = "closed,verified";
/// The steps that need a reason, and those that ask before they are taken.
const REASON_ACTIONS: [&str; 9] = [
    "request_close_out",
    "close",
    "return_not_ours",
    "send_back",
    "reopen",
    "request_extension",
    "reject_extension",
    "suspend",
    "withdraw",
];
/// Steps that cannot be taken back: each asks before it is taken (after its required fields).
const CONFIRM_ACTIONS: [&str; 8] = [
    "withdraw",
    "send_back",
    "reopen",
    "close",
    "pass_recheck",
    "approve_extension",
    "reject_extension",
    "return_not_ours",
];

// --- Labels ----------------------------------------------------------------------------------

fn status_label(ctx: &Ctx, s: &str) -> String {
    ctx.t(&format!("status-{s}"))
}

/// The tag colour of a status.
fn status_class(s: &str) -> &'static str {
    match s {
        "assigned" | "in_progress" => "tag-blue",
        "returned" | "close_out_requested" | "under_review" => "tag-amber",
        "closed" | "verified" => "tag-green",
        _ => "tag-grey",
    }
}

/// The light's colour name, `none` when the item is out of play.
fn light_name(l: &str) -> &'static str {
    match l {
        "red" => "red",
        "yellow" => "yellow",
        "green" => "green",
        _ => "none",
    }
}

fn light_label(ctx: &Ctx, l: &str) -> String {
    ctx.t(&format!("light-{}", light_name(l)))
}

/// A timeliness worth a tag in a dense table (the unremarkable ones get none).
fn timeliness_tag(ctx: &Ctx, t: &str) -> Option<(String, &'static str)> {
    let class = match t {
        "overdue" => "tag-red",
        "due_soon" | "closed_late" => "tag-amber",
        _ => return None,
    };
    Some((ctx.t(&format!("timeliness-{t}")), class))
}

fn kind_options(ctx: &Ctx) -> Vec<(String, String)> {
    let v: Vec<&str> = ItemKind::ALL.iter().map(|k| k.as_str()).collect();
    ctx.options("item-kind-", &v)
}

fn phase_options(ctx: &Ctx) -> Vec<(String, String)> {
    let v: Vec<&str> = PhaseKind::ALL.iter().map(|k| k.as_str()).collect();
    ctx.options("phase-", &v)
}

fn source_options(ctx: &Ctx) -> Vec<(String, String)> {
    let v: Vec<&str> = Source::ALL.iter().map(|k| k.as_str()).collect();
    ctx.options("source-", &v)
}

fn type_options(ctx: &Ctx) -> Vec<(String, String)> {
    let v: Vec<&str> = ItemType::ALL.iter().map(|k| k.as_str()).collect();
    ctx.options("item-type-", &v)
}

/// The deadline as a table shows it: the one in force, and the original if it was extended.
fn due_text(ctx: &Ctx, due: NaiveDate, original: NaiveDate) -> String {
    if due == original {
        due.to_string()
    } else {
        ctx.tr(
            "ledger-due-extended",
            &[("due", due.to_string()), ("original", original.to_string())],
        )
    }
}

/// A rate as a percentage for display.
pub(crate) fn percent(rate: Option<f64>) -> Option<String> {
    rate.map(|r| {
        let p = r * 100.0;
        if (p - p.round()).abs() < 0.05 {
            format!("{}%", p.round() as i64)
        } else {
            format!("{p:.1}%")
        }
    })
}

fn file_size(n: i64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f < KIB {
        format!("{n} B")
    } else if f < KIB * KIB {
        format!("{:.1} KB", f / KIB)
    } else {
        format!("{:.1} MB", f / (KIB * KIB))
    }
}

/// A date typed as `YYYY-MM-DD`, or the error code.
fn parse_date(s: &str) -> Result<NaiveDate, &'static str> {
    let s = s.trim();
    if s.is_empty() {
        return Err("required");
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "bad_date")
}

/// Today in the campaign's time zone (UTC if its rules cannot be read).
async fn campaign_today(state: &AppState, campaign_id: i64) -> NaiveDate {
    let now = state.svc.now();
    match items_svc::campaign_rules(&state.svc, campaign_id).await {
        Ok(r) => items_svc::local_today(now, r.tz),
        Err(_) => now.date_naive(),
    }
}

/// An item as a table row (the ledger, subtasks).
pub(crate) struct ItemRowView {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub kind_label: String,
    pub org_id: i64,
    pub org_name: String,
    pub person: String,
    pub due: String,
    pub timeliness: Option<(String, &'static str)>,
    pub status: String,
    pub status_label: String,
    pub status_class: &'static str,
    pub light: &'static str,
    pub light_label: String,
    pub progress: i64,
    pub evidence: i64,
}

pub(crate) fn row_view(ctx: &Ctx, r: &ItemRow) -> ItemRowView {
    let i = &r.item;
    ItemRowView {
        id: i.id,
        title: i.title.clone(),
        kind: i.kind.clone(),
        kind_label: ctx.t(&format!("item-kind-{}", i.kind)),
        org_id: i.lead_org_id,
        org_name: r.lead_org_name.clone(),
        person: i.responsible_person.clone(),
        due: due_text(ctx, i.due_on, i.original_due_on),
        timeliness: timeliness_tag(ctx, &i.timeliness),
        status: i.status.clone(),
        status_label: status_label(ctx, &i.status),
        status_class: status_class(&i.status),
        light: light_name(&i.light),
        light_label: light_label(ctx, &i.light),
        progress: i.progress_percent.clamp(0, 100),
        evidence: i.evidence_count,
    }
}
