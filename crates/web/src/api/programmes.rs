//! `/api/v1/programmes`: special programmes (专项整治) with their areas and progress.

use super::ApiJson;
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luodi_service::programmes::{self, ProgrammeDetail, ProgrammeInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct AreaDto {
    pub id: i64,
    pub position: i64,
    /// 整治内容
    pub name: String,
    /// Measures (items) of this area within the caller's scope.
    pub total: i64,
    pub done: i64,
    #[schema(value_type = Object)]
    pub by_light: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeDto {
    pub id: i64,
    pub campaign_id: i64,
    pub owner_org_id: i64,
    pub owner_org_name: String,
    pub name: String,
    /// 整治目标
    pub goal: String,
    pub areas: Vec<AreaDto>,
}

impl From<ProgrammeDetail> for ProgrammeDto {
    fn from(d: ProgrammeDetail) -> Self {
        let p = d.programme;
        ProgrammeDto {
            id: p.id,
            campaign_id: p.campaign_id,
            owner_org_id: p.owner_org_id,
            owner_org_name: p.owner_org_name,
            name: p.name,
            goal: p.goal,
            areas: d
                .areas
                .into_iter()
                .map(|a| AreaDto {
                    id: a.area.id,
                    position: a.area.position,
                    name: a.area.name,
                    total: a.total,
                    done: a.done,
                    by_light: serde_json::to_value(&a.by_light).unwrap_or_default(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeSummary {
    pub id: i64,
    pub campaign_id: i64,
    pub owner_org_name: String,
    pub name: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeListParams {
    pub campaign_id: Option<i64>,
}

/// Programmes the caller's orgs run or are subject to.
#[utoipa::path(get, path = "/programmes", tag = "programmes", params(ProgrammeListParams), responses((status = 200, body = Vec<ProgrammeSummary>)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<ProgrammeListParams>,
) -> Result<Json<Vec<ProgrammeSummary>>, ApiError> {
    let list = programmes::list(&state.svc, &s.actor, p.campaign_id).await?;
    Ok(Json(
        list.into_iter()
            .map(|p| ProgrammeSummary {
                id: p.id,
                campaign_id: p.campaign_id,
                owner_org_name: p.owner_org_name,
                name: p.name,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeBody {
    pub campaign_id: i64,
    pub owner_org_id: i64,
    pub name: String,
    #[serde(default)]
    pub goal: String,
    /// 整治内容, in order.
    pub areas: Vec<String>,
}

/// Sets up a special programme with its areas (campaign office or supervisor of the owner org).
#[utoipa::path(post, path = "/programmes", tag = "programmes", request_body = ProgrammeBody, responses((status = 201, body = ProgrammeDto), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<ProgrammeBody>,
) -> Result<Response, ApiError> {
    let d = programmes::create(
        &state.svc,
        &s.actor,
        ProgrammeInput {
            campaign_id: b.campaign_id,
            owner_org_id: b.owner_org_id,
            name: b.name,
            goal: b.goal,
            areas: b.areas,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ProgrammeDto::from(d))).into_response())
}

/// A programme with each area's measures counted (done, by light) within the caller's scope.
#[utoipa::path(get, path = "/programmes/{id}", tag = "programmes", params(("id" = i64, Path)), responses((status = 200, body = ProgrammeDto), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<ProgrammeDto>, ApiError> {
    Ok(Json(
        programmes::get(&state.svc, &s.actor, id).await?.into(),
    ))
}
