//! The search page: one box over items and reports, results ranked and cut to the reader's
//! scope, the matched words marked.

use super::pager_info;
use super::{query_base, render, Ctx, Pager};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::kit::href;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use luodi_service::search::{self as svc, KINDS};
use luodi_service::Page;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search_page))
}

const PER_PAGE: i64 = 20;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SearchParams {
    q: String,
    kind: String,
    page: String,
}

/// Text cut into runs, each marked when it is one of the matched words.
pub type Marked = Vec<(String, bool)>;

/// Cuts `text` into runs, marking every occurrence of a word of `terms` (longest first; Latin
/// letters compared without case).
pub fn mark(text: &str, terms: &[String]) -> Marked {
    let mut terms: Vec<&str> = terms
        .iter()
        .map(String::as_str)
        .filter(|t| !t.is_empty())
        .collect();
    terms.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let mut out: Marked = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    while i < text.len() {
        let hit = terms.iter().find(|t| {
            let end = i + t.len();
            end <= text.len() && text.is_char_boundary(end) && text[i..end].eq_ignore_ascii_case(t)
        });
        match hit {
            Some(t) => {
                if !plain.is_empty() {
                    out.push((std::mem::take(&mut plain), false));
                }
                out.push((text[i..i + t.len()].to_owned(), true));
                i += t.len();
            }
            None => {
                let Some(c) = text[i..].chars().next() else {
                    break;
                };
                plain.push(c);
                i += c.len_utf8();
            }
        }
    }
    if !plain.is_empty() {
        out.push((plain, false));
    }
    out
}

struct HitView {
    kind: String,
    kind_label: String,
    href: String,
    title: Marked,
    snippet: Marked,
    org_id: i64,
    org_name: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: Ctx,
    q: String,
    kind: String,
    kinds: Vec<(String, String)>,
    hits: Vec<HitView>,
    /// A query was given but had no word to look for.
    no_words: bool,
    pager: Pager,
    pager_info: String,
}

async fn search_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(p): Query<SearchParams>,
) -> Result<Response, ApiError> {
    let q = p.q.trim().to_owned();
    let kind = Some(p.kind.trim())
        .filter(|k| KINDS.contains(k))
        .unwrap_or_default()
        .to_owned();
    let page = Page::new(p.page.trim().parse().unwrap_or(1), PER_PAGE);
    let r = svc::find(
        &state.svc,
        &signed.actor,
        &q,
        Some(kind.as_str()),
        None,
        page,
    )
    .await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "search", "search-title").await?;
    let base = query_base(
        "/search",
        &[("q", Some(q.as_str())), ("kind", Some(kind.as_str()))],
    );
    ctx.back = base.trim_end_matches(['?', '&']).to_owned();
    let title = ctx.t("search-title");
    let ctx = ctx.crumb(title, "");
    let pager = Pager::new(r.hits.total, r.hits.page, r.hits.per_page, &base);
    let hits = r
        .hits
        .items
        .iter()
        .map(|h| HitView {
            kind_label: ctx.t(&format!("search-kind-{}", h.doc_kind)),
            href: href(&h.doc_kind, h.doc_id),
            title: mark(&h.title, &r.terms),
            snippet: mark(&h.snippet, &r.terms),
            org_id: h.org_id,
            org_name: h.org_name.clone(),
            updated: h.updated_at.format("%Y-%m-%d").to_string(),
            kind: h.doc_kind.clone(),
        })
        .collect();
    Ok(render(&SearchPage {
        no_words: !q.is_empty() && r.terms.is_empty(),
        kinds: ctx.options("search-kind-", &KINDS),
        pager_info: pager_info(&ctx, &pager),
        pager,
        hits,
        q,
        kind,
        ctx,
    }))
}

#[cfg(test)]
mod tests {
    use super::mark;

    #[test]
    fn marks_every_occurrence_longest_first() {
        let terms = vec!["收费".to_owned(), "收费站".to_owned(), "etc".to_owned()];
        let m = mark("取消省界收费站，ETC 收费", &terms);
        let marked: Vec<&str> = m.iter().filter(|r| r.1).map(|r| r.0.as_str()).collect();
        assert_eq!(marked, vec!["收费站", "ETC", "收费"]);
        let joined: String = m.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(joined, "取消省界收费站，ETC 收费");
    }

    #[test]
    fn no_terms_leaves_the_text_whole() {
        assert_eq!(mark("文本", &[]), vec![("文本".to_owned(), false)]);
    }
}
