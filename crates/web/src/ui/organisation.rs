//! The organisation page of an org for a campaign: the work plan with its versions and
//! attachments, the leading group, the working bodies with their duties, and which orgs each
//! supervision team watches (and which teams watch this org).

use super::forms::campaign_options;
use super::{fmt_time, see_other, see_refused};
use super::{opt_id, render, Ctx};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use luodi_domain::role::Permission;
use luodi_service::error::invalid;
use luodi_service::organisation::{
    self as svc, BodyInput, MemberInput, OrganisationView, PlanInput,
};
use luodi_service::ServiceError;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organisation", get(here))
        .route("/orgs/{id}/organisation", get(page))
        .route("/orgs/{id}/organisation/plan", post(save_plan))
        .route("/orgs/{id}/organisation/attachments", post(attach))
        .route("/orgs/{id}/organisation/group", post(set_group))
        .route("/orgs/{id}/organisation/bodies", post(add_body))
        .route("/working-bodies/{id}/watch", post(watch))
        .route("/plan-attachments/{id}/download", get(download))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageParams {
    campaign_id: String,
    ok: String,
    refused: String,
}

/// The organisation of the org the user stands in.
async fn here(State(state): State<AppState>, Signed(signed): Signed) -> Result<Redirect, ApiError> {
    let org = super::forms::default_org(&state, &signed)
        .await?
        .ok_or(ServiceError::NotFound("org"))?;
    Ok(Redirect::to(&format!("/orgs/{}/organisation", org.id)))
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    ctx: Ctx,
    v: OrganisationView,
    campaigns: Vec<(String, String)>,
    campaign: String,
    /// The members as the group form shows them, one per line.
    group_text: String,
    versions: Vec<(i64, String, String, String)>,
    kinds: Vec<(String, String)>,
}

fn role_word(ctx: &Ctx, role: &str) -> String {
    ctx.t(&format!("group-role-{role}"))
}

