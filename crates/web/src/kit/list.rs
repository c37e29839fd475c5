//! Lists: the query common to list pages, the pager, query strings for links, times as tables
//! show them.

use super::Ctx;
use chrono::{DateTime, Utc};

/// Parses an optional positive id from a form or query field ("" = none).
pub fn opt_id(s: Option<&str>) -> Option<i64> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
        .filter(|v: &i64| *v > 0)
}

/// Query parameters common to list pages.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    pub ok: Option<String>,
    pub disabled: Option<String>,
    /// Why the last action was refused (an error code), after a redirect.
    pub refused: Option<String>,
}

impl ListQuery {
    pub fn page(&self) -> luodi_service::Page {
        luodi_service::Page::new(self.page.unwrap_or(1), self.per_page.unwrap_or(50))
    }
}

/// A pager: numbers and links for a list page.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `base` is the page's URL with its filters and a trailing `&` or `?`.
    pub fn new(total: i64, page: i64, per_page: i64, base: &str) -> Self {
        let pages = ((total + per_page - 1) / per_page).max(1);
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| format!("{base}page={}", page - 1)),
            next: (page < pages).then(|| format!("{base}page={}", page + 1)),
        }
    }
}

/// Rebuilds a query string from pairs, skipping empty values (for pager links).
pub fn query_base(path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let mut s = format!("{path}?");
    for (k, v) in pairs {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            s.push_str(k);
            s.push('=');
            s.push_str(&crate::error::urlencode(v));
            s.push('&');
        }
    }
    s
}

/// A time as the campaign's people read it: Beijing time (the campaigns' zone), to the minute;
/// every signed-in page names the zone once, at its foot (`time-zone-note`).
pub fn fmt_time(t: &DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The pager line: total, page and pages (`pager-info`).
pub fn pager_info(ctx: &Ctx, p: &Pager) -> String {
    ctx.tr(
        "pager-info",
        &[
            ("total", p.total.to_string()),
            ("page", p.page.to_string()),
            ("pages", p.pages.to_string()),
        ],
    )
}
