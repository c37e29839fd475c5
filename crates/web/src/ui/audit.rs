//! The audit administrator's browser of the audit trail.

use super::{export_href, export_page, query_base, render, xlsx_list, Ctx, Pager};
use super::{fmt_time, pager_info, see_other, see_refused};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Days, NaiveDate, Utc};
use luodi_domain::role::Permission;
use luodi_service::audit::{AuditFilter, AuditRecord};
use luodi_service::ServiceError;
use serde::Deserialize;

// --- Filter helpers --------------------------------------------------------------------------

/// Object types offered in the filter.
const OBJECT_TYPES: [&str; 5] = ["org", "user", "campaign", "role", "api_token"];
const OUTCOMES: [&str; 2] = ["ok", "refused"];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub outcome: String,
    pub from: String,
    pub to: String,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The start of day `s` (UTC), `after` days later; `Err` if it is not a date.
fn day_start(s: &str, after: u64) -> Result<Option<DateTime<Utc>>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ())?;
    let d = d.checked_add_days(Days::new(after)).ok_or(())?;
    Ok(d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// JSON as stored, indented for reading.
fn pretty(json: Option<&str>) -> Option<String> {
    json.map(|j| {
        serde_json::from_str::<serde_json::Value>(j)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| j.to_owned())
    })
}

/// Where the page of a recorded object is, if it has one.
fn object_href(r: &AuditRecord) -> Option<String> {
    let id = r.object_id.as_deref()?;
    match r.object_type.as_str() {
        "org" => Some(format!("/orgs/{id}")),
        "user" => Some(format!("/admin/users/{id}")),
        "campaign" => Some(format!("/campaigns/{id}")),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(audit_page))
        .route("/audit/export.xlsx", get(export))
        .route("/audit/chain", get(chain_page))
        .route("/audit/chain/purge", post(purge))
}

struct AuditRow {
    id: i64,
    at: String,
    actor: String,
    action: String,
    object: String,
    object_id: String,
    href: Option<String>,
    outcome: String,
    outcome_tag: &'static str,
    ip: String,
    before: Option<String>,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "audit_list.html")]
struct AuditPage {
    ctx: Ctx,
    q: AuditQuery,
    object_types: Vec<(String, String)>,
    outcomes: Vec<(String, String)>,
    date_error: Option<String>,
    /// The chain is one for the whole tree: only its audit administrator verifies it.
    can_verify: bool,
    rows: Vec<AuditRow>,
    pager: Pager,
    pager_info: String,
}

/// The service's filter from the page's fields, and whether each date was understood.
#[allow(clippy::type_complexity)]
fn audit_filter(
    q: &AuditQuery,
) -> (
    AuditFilter,
    Result<Option<DateTime<Utc>>, ()>,
    Result<Option<DateTime<Utc>>, ()>,
) {
    let from = day_start(&q.from, 0);
    let to = day_start(&q.to, 1);
    let filter = AuditFilter {
        scopes: Vec::new(),
        actor: some(&q.actor),
        action: some(&q.action),
        object_type: some(&q.object_type),
        outcome: some(&q.outcome),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
    };
    (filter, from, to)
}

/// A code's label (`prefix` + code) in the reader's language, or the code when it has none.
fn label(ctx: &Ctx, prefix: &str, v: &str) -> String {
    let key = format!("{prefix}{v}");
    if ctx.i18n.has(ctx.lang, &key) {
        ctx.t(&key)
    } else {
        v.to_owned()
    }
}

/// The records as the trail shows them.
fn audit_rows(ctx: &Ctx, items: &[AuditRecord]) -> Vec<AuditRow> {
    let label = |prefix: &str, v: &str| label(ctx, prefix, v);
    items
        .iter()
        .map(|r| AuditRow {
            id: r.id,
            at: fmt_time(&r.at),
            actor: r.actor_name.clone(),
            action: r.action.clone(),
            object: label("object-", &r.object_type),
            object_id: r.object_id.clone().unwrap_or_default(),
            href: object_href(r),
            outcome: label("audit-outcome-", &r.outcome),
            outcome_tag: match r.outcome.as_str() {
                "ok" => "tag-green",
                "refused" => "tag-red",
                _ => "tag-grey",
            },
            ip: r.ip.clone().unwrap_or_default(),
            before: pretty(r.before_json.as_deref()),
            after: pretty(r.after_json.as_deref()),
        })
        .collect()
}