async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<PageParams>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let campaigns = campaign_options(&state, actor).await?;
    let campaign = opt_id(Some(&q.campaign_id))
        .or_else(|| campaigns.first().and_then(|c| c.0.parse().ok()))
        .ok_or(ServiceError::NotFound("campaign"))?;
    let v = svc::get(&state.svc, actor, campaign, id).await?;
    let mut ctx = Ctx::signed(
        &state,
        &headers,
        &signed,
        "organisation",
        "organisation-title",
    )
    .await?
    .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()))
    .with_refusal(Some(q.refused.as_str()).filter(|k| !k.is_empty()));
    ctx.back = format!("/orgs/{id}/organisation?campaign_id={campaign}");
    ctx.title = format!("{} · {}", v.org.name, ctx.t("organisation-title"));
    let ctx = ctx
        .crumb(v.org.name.clone(), &format!("/orgs/{id}"))
        .crumb(ctx_title(&state, &headers), "");
    let group_text = v
        .members
        .iter()
        .map(|m| {
            format!("{} {} {}", role_word(&ctx, &m.role), m.name, m.post)
                .trim()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let versions = v
        .versions
        .iter()
        .map(|p| {
            (
                p.version_no,
                fmt_time(&p.created_at),
                p.created_by.clone(),
                p.note.clone(),
            )
        })
        .collect();
    let kinds = svc::BODY_KINDS
        .iter()
        .map(|k| (k.to_string(), ctx.t(&format!("body-kind-{k}"))))
        .collect();
    Ok(render(&OrganisationPage {
        campaign: campaign.to_string(),
        campaigns,
        group_text,
        versions,
        kinds,
        v,
        ctx,
    }))
}

fn ctx_title(state: &AppState, headers: &HeaderMap) -> String {
    state
        .i18n
        .t(crate::auth::lang_of(headers), "organisation-title")
}

fn back(id: i64, campaign: i64) -> String {
    format!("/orgs/{id}/organisation?campaign_id={campaign}")
}

/// Redirects after a refusal to the page, which says why.
fn refused(id: i64, e: ServiceError) -> Result<Response, ApiError> {
    see_refused(&format!("/orgs/{id}/organisation"), e)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PlanForm {
    campaign_id: String,
    title: String,
    body: String,
    note: String,
    version_no: String,
}

async fn save_plan(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<PlanForm>,
) -> Result<Response, ApiError> {
    let campaign = opt_id(Some(&f.campaign_id)).unwrap_or(0);
    let input = PlanInput {
        title: f.title,
        body: f.body,
        note: f.note,
        version_no: f.version_no.trim().parse().unwrap_or(0),
    };
    match svc::save_plan(&state.svc, &signed.actor, campaign, id, input).await {
        Ok(_) => Ok(see_other(&back(id, campaign), "plan_saved")),
        Err(e) => refused(id, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CampaignQuery {
    campaign_id: String,
}

async fn attach(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<CampaignQuery>,
    mp: Multipart,
) -> Result<Response, ApiError> {
    let campaign = opt_id(Some(&q.campaign_id)).unwrap_or(0);
    let (name, bytes) = match crate::kit::read_upload(mp, state.config.max_upload_bytes).await {
        Ok(u) => u,
        Err(_) => return refused(id, invalid("file", "required")),
    };
    match svc::attach(&state.svc, &signed.actor, campaign, id, &name, &bytes).await {
        Ok(_) => Ok(see_other(&back(id, campaign), "attachment_added")),
        Err(e) => refused(id, e),
    }
}

async fn download(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (a, bytes) = svc::attachment(&state.svc, &signed.actor, id).await?;
    Ok(crate::kit::attachment_response(
        &a.file_name,
        &a.content_type,
        bytes,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GroupForm {
    campaign_id: String,
    /// One per line: `组长 张三 厅长` (role, name, post).
    members: String,
}

/// The role a line starts with, in either language.
fn parse_role(word: &str) -> Option<&'static str> {
    match word {
        "组长" | "leader" | "Leader" => Some("leader"),
        "副组长" | "deputy" | "Deputy" => Some("deputy"),
        "成员" | "member" | "Member" => Some("member"),
        _ => None,
    }
}

async fn set_group(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<GroupForm>,
) -> Result<Response, ApiError> {
    let campaign = opt_id(Some(&f.campaign_id)).unwrap_or(0);
    let mut members = Vec::new();
    for (i, line) in f
        .members
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let mut parts = line.splitn(3, char::is_whitespace);
        let role = parts.next().and_then(parse_role);
        let name = parts.next().unwrap_or("").trim();
        let Some(role) = role.filter(|_| !name.is_empty()) else {
            return refused(
                id,
                invalid(&format!("members[{i}].role"), "bad_member_line"),
            );
        };
        members.push(MemberInput {
            role: role.into(),
            name: name.into(),
            post: parts.next().unwrap_or("").trim().into(),
        });
    }
    match svc::set_group(&state.svc, &signed.actor, campaign, id, members).await {
        Ok(_) => Ok(see_other(&back(id, campaign), "group_saved")),
        Err(e) => refused(id, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BodyForm {
    campaign_id: String,
    kind: String,
    name: String,
    head: String,
    duties: String,
}

async fn add_body(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<BodyForm>,
) -> Result<Response, ApiError> {
    let campaign = opt_id(Some(&f.campaign_id)).unwrap_or(0);
    let input = BodyInput {
        kind: f.kind,
        name: f.name,
        head: f.head,
        duties: f.duties,
    };
    match svc::add_body(&state.svc, &signed.actor, campaign, id, input).await {
        Ok(_) => Ok(see_other(&back(id, campaign), "body_added")),
        Err(e) => refused(id, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WatchForm {
    org_code: String,
    org_id: String,
    release: String,
}

async fn watch(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(body): Path<i64>,
    Form(f): Form<WatchForm>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::EditItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let org = match opt_id(Some(&f.org_id)) {
        Some(o) => Some(o),
        None => luodi_service::orgs::get_by_code(&state.svc, actor, f.org_code.trim())
            .await
            .ok()
            .map(|o| o.id),
    };
    let Some(org) = org else {
        return see_refused("/organisation", invalid("org_id", "unknown_org"));
    };
    match svc::assign(&state.svc, actor, body, org, f.release.is_empty()).await {
        Ok(v) => Ok(see_other(&back(v.org.id, v.campaign_id), "watch_saved")),
        Err(e) => see_refused("/organisation", e),
    }
}
