//! `/api/v1/meetings`: leading-group meetings, each commitment a tracked item; `/api/v1/research`:
//! research topics, visits, findings, the problems they raise, reports; `/api/v1/activities`:
//! study activities, counted per kind; `/api/v1/key-works`: key work with its tasks and
//! indicators, weekly actuals and confidence; an org's organisation (work plan, leading group,
//! working bodies, supervision assignments).

use super::{ApiJson, Paging};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luodi_service::activities::ActivityFilter;
use luodi_service::activities::{self, ActivityInput};
use luodi_service::keyworks::{self, ActualInput, ConfidenceInput, IndicatorInput, KeyWorkInput};
use luodi_service::meetings::MeetingFilter;
use luodi_service::meetings::{self, MeetingInput};
use luodi_service::organisation::{self, BodyInput, MemberInput, PlanInput};
use luodi_service::research::TopicFilter;
use luodi_service::research::{
    self, FindingInput, ProblemInput, ReportInput, TopicInput, VisitInput,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

fn created<T: serde::Serialize>(v: &T) -> Response {
    (StatusCode::CREATED, Json(to_json(v))).into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingQuery {
    pub org_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Meetings of the caller's subtree, latest first.
#[utoipa::path(get, path = "/meetings", tag = "meetings", params(MeetingQuery), responses((status = 200, body = Object)))]
pub async fn list_meetings(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(q): Query<MeetingQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page();
    let f = MeetingFilter {
        org_id: q.org_id,
        campaign_id: q.campaign_id,
        ..Default::default()
    };
    Ok(Json(to_json(
        &meetings::list(&state.svc, &s.actor, f, page).await?,
    )))
}

/// Records a held meeting: `{campaign_id, org_id, kind (leading_group|office|other), title,
/// held_on, place, chair, attendees, minutes, commitments: [{title, responsible_person,
/// responsible_user_id?, lead_org_id?, due_on}]}`. Every commitment becomes an issued task.
#[utoipa::path(post, path = "/meetings", tag = "meetings", request_body = Object, responses((status = 201, body = Object), (status = 422, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn create_meeting(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<MeetingInput>,
) -> Result<Response, ApiError> {
    Ok(created(&meetings::create(&state.svc, &s.actor, b).await?))
}

/// One meeting with its commitments, and the earlier commitments it reviews.
#[utoipa::path(get, path = "/meetings/{id}", tag = "meetings", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn get_meeting(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &meetings::get(&state.svc, &s.actor, id).await?,
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopicQuery {
    pub campaign_id: Option<i64>,
    /// ongoing or reported
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Research topics of the caller's subtree.
#[utoipa::path(get, path = "/research", tag = "research", params(TopicQuery), responses((status = 200, body = Object)))]
pub async fn list_topics(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(q): Query<TopicQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page();
    let f = TopicFilter {
        campaign_id: q.campaign_id,
        status: q.status.filter(|s| !s.is_empty()),
        ..Default::default()
    };
    Ok(Json(to_json(
        &research::list(&state.svc, &s.actor, f, page).await?,
    )))
}

/// Sets up a research topic: `{campaign_id, org_id, title, weakness, lead, members}`.
#[utoipa::path(post, path = "/research", tag = "research", request_body = Object, responses((status = 201, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn create_topic(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<TopicInput>,
) -> Result<Response, ApiError> {
    Ok(created(&research::create(&state.svc, &s.actor, b).await?))
}

/// One topic with its visits and findings (each with the item its problem became).
#[utoipa::path(get, path = "/research/{id}", tag = "research", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn get_topic(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &research::get(&state.svc, &s.actor, id).await?,
    )))
}

/// Records a visit: `{visited_on, place, notes}`.
#[utoipa::path(post, path = "/research/{id}/visits", tag = "research", params(("id" = i64, Path)), request_body = Object, responses((status = 201, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn add_visit(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VisitInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        &research::add_visit(&state.svc, &s.actor, id, b).await?,
    ))
}

/// Records a finding: `{text}`.
#[utoipa::path(post, path = "/research/{id}/findings", tag = "research", params(("id" = i64, Path)), request_body = Object, responses((status = 201, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn add_finding(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<FindingInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        &research::add_finding(&state.svc, &s.actor, id, b).await?,
    ))
}