/// The filtered trail as a workbook, for the auditor's files: same columns as the page, the
/// changes as text.
async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let (filter, ..) = audit_filter(&q);
    let list = luodi_service::audit::list(&state.svc, &signed.actor, filter, export_page()).await?;
    let ctx = Ctx::anonymous(&state, &headers, "audit-title");
    let rows = audit_rows(&ctx, &list.items)
        .into_iter()
        .map(|r| {
            let object = if r.object_id.is_empty() {
                r.object
            } else {
                format!("{} #{}", r.object, r.object_id)
            };
            let mut details = Vec::new();
            if let Some(b) = r.before {
                details.push(format!("{}: {b}", ctx.t("audit-before")));
            }
            if let Some(a) = r.after {
                details.push(format!("{}: {a}", ctx.t("audit-after")));
            }
            vec![
                r.at.into(),
                r.actor.into(),
                r.action.into(),
                object.into(),
                r.outcome.into(),
                r.ip.into(),
                details.join("\n").into(),
            ]
        })
        .collect();
    let columns = [
        "audit-time",
        "audit-actor",
        "audit-action",
        "audit-object",
        "audit-outcome",
        "audit-ip",
        "audit-details",
    ];
    xlsx_list(&ctx, "audit-title", &columns, rows, list.total).await
}

async fn audit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let (filter, from, to) = audit_filter(&q);
    let list = luodi_service::audit::list(
        &state.svc,
        &signed.actor,
        filter,
        luodi_service::Page::new(q.page.unwrap_or(1), q.per_page.unwrap_or(50)),
    )
    .await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "audit", "audit-title").await?;
    ctx.back = "/audit".into();
    let title = ctx.t("audit-title");
    let mut ctx = ctx.crumb(title, "");
    let date_error = (from.is_err() || to.is_err()).then(|| ctx.tr("err-bad_date", &[]));
    let per_page = q.per_page.map(|p| p.to_string());
    let base = query_base(
        "/audit",
        &[
            ("actor", Some(&q.actor)),
            ("action", Some(&q.action)),
            ("object_type", Some(&q.object_type)),
            ("outcome", Some(&q.outcome)),
            ("from", Some(&q.from)),
            ("to", Some(&q.to)),
            ("per_page", per_page.as_deref()),
        ],
    );
    ctx.export = export_href("/audit/export.xlsx", &base);
    let pager = Pager::new(list.total, list.page, list.per_page, &base);
    let label = |prefix: &str, v: &str| label(&ctx, prefix, v);
    let rows = audit_rows(&ctx, &list.items);
    let mut object_types: Vec<(String, String)> = OBJECT_TYPES
        .iter()
        .map(|t| (t.to_string(), label("object-", t)))
        .collect();
    if !q.object_type.is_empty() && !OBJECT_TYPES.contains(&q.object_type.as_str()) {
        object_types.push((q.object_type.clone(), q.object_type.clone()));
    }
    let outcomes = OUTCOMES
        .iter()
        .map(|o| (o.to_string(), label("audit-outcome-", o)))
        .collect();
    let page = AuditPage {
        can_verify: signed
            .actor
            .scopes(Permission::ReadAudit)
            .iter()
            .any(|s| s == "/"),
        q,
        object_types,
        outcomes,
        date_error,
        rows,
        pager_info: pager_info(&ctx, &pager),
        pager,
        ctx,
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_bounds() {
        assert_eq!(day_start("", 0), Ok(None));
        assert!(day_start("2026-13-01", 0).is_err());
        let to = day_start("2026-02-28", 1)
            .ok()
            .flatten()
            .map(|t| t.to_rfc3339());
        assert_eq!(to.as_deref(), Some("2026-03-01T00:00:00+00:00"));
    }
}

// --- The chain: verification and purges ------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChainQuery {
    pub ok: Option<String>,
    pub refused: Option<String>,
    /// A head written down earlier, `SEQ:MAC`, to check the chain still reaches.
    pub head: Option<String>,
}

struct PurgeRow {
    id: i64,
    at: String,
    actor: String,
    before: String,
    seqs: String,
    records: i64,
    archive: String,
}

#[derive(Template)]
#[template(path = "audit_chain.html")]
struct ChainPage {
    ctx: Ctx,
    ok: bool,
    checked: u64,
    unsealed: u64,
    first_seq: i64,
    head_seq: i64,
    head_mac: String,
    problem: Option<String>,
    /// The head typed in, and how it stands: reached, in purged records, or not valid.
    head: String,
    anchor: Option<bool>,
    bad_head: bool,
    purges: Vec<PurgeRow>,
    can_purge: bool,
    retention_days: u32,
    latest_before: String,
}

