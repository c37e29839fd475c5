//! `/api/v1/campaigns`.

use super::{etag, expected_version, stale_as_412, ApiJson, PageOf, Paging};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use luodi_service::campaigns::Campaign;
use luodi_service::campaigns::{self, CampaignDetail, CampaignInput, GoalInput, PhaseEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalDto {
    pub title: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseDto {
    /// study, research, review or rectification.
    pub kind: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct ScopeOrgDto {
    pub org_id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignSummary {
    pub id: i64,
    pub name: String,
    pub owner_org_id: i64,
    pub owner_org_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub version: i64,
}

impl From<Campaign> for CampaignSummary {
    fn from(c: Campaign) -> Self {
        CampaignSummary {
            id: c.id,
            name: c.name,
            owner_org_id: c.owner_org_id,
            owner_org_name: c.owner_org_name,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            version: c.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDto {
    #[serde(flatten)]
    pub summary: CampaignSummary,
    /// 总要求
    pub requirements: String,
    /// 根本任务
    pub fundamental_task: String,
    pub time_zone: String,
    pub goals: Vec<GoalDto>,
    pub phases: Vec<PhaseDto>,
    pub scope: Vec<ScopeOrgDto>,
    pub rules: Option<RulesBody>,
}

impl From<CampaignDetail> for CampaignDto {
    fn from(d: CampaignDetail) -> Self {
        let c = d.campaign;
        let rules = d.rules.map(|r| RulesBody {
            due_soon_days: r.due_soon_days,
            lagging_numerator: r.lagging_numerator,
            lagging_denominator: r.lagging_denominator,
            little_progress_percent: r.little_progress_percent,
            recheck_after_days: r.recheck_after_days,
            progress_rule: r.progress_rule,
            reminder_offsets: luodi_domain::delivery::parse_offsets(&r.reminder_offsets),
        });
        CampaignDto {
            rules,
            requirements: c.requirements.clone(),
            fundamental_task: c.fundamental_task.clone(),
            time_zone: c.time_zone.clone(),
            summary: c.into(),
            goals: d
                .goals
                .into_iter()
                .map(|g| GoalDto {
                    title: g.title,
                    description: g.description,
                })
                .collect(),
            phases: d
                .phases
                .into_iter()
                .map(|p| PhaseDto {
                    kind: p.kind,
                    name: p.name,
                    starts_on: p.starts_on,
                    ends_on: p.ends_on,
                })
                .collect(),
            scope: d
                .scope
                .into_iter()
                .map(|s| ScopeOrgDto {
                    org_id: s.org_id,
                    code: s.code,
                    name: s.name,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignListParams {
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Campaigns the caller's orgs run or are subject to.
#[utoipa::path(get, path = "/campaigns", tag = "campaigns", params(CampaignListParams), responses((status = 200, body = PageOf<CampaignSummary>)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<CampaignListParams>,
) -> Result<Json<PageOf<CampaignSummary>>, ApiError> {
    let page = Paging {
        page: p.page,
        per_page: p.per_page,
    }
    .page();
    Ok(Json(PageOf::from(
        campaigns::list(&state.svc, &s.actor, p.q.as_deref(), page).await?,
        CampaignSummary::from,
    )))
}

/// A campaign as sent. Phases default to the four phases spanning the campaign; the scope
/// defaults to the owner's subtree.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    pub owner_org_id: i64,
    pub name: String,
    #[serde(default)]
    pub requirements: String,
    #[serde(default)]
    pub fundamental_task: String,
    /// IANA time zone, default Asia/Shanghai.
    pub time_zone: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[serde(default)]
    pub goals: Vec<GoalDto>,
    pub phases: Option<Vec<PhaseDto>>,
    #[serde(default)]
    pub scope_org_ids: Vec<i64>,
    /// Light, re-check and progress rules (absent: unchanged; defaults from the domain).
    pub rules: Option<RulesBody>,
    /// For updates: the version read (or send If-Match).
    pub version: Option<i64>,
}

/// A campaign's rules.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    /// Yellow within this many days of the deadline (default 3).
    pub due_soon_days: i64,
    /// Yellow past numerator/denominator of the allowed time (default 2/3)…
    pub lagging_numerator: i64,
    pub lagging_denominator: i64,
    /// …with less than this percentage done (default 50).
    pub little_progress_percent: i64,
    /// Days from close-out to the effectiveness re-check (default 30).
    pub recheck_after_days: i64,
    /// How a task's progress follows its subtasks: by_count (default), weighted or manual.
    pub progress_rule: String,
    /// Days before a deadline on which reminders (催办) go out (default [3, 1]).
    #[serde(default = "luodi_service::campaigns::default_offsets")]
    pub reminder_offsets: Vec<i64>,
}

impl CampaignBody {
    fn input(self) -> CampaignInput {
        CampaignInput {
            owner_org_id: self.owner_org_id,
            name: self.name,
            requirements: self.requirements,
            fundamental_task: self.fundamental_task,
            time_zone: self.time_zone,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            goals: self
                .goals
                .into_iter()
                .map(|g| GoalInput {
                    title: g.title,
                    description: g.description,
                })
                .collect(),
            phases: self.phases.map(|ps| {
                ps.into_iter()
                    .map(|p| PhaseEntry {
                        kind: p.kind,
                        name: p.name,
                        starts_on: p.starts_on,
                        ends_on: p.ends_on,
                    })
                    .collect()
            }),
            scope_org_ids: self.scope_org_ids,
            rules: self.rules.map(|r| luodi_service::campaigns::RulesInput {
                due_soon_days: r.due_soon_days,
                lagging_numerator: r.lagging_numerator,
                lagging_denominator: r.lagging_denominator,
                little_progress_percent: r.little_progress_percent,
                recheck_after_days: r.recheck_after_days,
                progress_rule: r.progress_rule,
                reminder_offsets: r.reminder_offsets,
            }),
        }
    }
}

/// Sets up a campaign (campaign office).
#[utoipa::path(post, path = "/campaigns", tag = "campaigns", request_body = CampaignBody, responses((status = 201, body = CampaignDto), (status = 422, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<CampaignBody>,
) -> Result<Response, ApiError> {
    let d = campaigns::create(&state.svc, &s.actor, b.input()).await?;
    Ok((
        StatusCode::CREATED,
        [etag(d.campaign.version)],
        Json(CampaignDto::from(d)),
    )
        .into_response())
}

/// One campaign with goals, phases and scope.
#[utoipa::path(get, path = "/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)), responses((status = 200, body = CampaignDto), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = campaigns::get(&state.svc, &s.actor, id).await?;
    Ok(([etag(d.campaign.version)], Json(CampaignDto::from(d))).into_response())
}

/// Replaces a campaign's fields, goals, phases and scope.
#[utoipa::path(put, path = "/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)), request_body = CampaignBody, responses((status = 200, body = CampaignDto), (status = 409, body = super::ErrorBody), (status = 412, body = super::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CampaignBody>,
) -> Result<Response, ApiError> {
    let (version, if_match) = expected_version(&headers, b.version)?;
    let d = campaigns::update(&state.svc, &s.actor, id, b.input(), version)
        .await
        .map_err(|e| stale_as_412(e, if_match))?;
    Ok(([etag(d.campaign.version)], Json(CampaignDto::from(d))).into_response())
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricsBody {
    /// Metrics switched off: lights, phase_progress, overdue_ranking, indicators,
    /// on_time_weekly, report_punctuality, activity_counts.
    pub hidden: Vec<String>,
}

/// The metrics a campaign has switched off.
#[utoipa::path(get, path = "/campaigns/{id}/metrics", tag = "campaigns", params(("id" = i64, Path)), responses((status = 200, body = MetricsBody), (status = 404, body = super::ErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<MetricsBody>, ApiError> {
    let hidden = luodi_service::campaigns::hidden_metrics(&state.svc, &s.actor, id).await?;
    Ok(Json(MetricsBody { hidden }))
}

/// Switches metrics off for a campaign (the others on); the campaign's office decides.
#[utoipa::path(put, path = "/campaigns/{id}/metrics", tag = "campaigns", params(("id" = i64, Path)), request_body = MetricsBody, responses((status = 200, body = MetricsBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn set_metrics(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MetricsBody>,
) -> Result<Json<MetricsBody>, ApiError> {
    let hidden =
        luodi_service::campaigns::set_hidden_metrics(&state.svc, &s.actor, id, b.hidden).await?;
    Ok(Json(MetricsBody { hidden }))
}
