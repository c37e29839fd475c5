//! `/api/v1/work-rules` and `/api/v1/reports`: work rules and the situation reports they make
//! fall due.

use super::{expected_version, stale_as_412, ApiJson, PageOf, Paging};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use luodi_service::reports::{self, ReportTexts, ReportView, RuleInput};
use luodi_service::reports::{Report, ReportFilter, WorkRule};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct WorkRuleDto {
    pub id: i64,
    pub campaign_id: i64,
    pub owner_org_id: i64,
    /// reporting, meeting, research or bulletin
    pub kind: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub cadence: serde_json::Value,
    pub scope_org_id: i64,
    pub scope_org_name: String,
    pub target_kinds: Vec<String>,
    pub active: bool,
}

impl From<WorkRule> for WorkRuleDto {
    fn from(r: WorkRule) -> Self {
        WorkRuleDto {
            id: r.id,
            campaign_id: r.campaign_id,
            owner_org_id: r.owner_org_id,
            kind: r.kind,
            name: r.name,
            cadence: serde_json::from_str(&r.cadence_json).unwrap_or_default(),
            scope_org_id: r.scope_org_id,
            scope_org_name: r.scope_org_name,
            target_kinds: r
                .target_kinds
                .split(',')
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect(),
            active: r.active,
        }
    }
}

