//! `/api/v1/audit`: the audit trail, for the audit administrator.

use super::{PageOf, Paging};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use luodi_store::audit::{AuditFilter, AuditRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct AuditDto {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    /// ok, refused
    pub outcome: String,
}

impl From<AuditRecord> for AuditDto {
    fn from(r: AuditRecord) -> Self {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditDto {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            ip: r.ip,
            outcome: r.outcome,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub outcome: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Browses the audit trail (audit administrator only), newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditParams), responses((status = 200, body = PageOf<AuditDto>), (status = 403, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<AuditParams>,
) -> Result<Json<PageOf<AuditDto>>, ApiError> {
    let page = Paging {
        page: p.page,
        per_page: p.per_page,
    }
    .page();
    let f = AuditFilter {
        scopes: vec![],
        actor: p.actor,
        action: p.action,
        object_type: p.object_type,
        outcome: p.outcome,
        from: p.from,
        to: p.to,
    };
    Ok(Json(PageOf::from(
        luodi_service::audit::list(&state.svc, &s.actor, f, page).await?,
        AuditDto::from,
    )))
}
