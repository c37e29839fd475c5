//! Lists handed out as spreadsheets: the "导出Excel" link of a list page carries the page's
//! filters to a route next to it (`/reports/export.xlsx?status=…`), which reads the first
//! [`Page::EXPORT_ROWS`] rows through the same service list the page calls (so scope and
//! authorization are the service's) and answers with [`xlsx_list`]. The download is audited as
//! every file is ([`super::attachment_response`]).

use super::{attachment_response, Ctx};
use crate::error::ApiError;
use axum::response::Response;
pub use luodi_office::table::Cell;
use luodi_service::{Page, ServiceError};

/// The media type of an .xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The page an export reads: the first [`Page::EXPORT_ROWS`] rows, in one query.
pub fn export_page() -> Page {
    Page::export()
}

/// The export link of a list whose page link with its filters is `base` (as made by
/// [`super::query_base`], `"/reports?status=draft&"`): the same filters on `export_path`.
pub fn export_href(export_path: &str, base: &str) -> String {
    let query = base
        .split_once('?')
        .map(|(_, q)| q.trim_end_matches('&'))
        .unwrap_or("");
    if query.is_empty() {
        export_path.to_owned()
    } else {
        format!("{export_path}?{query}")
    }
}

/// A list as a workbook download named after `title_key`'s text: the title row says how many
/// rows the list has, and that only the first ones are in the file when it has more than
/// [`Page::EXPORT_ROWS`]; `header_keys` are the page's column labels.
pub async fn xlsx_list(
    ctx: &Ctx,
    title_key: &str,
    header_keys: &[&str],
    rows: Vec<Vec<Cell>>,
    total: i64,
) -> Result<Response, ApiError> {
    let title = ctx.t(title_key);
    let shown = rows.len() as i64;
    let heading = if total > shown {
        ctx.tr(
            "export-title-partial",
            &[
                ("title", title.clone()),
                ("shown", shown.to_string()),
                ("total", total.to_string()),
            ],
        )
    } else {
        ctx.tr(
            "export-title",
            &[("title", title.clone()), ("total", total.to_string())],
        )
    };
    let headers: Vec<String> = header_keys.iter().map(|k| ctx.t(k)).collect();
    let bytes = tokio::task::spawn_blocking(move || {
        luodi_office::table::workbook(&heading, &headers, &rows)
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
    .map_err(ServiceError::Internal)?;
    Ok(attachment_response(&format!("{title}.xlsx"), XLSX, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_link_keeps_the_filters() {
        assert_eq!(
            export_href(
                "/reports/export.xlsx",
                "/reports?status=draft&period=2026-W10&"
            ),
            "/reports/export.xlsx?status=draft&period=2026-W10"
        );
        assert_eq!(
            export_href("/orgs/export.xlsx", "/orgs?"),
            "/orgs/export.xlsx"
        );
    }
}