/// What broke the chain, in the reader's language.
fn chain_break(ctx: &Ctx, b: &luodi_domain::audit_chain::Break) -> String {
    use luodi_domain::audit_chain::Break;
    let seq = |s: &Option<i64>| s.map(|s| s.to_string()).unwrap_or_else(|| "—".into());
    match b {
        Break::Modified { id, seq: s } => ctx.tr(
            "audit-break-modified",
            &[("id", id.to_string()), ("seq", seq(s))],
        ),
        Break::Inserted { id, seq: s } => ctx.tr(
            "audit-break-inserted",
            &[("id", id.to_string()), ("seq", seq(s))],
        ),
        Break::Deleted { from, to } => ctx.tr(
            "audit-break-deleted",
            &[("from", from.to_string()), ("to", to.to_string())],
        ),
        Break::Truncated { last, head } => ctx.tr(
            "audit-break-truncated",
            &[("last", last.to_string()), ("head", head.to_string())],
        ),
        Break::ForgedPurge { up_to_seq } => ctx.tr(
            "audit-break-forged-purge",
            &[("seq", up_to_seq.to_string())],
        ),
        Break::Cut { head, anchor } => ctx.tr(
            "audit-break-cut",
            &[("head", head.to_string()), ("anchor", anchor.to_string())],
        ),
        Break::Rewritten { seq: s } => ctx.tr("audit-break-rewritten", &[("seq", s.to_string())]),
    }
}

async fn chain_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ChainQuery>,
) -> Result<Response, ApiError> {
    let (anchor, bad_head) = match luodi_service::audit::anchor(q.head.as_deref()) {
        Ok(a) => (a, false),
        Err(_) => (None, true),
    };
    let v = luodi_service::audit::verify(&state.svc, &signed.actor, anchor.as_ref()).await?;
    let purges = luodi_service::audit::purges(&state.svc, &signed.actor).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "audit", "audit-chain-title")
        .await?
        .with_flash(q.ok.as_deref())
        .with_refusal(q.refused.as_deref());
    ctx.back = "/audit".into();
    let audit = ctx.t("audit-title");
    let title = ctx.t("audit-chain-title");
    let ctx = ctx.crumb(audit, "/audit").crumb(title, "");
    let retention_days = state.svc.config.audit_retention_days;
    let latest = state.svc.now() - chrono::Duration::days(i64::from(retention_days));
    let page = ChainPage {
        ok: v.ok(),
        checked: v.checked,
        unsealed: v.unsealed,
        first_seq: v.first_seq,
        head_seq: v.head_seq,
        head_mac: v.head_mac,
        problem: v.problem.map(|b| chain_break(&ctx, &b)),
        head: q.head.clone().unwrap_or_default(),
        anchor: v.anchor,
        bad_head,
        purges: purges
            .into_iter()
            .rev()
            .map(|p| PurgeRow {
                id: p.id,
                at: fmt_time(&p.at),
                actor: p.actor_name,
                before: fmt_time(&p.before),
                seqs: format!("{}–{}", p.from_seq, p.up_to_seq),
                records: p.records,
                archive: p.archive_name,
            })
            .collect(),
        can_purge: signed.actor.can_somewhere(Permission::PurgeAudit),
        retention_days,
        latest_before: latest.date_naive().format("%Y-%m-%d").to_string(),
        ctx,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
struct PurgeForm {
    before: String,
}

async fn purge(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Form(f): Form<PurgeForm>,
) -> Result<Response, ApiError> {
    let Ok(Some(before)) = day_start(&f.before, 0) else {
        return Ok(Redirect::to("/audit/chain?refused=bad_date").into_response());
    };
    match luodi_service::audit::purge(&state.svc, &signed.actor, before).await {
        Ok(_) => Ok(see_other("/audit/chain", "audit_purged")),
        Err(ServiceError::Validation(v)) => {
            let code = v.errors.first().map(|e| e.code).unwrap_or("invalid");
            Ok(crate::kit::see_refused_code("/audit/chain", code))
        }
        Err(ServiceError::Forbidden) => Err(ServiceError::Forbidden.into()),
        Err(e) => see_refused("/audit/chain", e),
    }
}
