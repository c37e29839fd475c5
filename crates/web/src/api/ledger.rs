//! The ledger in Excel through the API: the filtered ledger exported in the layout offices use,
//! the import template, and the import of a filled ledger (as a background job, or waited for).

use crate::auth::Signed;
use crate::error::ApiError;
use crate::kit::{attachment_response, item_query, ItemListParams};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The filtered ledger as .xlsx (same filters as the list), in the layout offices use: a
/// problem with several measures spans merged rows.
#[utoipa::path(get, path = "/items/export.xlsx", tag = "items", params(ItemListParams), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
pub async fn export(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<ItemListParams>,
) -> Result<Response, ApiError> {
    let bytes = luodi_service::ledger::export(
        &state.svc,
        &s.actor,
        item_query(&p),
        &state.i18n.t(crate::i18n::Lang::ZhCn, "ledger-export-title"),
    )
    .await?;
    Ok(attachment_response("整改台账.xlsx", XLSX, bytes))
}

/// The import template, with drop-down lists.
#[utoipa::path(get, path = "/items/template.xlsx", tag = "items", responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
pub async fn template(
    State(state): State<AppState>,
    Signed(s): Signed,
) -> Result<Response, ApiError> {
    let bytes = luodi_service::ledger::template(&state.svc, &s.actor).await?;
    Ok(attachment_response("整改台账导入模板.xlsx", XLSX, bytes))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    pub campaign_id: i64,
    /// Run in the background: answer 202 with a job to follow at `/jobs/{id}`.
    #[serde(default, rename = "async")]
    pub background: bool,
}

#[derive(Serialize, ToSchema)]
pub struct JobStarted {
    pub job_id: u64,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerImportResult {
    pub created: usize,
}

/// Imports a filled ledger (.xlsx or UTF-8 .csv, multipart field `file`) into a campaign. Every
/// row is checked first; one bad row and nothing is imported, each problem named by row and column.
#[utoipa::path(post, path = "/items/import", tag = "items", params(ImportParams), request_body(content_type = "multipart/form-data", content = String),
    responses((status = 200, body = LedgerImportResult), (status = 202, body = JobStarted), (status = 422, body = super::ErrorBody), (status = 413, body = super::ErrorBody), (status = 415, body = super::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<ImportParams>,
    mp: axum::extract::Multipart,
) -> Result<Response, ApiError> {
    // Who may import is settled before the file is read.
    let permit = luodi_service::ledger::admit(&state.svc, &s.actor)?;
    let (name, bytes) = crate::kit::read_upload(mp, state.config.max_upload_bytes).await?;
    if p.background {
        let job_id =
            luodi_service::ledger::start_import(&state.svc, permit, p.campaign_id, bytes, &name);
        return Ok((StatusCode::ACCEPTED, Json(JobStarted { job_id })).into_response());
    }
    let r = luodi_service::ledger::import(&state.svc, permit, p.campaign_id, bytes, &name).await?;
    Ok(Json(LedgerImportResult { created: r.created }).into_response())
}