/// Writes the topic's report: `{report, reported_on, version}`.
#[utoipa::path(post, path = "/research/{id}/report", tag = "research", params(("id" = i64, Path)), request_body = Object, responses((status = 200, body = Object), (status = 409, body = super::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReportInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &research::report(&state.svc, &s.actor, id, b).await?,
    )))
}

/// Raises the problem a finding found as a rectification item: `{title?, measures,
/// lead_org_id?, responsible_person, responsible_user_id?, due_on}`.
#[utoipa::path(post, path = "/findings/{id}/problem", tag = "research", params(("id" = i64, Path)), request_body = Object, responses((status = 201, body = Object), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn raise_problem(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ProblemInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        &research::raise_problem(&state.svc, &s.actor, id, b).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// Only this org's subtree.
    pub within: Option<i64>,
    pub campaign_id: Option<i64>,
    pub kind: Option<String>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Study activities of the caller's subtree, latest first, with their counts per kind.
#[utoipa::path(get, path = "/activities", tag = "activities", params(ActivityQuery), responses((status = 200, body = Object)))]
pub async fn list_activities(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(q): Query<ActivityQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page();
    let f = ActivityFilter {
        campaign_id: q.campaign_id,
        kind: q.kind.filter(|k| !k.is_empty()),
        from: q.from,
        to: q.to,
        ..Default::default()
    };
    let (list, counts) = activities::list(&state.svc, &s.actor, q.within, f, page).await?;
    let mut v = to_json(&list);
    v["by_kind"] = to_json(
        &counts
            .into_iter()
            .collect::<std::collections::BTreeMap<String, i64>>(),
    );
    Ok(Json(v))
}

/// Records a study activity: `{campaign_id, org_id, kind, title, held_on, place, organiser,
/// participants, materials}`.
#[utoipa::path(post, path = "/activities", tag = "activities", request_body = Object, responses((status = 201, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn create_activity(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<ActivityInput>,
) -> Result<Response, ApiError> {
    Ok(created(&activities::create(&state.svc, &s.actor, b).await?))
}

/// One study activity.
#[utoipa::path(get, path = "/activities/{id}", tag = "activities", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn get_activity(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &activities::get(&state.svc, &s.actor, id).await?,
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyWorkQuery {
    pub campaign_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Key works of the caller's subtree.
#[utoipa::path(get, path = "/key-works", tag = "key_works", params(KeyWorkQuery), responses((status = 200, body = Object)))]
pub async fn list_key_works(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(q): Query<KeyWorkQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page();
    Ok(Json(to_json(
        &keyworks::list(&state.svc, &s.actor, q.campaign_id, page).await?,
    )))
}

/// Records a key work: `{campaign_id, org_id, title, description}`.
#[utoipa::path(post, path = "/key-works", tag = "key_works", request_body = Object, responses((status = 201, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn create_key_work(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<KeyWorkInput>,
) -> Result<Response, ApiError> {
    Ok(created(&keyworks::create(&state.svc, &s.actor, b).await?))
}

/// One key work with its tasks and its indicators (trajectory, actuals, how each stands).
#[utoipa::path(get, path = "/key-works/{id}", tag = "key_works", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn get_key_work(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &keyworks::get(&state.svc, &s.actor, id).await?,
    )))
}

/// Adds an indicator: `{name, unit, baseline, target, direction (increase|decrease), start_on,
/// target_on, plan?: [[week, value], …]}`; without a plan the trajectory is a straight line.
#[utoipa::path(post, path = "/key-works/{id}/indicators", tag = "key_works", params(("id" = i64, Path)), request_body = Object, responses((status = 201, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn add_indicator(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<IndicatorInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        &keyworks::add_indicator(&state.svc, &s.actor, id, b).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkTaskBody {
    pub item_id: i64,
}

/// Links a task to the key work it carries forward.
#[utoipa::path(post, path = "/key-works/{id}/tasks", tag = "key_works", params(("id" = i64, Path)), request_body = LinkTaskBody, responses((status = 200, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn link_task(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<LinkTaskBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &keyworks::link_task(&state.svc, &s.actor, id, b.item_id).await?,
    )))
}

/// Records the week's actual: `{week_on, value}` (once a week; a correction replaces it).
#[utoipa::path(post, path = "/indicators/{id}/actuals", tag = "key_works", params(("id" = i64, Path)), request_body = Object, responses((status = 200, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn record_actual(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ActualInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &keyworks::record_actual(&state.svc, &s.actor, id, b).await?,
    )))
}

