//! `/api/v1/search`: one search over items, reports, meetings, research and activities, within
//! the caller's scope.

use super::Paging;
use crate::auth::Signed;
use crate::error::ApiError;
use crate::kit::href;
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;
use luodi_service::search;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The words to look for (Chinese is segmented into words; every word must occur).
    pub q: String,
    /// Only one kind of record: `item`, `report`, `meeting`, `research` or `activity`.
    pub kind: Option<String>,
    pub campaign_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// One result.
#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    /// `item`, `report`, `meeting`, `research` or `activity`.
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub snippet: String,
    pub org_id: i64,
    pub org_name: String,
    pub campaign_id: Option<i64>,
    /// The page of the record in the web interface.
    pub href: String,
    /// Higher is better; comparable within one answer only.
    pub score: f64,
}

/// The answer: the words matched and a page of results, best first.
#[derive(Serialize, ToSchema)]
pub struct SearchAnswer {
    pub terms: Vec<String>,
    pub items: Vec<SearchHit>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Items and reports matching every word of `q`, ranked, within the caller's scope.
#[utoipa::path(get, path = "/search", tag = "search", params(SearchQuery), responses((status = 200, body = SearchAnswer), (status = 422, body = super::ErrorBody)))]
pub async fn find(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(q): Query<SearchQuery>,
) -> Result<Json<SearchAnswer>, ApiError> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page();
    let r = search::find(
        &state.svc,
        &s.actor,
        &q.q,
        q.kind.as_deref(),
        q.campaign_id,
        page,
    )
    .await?;
    Ok(Json(SearchAnswer {
        terms: r.terms,
        items: r
            .hits
            .items
            .into_iter()
            .map(|h| SearchHit {
                href: href(&h.doc_kind, h.doc_id),
                kind: h.doc_kind,
                id: h.doc_id,
                title: h.title,
                snippet: h.snippet,
                org_id: h.org_id,
                org_name: h.org_name,
                campaign_id: h.campaign_id,
                score: h.score,
            })
            .collect(),
        total: r.hits.total,
        page: r.hits.page,
        per_page: r.hits.per_page,
    }))
}
