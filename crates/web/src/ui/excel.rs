//! The ledger's spreadsheets in the pages: export of the filtered ledger, the template, and the
//! import form with its errors listed by row and column.

use super::{render, Ctx};
use crate::auth::Signed;
use crate::error::{explain, ApiError, RowMessage};
use crate::kit::{attachment_response, item_query, ItemListParams, XLSX};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use luodi_service::campaigns::Campaign;
use luodi_service::Page;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ledger/export.xlsx", get(export))
        .route("/ledger/template.xlsx", get(template))
        .route("/ledger/import", get(import_page).post(import))
        .route("/jobs/{id}", get(job_page))
}

async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(s): Signed,
    Query(mut p): Query<ItemListParams>,
) -> Result<Response, ApiError> {
    if p.within.is_none() {
        // The scope the user stands in, as on the ledger page.
        p.within = s.scope_org_id;
    }
    let lang = crate::auth::lang_of(&headers);
    let title = state.i18n.t(lang, "ledger-export-title");
    let bytes = luodi_service::ledger::export(&state.svc, &s.actor, item_query(&p), &title).await?;
    Ok(attachment_response(&format!("{title}.xlsx"), XLSX, bytes))
}

async fn template(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(s): Signed,
) -> Result<Response, ApiError> {
    let bytes = luodi_service::ledger::template(&state.svc, &s.actor).await?;
    let name = state
        .i18n
        .t(crate::auth::lang_of(&headers), "ledger-template-name");
    Ok(attachment_response(&format!("{name}.xlsx"), XLSX, bytes))
}

#[derive(Template)]
#[template(path = "excel_import.html")]
struct ImportPage {
    ctx: Ctx,
    campaigns: Vec<Campaign>,
    campaign_id: i64,
    max_bytes: u64,
    error: Option<String>,
    rows: Vec<RowMessage>,
    more: usize,
}

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    s: &luodi_service::auth::SignedIn,
    campaign_id: i64,
    error: Option<String>,
    rows: Vec<RowMessage>,
) -> Result<ImportPage, ApiError> {
    let ctx = Ctx::signed(state, headers, s, "ledger", "ledger-import-title").await?;
    let ctx = ctx
        .crumb(
            state.i18n.t(crate::auth::lang_of(headers), "nav-ledger"),
            "/ledger",
        )
        .crumb(
            state
                .i18n
                .t(crate::auth::lang_of(headers), "ledger-import-title"),
            "",
        );
    let campaigns = luodi_service::campaigns::list(&state.svc, &s.actor, None, Page::new(1, 100))
        .await?
        .items;
    let more = rows.len().saturating_sub(500);
    let rows = rows.into_iter().take(500).collect();
    Ok(ImportPage {
        ctx,
        campaign_id: if campaign_id > 0 {
            campaign_id
        } else {
            campaigns.first().map(|c| c.id).unwrap_or(0)
        },
        campaigns,
        max_bytes: state.config.max_upload_bytes,
        error,
        rows,
        more,
    })
}

async fn import_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(s): Signed,
) -> Result<Response, ApiError> {
    Ok(render(
        &page(&state, &headers, &s, 0, None, Vec::new()).await?,
    ))
}

async fn import(
    State(state): State<AppState>,
    _headers: HeaderMap,
    Signed(s): Signed,
    mut mp: Multipart,
) -> Result<Response, ApiError> {
    // Who may import is settled before the file is read.
    let permit = luodi_service::ledger::admit(&state.svc, &s.actor)?;
    let mut campaign_id = 0i64;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request("bad_request", e.body_text()))?
    {
        match field.name() {
            Some("campaign_id") => {
                campaign_id = field
                    .text()
                    .await
                    .ok()
                    .and_then(|t| t.trim().parse().ok())
                    .unwrap_or(0)
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::bad_request("bad_request", e.body_text()))?;
                if bytes.len() as u64 > state.config.max_upload_bytes {
                    return Err(luodi_service::ServiceError::Import(
                        luodi_office::ImportError::TooLarge {
                            max_bytes: state.config.max_upload_bytes,
                        },
                    )
                    .into());
                }
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let Some((name, bytes)) = file else {
        return Err(ApiError::bad_request("bad_request", "file"));
    };
    // Large files take a while: the import runs as a job whose page shows its progress.
    let id = luodi_service::ledger::start_import(&state.svc, permit, campaign_id, bytes, &name);
    Ok(Redirect::to(&format!("/jobs/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    ctx: Ctx,
    phase: &'static str,
    done: u64,
    total: u64,
    percent: u64,
    running: bool,
    created: Option<u64>,
    error: Option<String>,
    rows: Vec<RowMessage>,
    more: usize,
}

impl JobPage {
    fn phase_label(&self) -> String {
        self.ctx.t(&format!("job-phase-{}", self.phase))
    }
}

/// A background job's progress; the page refreshes itself (no script) until the job ends.
async fn job_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(s): Signed,
    axum::extract::Path(id): axum::extract::Path<u64>,
) -> Result<Response, ApiError> {
    let (p, outcome) = state
        .svc
        .jobs
        .get(s.user.id, id)
        .ok_or_else(ApiError::not_found)?;
    let lang = crate::auth::lang_of(&headers);
    let ctx = Ctx::signed(&state, &headers, &s, "ledger", "job-title").await?;
    let ctx = ctx
        .crumb(state.i18n.t(lang, "nav-ledger"), "/ledger")
        .crumb(state.i18n.t(lang, "job-title"), "");
    let (mut created, mut error, mut rows) = (None, None, Vec::new());
    match outcome.as_deref() {
        Some(Ok(v)) => created = v["created"].as_u64(),
        Some(Err(e)) => {
            let x = explain(&ApiError::from(e.copy()), &state.i18n, lang);
            error = Some(x.message);
            rows = x.rows;
        }
        None => {}
    }
    let more = rows.len().saturating_sub(500);
    rows.truncate(500);
    let percent = (p.done * 100).checked_div(p.total).unwrap_or(0);
    Ok(render(&JobPage {
        ctx,
        phase: p.phase,
        done: p.done,
        total: p.total,
        percent,
        running: outcome.is_none(),
        created,
        error,
        rows,
        more,
    }))
}
