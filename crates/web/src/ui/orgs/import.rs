//! Importing an org tree from a spreadsheet, and its template.

use super::*;

// --- Import ----------------------------------------------------------------------------------

/// Rows of import errors shown at most; the rest are counted.
pub(super) const MAX_ROWS_SHOWN: usize = 500;

/// "机构导入模板.xlsx", percent-encoded for `filename*` (RFC 5987).
pub(super) const TEMPLATE_NAME_UTF8: &str =
    "%E6%9C%BA%E6%9E%84%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx";
pub(super) const XLSX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Template)]
#[template(path = "orgs_import.html")]
pub(super) struct ImportPage {
    pub(super) ctx: Ctx,
    pub(super) max_bytes: u64,
    pub(super) too_large: String,
    pub(super) error: Option<String>,
    pub(super) detail: Option<String>,
    pub(super) rows: Vec<RowMessage>,
    pub(super) more: String,
}

pub(super) async fn import_ctx(
    state: &AppState,
    headers: &HeaderMap,
    signed: &luodi_service::auth::SignedIn,
) -> Result<Ctx, ApiError> {
    if !signed.actor.can_somewhere(Permission::ManageOrgs) {
        return Err(ServiceError::Forbidden.into());
    }
    let mut ctx = Ctx::signed(state, headers, signed, "import", "import-title").await?;
    ctx.back = "/orgs/import".into();
    let (orgs, title) = (ctx.t("orgs-title"), ctx.t("import-title"));
    Ok(ctx.crumb(orgs, "/orgs").crumb(title, ""))
}

pub(super) fn import_view(state: &AppState, ctx: Ctx) -> ImportPage {
    let max = state.config.max_upload_bytes;
    let too_large = ctx.tr(
        "err-file_too_large",
        &[("max", format!("{} MiB", max / (1024 * 1024)))],
    );
    ImportPage {
        ctx,
        max_bytes: max,
        too_large,
        error: None,
        detail: None,
        rows: Vec::new(),
        more: String::new(),
    }
}

pub(super) async fn import_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    let ctx = import_ctx(&state, &headers, &signed).await?;
    Ok(render(&import_view(&state, ctx)))
}

pub(super) async fn import_template(Signed(signed): Signed) -> Result<Response, ApiError> {
    if !signed.actor.can_somewhere(Permission::ReadOrgs) {
        return Err(ServiceError::Forbidden.into());
    }
    let bytes = luodi_office::org_import::template_xlsx().map_err(|e| {
        tracing::error!(error = %e, "import template failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    })?;
    let disposition = format!(
        "attachment; filename=\"org-import-template.xlsx\"; filename*=UTF-8''{TEMPLATE_NAME_UTF8}"
    );
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX_TYPE));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// Reads the `file` part of the upload: its name and bytes, refusing more than `max` bytes.
pub(super) async fn read_upload(
    mut mp: Multipart,
    max: u64,
) -> Result<Option<(String, Vec<u8>)>, ServiceError> {
    let too_large = || ServiceError::Import(ImportError::TooLarge { max_bytes: max });
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ServiceError::Import(ImportError::Unreadable(e.body_text()))
        }
    };
    while let Some(mut field) = mp.next_field().await.map_err(broken)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let mut buf = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            if (buf.len() + chunk.len()) as u64 > max {
                return Err(too_large());
            }
            buf.extend_from_slice(&chunk);
        }
        if name.is_empty() && buf.is_empty() {
            return Ok(None);
        }
        return Ok(Some((name, buf)));
    }
    Ok(None)
}

pub(super) async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    mp: Multipart,
) -> Result<Response, ApiError> {
    // Who may import is settled before the file is read.
    let permit = orgs_svc::admit_import(&state.svc, &signed.actor)?;
    let max = state.config.max_upload_bytes;
    let result = match read_upload(mp, max).await {
        Ok(None) => Err(None),
        Ok(Some((name, bytes))) => orgs_svc::import_file(&state.svc, permit, bytes, &name)
            .await
            .map(|_| ())
            .map_err(Some),
        Err(e) => Err(Some(e)),
    };
    let err = match result {
        Ok(_) => return Ok(Redirect::to("/orgs?ok=imported").into_response()),
        // Refusals of the file are shown on the form; anything else is an error page.
        Err(Some(e @ (ServiceError::Import(_) | ServiceError::Validation(_)))) => {
            Some(ApiError::from(e))
        }
        Err(Some(e)) => return Err(e.into()),
        Err(None) => None,
    };
    let ctx = import_ctx(&state, &headers, &signed).await?;
    let mut page = import_view(&state, ctx);
    let status = match err {
        None => {
            page.error = Some(page.ctx.t("import-no-file"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Some(err) => {
            let mut x = explain(&err, &state.i18n, page.ctx.lang);
            page.error = Some(x.message.clone());
            let mut details: Vec<String> = x.fields.iter().map(|f| f.message.clone()).collect();
            details.extend(x.text.take());
            page.detail = Some(details.join(" ")).filter(|d| !d.is_empty());
            if x.rows.len() > MAX_ROWS_SHOWN {
                page.more = page.ctx.tr(
                    "import-more-rows",
                    &[("count", (x.rows.len() - MAX_ROWS_SHOWN).to_string())],
                );
                x.rows.truncate(MAX_ROWS_SHOWN);
            }
            page.rows = x.rows;
            if matches!(err.details, crate::error::Details::Rows(_)) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                err.status
            }
        }
    };
    Ok(render_status(status, &page))
}