/// The work rules the caller's orgs run or are bound by.
#[utoipa::path(get, path = "/work-rules", tag = "reports", responses((status = 200, body = Vec<WorkRuleDto>)))]
pub async fn rules(
    State(state): State<AppState>,
    Signed(s): Signed,
) -> Result<Json<Vec<WorkRuleDto>>, ApiError> {
    Ok(Json(
        reports::rules(&state.svc, &s.actor, None)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkRuleBody {
    pub campaign_id: i64,
    pub owner_org_id: i64,
    /// reporting, meeting, research or bulletin
    pub kind: String,
    pub name: String,
    /// `{"kind":"weekly","weekday":5,"time":"16:00:00"}`, `{"kind":"monthly","day":25,"time":"17:00:00"}` or `{"kind":"cron","expr":"0 16 * * 5"}`
    #[schema(value_type = Object)]
    pub cadence: serde_json::Value,
    /// The bound orgs: those of `target_kinds` (all kinds when empty) under this org.
    pub scope_org_id: i64,
    #[serde(default)]
    pub target_kinds: Vec<String>,
}

/// Sets up a work rule; a reporting rule makes a report fall due for every bound org each period.
#[utoipa::path(post, path = "/work-rules", tag = "reports", request_body = WorkRuleBody, responses((status = 201, body = WorkRuleDto), (status = 422, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn create_rule(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<WorkRuleBody>,
) -> Result<Response, ApiError> {
    let cadence = serde_json::from_value(b.cadence).map_err(|e| {
        ApiError::from(luodi_service::error::invalid("cadence", "bad_cadence"))
            .with_text(e.to_string())
    })?;
    let input = RuleInput {
        campaign_id: b.campaign_id,
        owner_org_id: b.owner_org_id,
        kind: b.kind,
        name: b.name,
        cadence,
        scope_org_id: b.scope_org_id,
        target_kinds: b.target_kinds,
    };
    let rule = reports::create_rule(&state.svc, &s.actor, input).await?;
    // Open the current period at once rather than at the scheduler's next tick.
    reports::open_periods(&state.svc).await?;
    Ok((StatusCode::CREATED, Json(WorkRuleDto::from(rule))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ReportSummary {
    pub id: i64,
    pub rule_id: i64,
    pub rule_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub period_key: String,
    pub due_at: chrono::DateTime<chrono::Utc>,
    /// open, draft, submitted, accepted, sent_back
    pub status: String,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

impl From<Report> for ReportSummary {
    fn from(r: Report) -> Self {
        ReportSummary {
            id: r.id,
            rule_id: r.rule_id,
            rule_name: r.rule_name,
            org_id: r.org_id,
            org_name: r.org_name,
            period_key: r.period_key,
            due_at: r.due_at,
            status: r.status,
            submitted_at: r.submitted_at,
            version: r.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportDto {
    #[serde(flatten)]
    pub summary: ReportSummary,
    /// open, submitted_on_time, submitted_late, missing
    pub state: String,
    /// Pre-filled from luodi's data (frozen at submission).
    #[schema(value_type = Object)]
    pub figures: serde_json::Value,
    /// 本周工作完成情况
    pub done_text: String,
    /// 存在问题
    pub problems_text: String,
    /// 下周工作计划
    pub plan_text: String,
    pub reviewed_by: Option<String>,
    pub review_comment: String,
    pub can_edit: bool,
    pub can_review: bool,
}

impl From<ReportView> for ReportDto {
    fn from(v: ReportView) -> Self {
        let r = v.report;
        ReportDto {
            state: serde_json::to_value(v.state)
                .ok()
                .and_then(|s| s.as_str().map(str::to_owned))
                .unwrap_or_default(),
            figures: v.figures,
            done_text: r.done_text.clone(),
            problems_text: r.problems_text.clone(),
            plan_text: r.plan_text.clone(),
            reviewed_by: r.reviewed_by.clone(),
            review_comment: r.review_comment.clone(),
            can_edit: v.can_edit,
            can_review: v.can_review,
            summary: r.into(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportListParams {
    pub rule_id: Option<i64>,
    pub period_key: Option<String>,
    pub org_id: Option<i64>,
    /// Comma-separated statuses.
    pub status: Option<String>,
    /// Only reports past their cut-off and never submitted.
    #[serde(default)]
    pub missing: bool,
    /// Only this org's subtree.
    pub within: Option<i64>,
    /// `on_time` or `late`: by first submission against the cut-off.
    pub punctuality: Option<String>,
    pub campaign_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Reports of the caller's subtree (a unit its own; supervisors those below them).
#[utoipa::path(get, path = "/reports", tag = "reports", params(ReportListParams), responses((status = 200, body = PageOf<ReportSummary>)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<ReportListParams>,
) -> Result<Json<PageOf<ReportSummary>>, ApiError> {
    let f = ReportFilter {
        scopes: vec![],
        rule_id: p.rule_id,
        period_key: p.period_key.clone(),
        org_id: p.org_id,
        statuses: p
            .status
            .as_deref()
            .map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_owned())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        missing_at: p.missing.then(|| state.svc.now()),
        within: match p.within {
            Some(id) => Some(
                luodi_service::orgs::get(&state.svc, &s.actor, id)
                    .await?
                    .path,
            ),
            None => None,
        },
        punctuality: p
            .punctuality
            .clone()
            .filter(|v| matches!(v.as_str(), "on_time" | "late")),
        campaign_id: p.campaign_id,
        awaiting_review: false,
    };
    let page = Paging {
        page: p.page,
        per_page: p.per_page,
    }
    .page();
    Ok(Json(PageOf::from(
        reports::list(&state.svc, &s.actor, f, page).await?,
        ReportSummary::from,
    )))
}

/// One report, with its figures pre-filled from luodi's data.
#[utoipa::path(get, path = "/reports/{id}", tag = "reports", params(("id" = i64, Path)), responses((status = 200, body = ReportDto), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<ReportDto>, ApiError> {
    Ok(Json(reports::get(&state.svc, &s.actor, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    #[serde(default)]
    pub done_text: String,
    #[serde(default)]
    pub problems_text: String,
    #[serde(default)]
    pub plan_text: String,
    /// Submit (figures are frozen) rather than save a draft.
    #[serde(default)]
    pub submit: bool,
    pub version: Option<i64>,
}

/// Saves or submits a report (the responsible unit).
#[utoipa::path(put, path = "/reports/{id}", tag = "reports", params(("id" = i64, Path)), request_body = ReportBody,
    responses((status = 200, body = ReportDto), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn write(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReportBody>,
) -> Result<Json<ReportDto>, ApiError> {
    let (version, if_match) = expected_version(&headers, b.version)?;
    let texts = ReportTexts {
        done_text: b.done_text,
        problems_text: b.problems_text,
        plan_text: b.plan_text,
    };
    let v = reports::write(&state.svc, &s.actor, id, texts, b.submit, version)
        .await
        .map_err(|e| stale_as_412(e, if_match))?;
    Ok(Json(v.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    pub accept: bool,
    /// Required when sending back.
    #[serde(default)]
    pub comment: String,
    pub version: Option<i64>,
}

/// The supervising org accepts a submitted report or sends it back with a comment.
#[utoipa::path(post, path = "/reports/{id}/review", tag = "reports", params(("id" = i64, Path)), request_body = ReviewBody,
    responses((status = 200, body = ReportDto), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> Result<Json<ReportDto>, ApiError> {
    let (version, if_match) = expected_version(&headers, b.version)?;
    let v = reports::review(&state.svc, &s.actor, id, b.accept, &b.comment, version)
        .await
        .map_err(|e| stale_as_412(e, if_match))?;
    Ok(Json(v.into()))
}
