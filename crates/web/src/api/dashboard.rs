//! `/api/v1/dashboard`: a scope's figures, each with the link to the list behind it. The links
//! are made here once, for the API and the dashboard page alike.

use crate::auth::Signed;
use crate::error::ApiError;
use crate::kit::{drill, Drill};
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;
use luodi_service::dashboard::{self, Dashboard};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// The scope's org; without it, every scope of the caller together.
    pub org_id: Option<i64>,
    pub campaign_id: Option<i64>,
}

/// The figures and the links behind them.
#[derive(Serialize, ToSchema)]
pub struct DashboardAnswer {
    /// Lights, counts and rates of the scope, per phase, per lagging child, per week and per
    /// report period.
    #[schema(value_type = Object)]
    pub figures: Dashboard,
    pub links: Drill,
}

/// A scope's dashboard: lights, progress per phase, the most overdue children, the on-time rate
/// week by week and report punctuality; every figure with the link to the list behind it.
#[utoipa::path(get, path = "/dashboard", tag = "dashboard", params(DashboardQuery), responses((status = 200, body = DashboardAnswer), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(q): Query<DashboardQuery>,
) -> Result<Json<DashboardAnswer>, ApiError> {
    let d = dashboard::get(&state.svc, &s.actor, q.org_id, q.campaign_id).await?;
    Ok(Json(DashboardAnswer {
        links: drill(&d),
        figures: d,
    }))
}
