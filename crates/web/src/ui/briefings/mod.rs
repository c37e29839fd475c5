//! Information submission (信息报送) and briefing (工作简报) pages: a unit writes a news item with
//! photos and submits it; the office edits it, adopts it into a numbered briefing (or records a
//! higher level's adoption), and publishes the briefing to its scope, also as a Word document.

mod issues;
mod submissions;

use issues::*;
use submissions::*;

use super::reports::{campaign_options, default_org_code, supervised_org};
use super::{fmt_time, pager_info, render_status, see_other, see_refused, FormErrors};
use super::{query_base, render, Ctx, Pager};
use crate::auth::{lang_of, Signed};
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use luodi_domain::role::Permission;
use luodi_service::auth::SignedIn;
use luodi_service::briefings::Submission;
use luodi_service::briefings::{
    self as svc, AdoptInput, BriefingInput, ListFilter, SubmissionInput, SubmissionText,
};
use luodi_service::orgs as orgs_svc;
use luodi_service::Page;
use luodi_service::ServiceError;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/submissions", get(list_page).post(create))
        .route("/submissions/new", get(new_page))
        .route("/submissions/{id}", get(show).post(update))
        .route("/submissions/{id}/submit", post(submit))
        .route("/submissions/{id}/photos", post(add_photo))
        .route("/submissions/{id}/adopt", post(adopt))
        .route("/submissions/{id}/unadopt", post(unadopt))
        .route("/photos/{id}", get(photo))
        .route("/briefings", get(briefings_page).post(create_briefing))
        .route("/briefings/{id}", get(briefing_page))
        .route("/briefings/{id}/publish", post(publish))
}

const STATUSES: [&str; 3] = ["draft", "submitted", "adopted"];

fn status_class(s: &str) -> &'static str {
    match s {
        "draft" => "tag-grey",
        "submitted" => "tag-blue",
        "adopted" => "tag-green",
        "published" => "tag-green",
        _ => "tag-amber",
    }
}

struct SubmissionRow {
    pub(super) id: i64,
    pub(super) title: String,
    pub(super) org_id: i64,
    pub(super) org_name: String,
    pub(super) status: String,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    pub(super) submitted: String,
    pub(super) author: String,
}

fn submission_row(ctx: &Ctx, s: &Submission) -> SubmissionRow {
    SubmissionRow {
        id: s.id,
        title: s.title.clone(),
        org_id: s.org_id,
        org_name: s.org_name.clone(),
        status: s.status.clone(),
        status_label: ctx.t(&format!("submission-status-{}", s.status)),
        status_class: status_class(&s.status),
        submitted: s.submitted_at.as_ref().map(fmt_time).unwrap_or_default(),
        author: s.author_name.clone(),
    }
}