/// Sets the confidence rating: `{confidence (high|medium|low), note, version}`.
#[utoipa::path(post, path = "/indicators/{id}/confidence", tag = "key_works", params(("id" = i64, Path)), request_body = Object, responses((status = 200, body = Object), (status = 409, body = super::ErrorBody)))]
pub async fn set_confidence(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ConfidenceInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &keyworks::set_confidence(&state.svc, &s.actor, id, b).await?,
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignParam {
    pub campaign_id: i64,
}

/// An org's organisation for a campaign: the work plan (with its versions and attachments), the
/// leading group, the working bodies with their duties and the orgs supervision teams watch.
#[utoipa::path(get, path = "/orgs/{id}/organisation", tag = "organisation", params(("id" = i64, Path), CampaignParam), responses((status = 200, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn get_organisation(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    Query(q): Query<CampaignParam>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &organisation::get(&state.svc, &s.actor, q.campaign_id, id).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    pub campaign_id: i64,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub note: String,
    /// The version read (0 when there is none yet); a newer one refuses the save (409).
    pub version_no: i64,
}

/// Saves the work plan as a new version.
#[utoipa::path(post, path = "/orgs/{id}/plan", tag = "organisation", params(("id" = i64, Path)), request_body = PlanBody, responses((status = 200, body = Object), (status = 409, body = super::ErrorBody)))]
pub async fn save_plan(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PlanBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let input = PlanInput {
        title: b.title,
        body: b.body,
        note: b.note,
        version_no: b.version_no,
    };
    Ok(Json(to_json(
        &organisation::save_plan(&state.svc, &s.actor, b.campaign_id, id, input).await?,
    )))
}

/// Attaches a file to the work plan (multipart field `file`; checked by content).
#[utoipa::path(post, path = "/orgs/{id}/plan/attachments", tag = "organisation", params(("id" = i64, Path), CampaignParam), request_body(content = String, content_type = "multipart/form-data"), responses((status = 201, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn attach(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    Query(q): Query<CampaignParam>,
    mp: axum::extract::Multipart,
) -> Result<Response, ApiError> {
    let (name, bytes) = crate::kit::read_upload(mp, state.config.max_upload_bytes).await?;
    Ok(created(
        &organisation::attach(&state.svc, &s.actor, q.campaign_id, id, &name, &bytes).await?,
    ))
}

/// Downloads a plan attachment (always as an attachment, never inline).
#[utoipa::path(get, path = "/plan-attachments/{id}", tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = String), (status = 404, body = super::ErrorBody)))]
pub async fn plan_attachment(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (a, bytes) = organisation::attachment(&state.svc, &s.actor, id).await?;
    Ok(crate::kit::attachment_response(
        &a.file_name,
        &a.content_type,
        bytes,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupBody {
    pub campaign_id: i64,
    /// `[{role: leader|deputy|member, name, post}]`, exactly one leader.
    #[schema(value_type = Vec<Object>)]
    pub members: Vec<MemberInput>,
}

/// Sets the leading group.
#[utoipa::path(put, path = "/orgs/{id}/leading-group", tag = "organisation", params(("id" = i64, Path)), request_body = GroupBody, responses((status = 200, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn set_group(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<GroupBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &organisation::set_group(&state.svc, &s.actor, b.campaign_id, id, b.members).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingBodyBody {
    pub campaign_id: i64,
    /// office, supervision_team or other
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub head: String,
    pub duties: String,
}

/// Adds a working body (the office, a supervision team) with its duties.
#[utoipa::path(post, path = "/orgs/{id}/working-bodies", tag = "organisation", params(("id" = i64, Path)), request_body = WorkingBodyBody, responses((status = 201, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn add_body(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<WorkingBodyBody>,
) -> Result<Response, ApiError> {
    let input = BodyInput {
        kind: b.kind,
        name: b.name,
        head: b.head,
        duties: b.duties,
    };
    Ok(created(
        &organisation::add_body(&state.svc, &s.actor, b.campaign_id, id, input).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchBody {
    pub org_id: i64,
    /// true to assign the org to the team, false to release it.
    pub watch: bool,
}

/// Assigns an org below to a supervision team, or releases it.
#[utoipa::path(post, path = "/working-bodies/{id}/watch", tag = "organisation", params(("id" = i64, Path)), request_body = WatchBody, responses((status = 200, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn watch(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<WatchBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &organisation::assign(&state.svc, &s.actor, id, b.org_id, b.watch).await?,
    )))
}
