//! The ledger pages: the rectification ledger and task book with filters, a roll-up of the scope
//! and server-side paging; the form to record an item; an item's page with its timeline,
//! evidence, progress notes and one form per lifecycle step the reader may take; evidence
//! downloads; and the roadmap, a Gantt-style chart of the task book drawn as server-side SVG
//! (positions are SVG attributes, so nothing needs an inline style or a script).

use super::{fmt_time, pager_info, parse_version, render_status, see_other, FormErrors};
use super::{opt_id, query_base, render, Ctx, Pager};
use crate::auth::{lang_of, Signed};
use crate::error::{explain, ApiError};
use crate::i18n::{I18n, Lang};
use crate::kit::{attachment_response, item_query, ItemListParams};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use luodi_domain::campaign::PhaseKind;
use luodi_domain::item::{Action, ItemKind, ItemType, Source, Status};
use luodi_domain::role::Permission;
use luodi_service::auth::SignedIn;
use luodi_service::campaigns as campaigns_svc;
use luodi_service::items::{self as items_svc, ItemDetail, ItemInput, ItemQuery, MilestoneInput};
use luodi_service::items::{ItemFilter, ItemRow, ItemSort};
use luodi_service::orgs as orgs_svc;
use luodi_service::Page;
use luodi_service::ServiceError;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ledger", get(ledger_page))
        .route("/items", get(items_index).post(create_item))
        .route("/items/new", get(new_item_page))
        .route("/items/{id}", get(item_page))
        .route("/items/{id}/transitions", post(transition))
        .route("/items/{id}/notes", post(add_note))
        .route("/items/{id}/evidence", post(upload_evidence))
        .route("/attachments/{id}/download", get(download))
        .route("/roadmap", get(roadmap_page))
}

const PER_PAGE: i64 = 50;
const OPEN_STATUSES: &str = "assigned,returned,in_progress,close_out_requested,under_review";
const DONE_STATUSES: &str = "closed,verified";
/// The steps that need a reason, and those that ask before they are taken.
const REASON_ACTIONS: [&str; 7] = [
    "return_not_ours",
    "send_back",
    "reopen",
    "request_extension",
    "reject_extension",
    "suspend",
    "withdraw",
];
const CONFIRM_ACTIONS: [&str; 3] = ["withdraw", "send_back", "reopen"];

// --- Labels ----------------------------------------------------------------------------------

fn status_label(ctx: &Ctx, s: &str) -> String {
    ctx.t(&format!("status-{s}"))
}

/// The tag colour of a status.
fn status_class(s: &str) -> &'static str {
    match s {
        "assigned" | "in_progress" => "tag-blue",
        "returned" | "close_out_requested" | "under_review" => "tag-amber",
        "closed" | "verified" => "tag-green",
        _ => "tag-grey",
    }
}

/// The light's colour name, `none` when the item is out of play.
fn light_name(l: &str) -> &'static str {
    match l {
        "red" => "red",
        "yellow" => "yellow",
        "green" => "green",
        _ => "none",
    }
}

fn light_label(ctx: &Ctx, l: &str) -> String {
    ctx.t(&format!("light-{}", light_name(l)))
}

/// A timeliness worth a tag in a dense table (the unremarkable ones get none).
fn timeliness_tag(ctx: &Ctx, t: &str) -> Option<(String, &'static str)> {
    let class = match t {
        "overdue" => "tag-red",
        "due_soon" | "closed_late" => "tag-amber",
        _ => return None,
    };
    Some((ctx.t(&format!("timeliness-{t}")), class))
}

fn options(ctx: &Ctx, prefix: &str, values: &[&str]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| ((*v).to_owned(), ctx.t(&format!("{prefix}{v}"))))
        .collect()
}

fn kind_options(ctx: &Ctx) -> Vec<(String, String)> {
    let v: Vec<&str> = ItemKind::ALL.iter().map(|k| k.as_str()).collect();
    options(ctx, "item-kind-", &v)
}

fn phase_options(ctx: &Ctx) -> Vec<(String, String)> {
    let v: Vec<&str> = PhaseKind::ALL.iter().map(|k| k.as_str()).collect();
    options(ctx, "phase-", &v)
}

fn source_options(ctx: &Ctx) -> Vec<(String, String)> {
    let v: Vec<&str> = Source::ALL.iter().map(|k| k.as_str()).collect();
    options(ctx, "source-", &v)
}

fn type_options(ctx: &Ctx) -> Vec<(String, String)> {
    let v: Vec<&str> = ItemType::ALL.iter().map(|k| k.as_str()).collect();
    options(ctx, "item-type-", &v)
}

/// The deadline as a table shows it: the one in force, and the original if it was extended.
fn due_text(ctx: &Ctx, due: NaiveDate, original: NaiveDate) -> String {
    if due == original {
        due.to_string()
    } else {
        ctx.tr(
            "ledger-due-extended",
            &[("due", due.to_string()), ("original", original.to_string())],
        )
    }
}

/// A rate as a percentage for display.
pub(crate) fn percent(rate: Option<f64>) -> Option<String> {
    rate.map(|r| {
        let p = r * 100.0;
        if (p - p.round()).abs() < 0.05 {
            format!("{}%", p.round() as i64)
        } else {
            format!("{p:.1}%")
        }
    })
}

fn file_size(n: i64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f < KIB {
        format!("{n} B")
    } else if f < KIB * KIB {
        format!("{:.1} KB", f / KIB)
    } else {
        format!("{:.1} MB", f / (KIB * KIB))
    }
}

/// A date typed as `YYYY-MM-DD`, or the error code.
fn parse_date(s: &str) -> Result<NaiveDate, &'static str> {
    let s = s.trim();
    if s.is_empty() {
        return Err("required");
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "bad_date")
}

/// Today in the campaign's time zone (UTC if its rules cannot be read).
async fn campaign_today(state: &AppState, campaign_id: i64) -> NaiveDate {
    let now = state.svc.now();
    match items_svc::campaign_rules(&state.svc, campaign_id).await {
        Ok(r) => items_svc::local_today(now, r.tz),
        Err(_) => now.date_naive(),
    }
}

/// An item as a table row (the ledger, subtasks).
pub(crate) struct ItemRowView {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub kind_label: String,
    pub org_id: i64,
    pub org_name: String,
    pub person: String,
    pub due: String,
    pub timeliness: Option<(String, &'static str)>,
    pub status: String,
    pub status_label: String,
    pub status_class: &'static str,
    pub light: &'static str,
    pub light_label: String,
    pub progress: i64,
    pub evidence: i64,
}

pub(crate) fn row_view(ctx: &Ctx, r: &ItemRow) -> ItemRowView {
    let i = &r.item;
    ItemRowView {
        id: i.id,
        title: i.title.clone(),
        kind: i.kind.clone(),
        kind_label: ctx.t(&format!("item-kind-{}", i.kind)),
        org_id: i.lead_org_id,
        org_name: r.lead_org_name.clone(),
        person: i.responsible_person.clone(),
        due: due_text(ctx, i.due_on, i.original_due_on),
        timeliness: timeliness_tag(ctx, &i.timeliness),
        status: i.status.clone(),
        status_label: status_label(ctx, &i.status),
        status_class: status_class(&i.status),
        light: light_name(&i.light),
        light_label: light_label(ctx, &i.light),
        progress: i.progress_percent.clamp(0, 100),
        evidence: i.evidence_count,
    }
}

// --- The ledger ------------------------------------------------------------------------------

/// The ledger's query as the filter bar sends it (all text: an empty field is "any").
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct LedgerQuery {
    pub q: String,
    pub kind: String,
    /// `open`, `done`, one status, or a comma-separated list.
    pub status: String,
    pub light: String,
    pub phase: String,
    pub source: String,
    pub person: String,
    pub due_from: String,
    pub due_to: String,
    pub campaign_id: String,
    /// Only the measures of one special programme area.
    pub programme_area_id: String,
    /// An org whose subtree the list shows instead of the scope the reader stands in (links
    /// from a dashboard into one child's items).
    pub within: String,
    /// normal, due_soon, overdue, closed_on_time or closed_late.
    pub timeliness: String,
    /// By the original deadline, as the on-time rate counts.
    pub original_due_from: String,
    pub original_due_to: String,
    pub sort: String,
    pub page: String,
    pub per_page: String,
    pub ok: String,
}

/// The timeliness values a ledger link may filter by.
pub const TIMELINESS: [&str; 5] = [
    "normal",
    "due_soon",
    "overdue",
    "closed_on_time",
    "closed_late",
];

impl LedgerQuery {
    fn statuses(&self) -> Option<String> {
        match self.status.trim() {
            "" => None,
            "open" => Some(OPEN_STATUSES.to_owned()),
            "done" => Some(DONE_STATUSES.to_owned()),
            // In play: issued and not paused or withdrawn (what deadlines and rates count).
            "in_play" => Some(format!("{OPEN_STATUSES},{DONE_STATUSES}")),
            s => {
                let known: Vec<&str> = s
                    .split(',')
                    .map(str::trim)
                    .filter(|x| Status::parse(x).is_some())
                    .collect();
                (!known.is_empty()).then(|| known.join(","))
            }
        }
    }

    /// The status filter as the page's own links carry it (`open` and `done` unexpanded).
    fn status_param(&self) -> Option<String> {
        match self.status.trim() {
            s @ ("open" | "done" | "in_play") => Some(s.to_owned()),
            _ => self.statuses(),
        }
    }

    /// The filters for the page's own links: the scope stays implicit (switching scope
    /// applies to them), and status groups stay as chosen.
    fn own(&self) -> ItemListParams {
        ItemListParams {
            within: self.within_id(),
            status: self.status_param(),
            ..self.params(None)
        }
    }

    /// The org named by `within`, if any.
    pub fn within_id(&self) -> Option<i64> {
        opt_id(Some(&self.within))
    }

    fn known(v: &str, ok: impl Fn(&str) -> bool) -> Option<String> {
        let v = v.trim();
        (!v.is_empty() && ok(v)).then(|| v.to_owned())
    }

    fn text(v: &str) -> Option<String> {
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    fn date(v: &str) -> Option<NaiveDate> {
        parse_date(v).ok()
    }

    fn sort(&self) -> Option<String> {
        Self::known(&self.sort, |s| {
            matches!(s, "due_on" | "-due_on" | "updated" | "title")
        })
    }

    /// The API's list parameters for this query, within `within`.
    fn params(&self, within: Option<i64>) -> ItemListParams {
        ItemListParams {
            within,
            campaign_id: opt_id(Some(&self.campaign_id)),
            kind: Self::known(&self.kind, |k| ItemKind::parse(k).is_some()),
            status: self.statuses(),
            light: Self::known(&self.light, |l| matches!(l, "red" | "yellow" | "green")),
            phase: Self::known(&self.phase, |p| PhaseKind::parse(p).is_some()),
            source: Self::known(&self.source, |s| Source::parse(s).is_some()),
            lead_org_id: None,
            responsible_user_id: None,
            person: Self::text(&self.person),
            due_from: Self::date(&self.due_from),
            due_to: Self::date(&self.due_to),
            timeliness: Self::known(&self.timeliness, |t| TIMELINESS.contains(&t)),
            original_due_from: Self::date(&self.original_due_from),
            original_due_to: Self::date(&self.original_due_to),
            q: Self::text(&self.q),
            parent_id: None,
            programme_area_id: opt_id(Some(&self.programme_area_id)),
            sort: self.sort(),
            page: None,
            per_page: None,
        }
    }

    /// The URL of `path` with the filters of `p` (light replaced by `light` when given).
    fn href(path: &str, p: &ItemListParams, light: Option<&str>) -> String {
        let within = p.within.map(|w| w.to_string());
        let campaign = p.campaign_id.map(|c| c.to_string());
        let area = p.programme_area_id.map(|a| a.to_string());
        let from = p.due_from.map(|d| d.to_string());
        let to = p.due_to.map(|d| d.to_string());
        let ofrom = p.original_due_from.map(|d| d.to_string());
        let oto = p.original_due_to.map(|d| d.to_string());
        query_base(
            path,
            &[
                ("within", within.as_deref()),
                ("campaign_id", campaign.as_deref()),
                ("programme_area_id", area.as_deref()),
                ("kind", p.kind.as_deref()),
                ("status", p.status.as_deref()),
                ("light", light.or(p.light.as_deref())),
                ("phase", p.phase.as_deref()),
                ("source", p.source.as_deref()),
                ("person", p.person.as_deref()),
                ("due_from", from.as_deref()),
                ("due_to", to.as_deref()),
                ("timeliness", p.timeliness.as_deref()),
                ("original_due_from", ofrom.as_deref()),
                ("original_due_to", oto.as_deref()),
                ("q", p.q.as_deref()),
                ("sort", p.sort.as_deref()),
            ],
        )
    }
}

/// A URL built by `query_base`, without its trailing `?` or `&`.
fn trimmed(mut s: String) -> String {
    while s.ends_with('&') || s.ends_with('?') {
        s.pop();
    }
    s
}

/// A light chip of the roll-up: its count and the ledger filtered by it.
pub struct LightChip {
    pub light: &'static str,
    pub label: String,
    pub count: i64,
    pub href: String,
    pub active: bool,
}

/// The roll-up of the scope above the table.
pub struct Summary {
    /// "Scope: <org>".
    pub scope: String,
    pub total: i64,
    pub chips: Vec<LightChip>,
    pub all_href: String,
    pub overdue: i64,
    pub due_soon: i64,
    pub on_time: String,
}

#[derive(Template)]
#[template(path = "ledger_list.html")]
struct LedgerPage {
    ctx: Ctx,
    heading: String,
    rows: Vec<ItemRowView>,
    pager: Pager,
    pager_info: String,
    summary: Option<Summary>,
    f: LedgerQuery,
    kinds: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    lights: Vec<(String, String)>,
    phases: Vec<(String, String)>,
    sources: Vec<(String, String)>,
    sorts: Vec<(String, String)>,
    can_create: bool,
    new_href: String,
    export_href: String,
    /// Filters that came with a link and have no field in the bar (a dashboard's drill-down).
    drill: Vec<String>,
}

async fn ledger_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let task_book = q.kind.trim() == "task";
    let (active, title_key) = if task_book {
        ("tasks", "nav-task-book")
    } else {
        ("ledger", "nav-ledger")
    };
    let mut ctx = Ctx::signed(&state, &headers, &signed, active, title_key)
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    // A named org (from a dashboard link) stands in for the scope; a foreign one is not found.
    let scope_org = match q.within_id() {
        Some(id) => Some(orgs_svc::get(&state.svc, actor, id).await?),
        None => ctx.scope.clone(),
    };
    let within = scope_org.as_ref().map(|s| s.id);
    let p = q.params(within);
    let own = q.own();
    ctx.back = trimmed(LedgerQuery::href("/ledger", &own, None));
    let heading = ctx.t(title_key);
    ctx = ctx.crumb(heading.clone(), "");

    let page = Page::new(
        q.page.trim().parse().unwrap_or(1),
        q.per_page.trim().parse().unwrap_or(PER_PAGE),
    );
    let list = items_svc::list(&state.svc, actor, item_query(&p), page).await?;
    let base = LedgerQuery::href("/ledger", &own, None);
    let base = if list.per_page != PER_PAGE {
        format!("{base}per_page={}&", list.per_page)
    } else {
        base
    };
    let pager = Pager::new(list.total, list.page, list.per_page, &base);

    let summary = match &scope_org {
        Some(s) => {
            match items_svc::rollup(&state.svc, actor, s.id, p.campaign_id, p.kind.as_deref()).await
            {
                Ok(r) => {
                    let chips = ["red", "yellow", "green"]
                        .into_iter()
                        .map(|l| LightChip {
                            light: l,
                            label: ctx.t(&format!("light-{l}")),
                            count: r.by_light.get(l).copied().unwrap_or(0),
                            href: trimmed(LedgerQuery::href("/ledger", &own, Some(l))),
                            active: p.light.as_deref() == Some(l),
                        })
                        .collect();
                    let no_light = ItemListParams {
                        light: None,
                        ..q.own()
                    };
                    Some(Summary {
                        scope: ctx.tr("ledger-scope", &[("name", s.name.clone())]),
                        total: r.total,
                        chips,
                        all_href: trimmed(LedgerQuery::href("/ledger", &no_light, None)),
                        overdue: r.overdue,
                        due_soon: r.due_soon,
                        on_time: percent(r.on_time_rate())
                            .unwrap_or_else(|| ctx.t("ledger-summary-no-rate")),
                    })
                }
                Err(e) => {
                    tracing::warn!(error = %e, "ledger roll-up failed");
                    None
                }
            }
        }
        None => None,
    };

    let mut statuses = vec![
        ("open".to_owned(), ctx.t("ledger-status-open")),
        ("done".to_owned(), ctx.t("ledger-status-done")),
    ];
    for s in Status::ALL {
        statuses.push((s.as_str().to_owned(), status_label(&ctx, s.as_str())));
    }
    let sorts = vec![
        ("due_on".to_owned(), ctx.t("ledger-sort-due")),
        ("-due_on".to_owned(), ctx.t("ledger-sort-due-desc")),
        ("updated".to_owned(), ctx.t("ledger-sort-updated")),
        ("title".to_owned(), ctx.t("ledger-sort-title")),
    ];
    let mut drill = Vec::new();
    if let (Some(_), Some(o)) = (q.within_id(), &scope_org) {
        drill.push(ctx.tr("ledger-drill-within", &[("name", o.name.clone())]));
    }
    if let Some(t) = &p.timeliness {
        drill.push(ctx.t(&format!("ledger-drill-{t}")));
    }
    if p.original_due_from.is_some() || p.original_due_to.is_some() {
        let show = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        drill.push(ctx.tr(
            "ledger-drill-original-due",
            &[
                ("from", show(p.original_due_from)),
                ("to", show(p.original_due_to)),
            ],
        ));
    }
    let page = LedgerPage {
        drill,
        heading,
        rows: list.items.iter().map(|r| row_view(&ctx, r)).collect(),
        pager_info: pager_info(&ctx, &pager),
        pager,
        summary,
        kinds: kind_options(&ctx),
        statuses,
        lights: options(&ctx, "light-", &["red", "yellow", "green"]),
        phases: phase_options(&ctx),
        sources: source_options(&ctx),
        sorts,
        can_create: actor.can_somewhere(Permission::EditItems),
        new_href: match (task_book, p.programme_area_id) {
            (true, Some(a)) => format!("/items/new?kind=task&programme_area_id={a}"),
            (true, None) => "/items/new?kind=task".into(),
            _ => "/items/new".into(),
        },
        export_href: trimmed(LedgerQuery::href("/ledger/export.xlsx", &p, None)),
        f: q,
        ctx,
    };
    Ok(render(&page))
}

async fn items_index() -> Redirect {
    Redirect::to("/ledger")
}

// --- Recording an item -----------------------------------------------------------------------

/// The item form as entered (all text, so that anything typed can be shown again).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    pub campaign_id: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub phase: String,
    pub source: String,
    pub category: String,
    pub item_type: String,
    pub lead_org_code: String,
    pub responsible_person: String,
    pub responsible_username: String,
    pub due_on: String,
    /// One measure per line.
    pub measures: String,
    /// One milestone per line: `YYYY-MM-DD title`.
    pub milestones: String,
    pub parent_id: String,
    /// The special programme area the item is a measure of (from "add a measure").
    pub programme_area_id: String,
    pub issue: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewItemQuery {
    pub parent: String,
    pub kind: String,
    pub programme_area_id: String,
}

#[derive(Template)]
#[template(path = "ledger_item_form.html")]
struct ItemFormPage {
    ctx: Ctx,
    form: ItemForm,
    errors: FormErrors,
    campaigns: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    phases: Vec<(String, String)>,
    sources: Vec<(String, String)>,
    types: Vec<(String, String)>,
    can_issue: bool,
    parent: Option<(i64, String)>,
    /// The programme and area of a measure: (programme id, "programme / area").
    area: Option<(i64, String)>,
    cancel: String,
}

async fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    form: ItemForm,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let mut ctx = Ctx::signed(state, headers, signed, "ledger", "item-new-title").await?;
    let parent_id = opt_id(Some(&form.parent_id));
    let parent = match parent_id {
        Some(pid) => items_svc::get(&state.svc, actor, pid)
            .await
            .ok()
            .map(|d| (pid, d.item.item.title)),
        None => None,
    };
    let area_id = opt_id(Some(&form.programme_area_id));
    let area = match area_id {
        Some(aid) => super::programmes::area_context(state, actor, aid)
            .await
            .ok()
            .map(|a| (a.programme_id, a.label)),
        None => None,
    };
    let task_book = form.kind == "task";
    let (list_title, list_href) = if task_book {
        (ctx.t("nav-task-book"), "/ledger?kind=task")
    } else {
        (ctx.t("nav-ledger"), "/ledger")
    };
    ctx = ctx.crumb(list_title, list_href);
    if let Some((pid, title)) = &parent {
        ctx = ctx.crumb(title.clone(), &format!("/items/{pid}"));
        ctx.title = ctx.t("item-new-subtask");
    }
    let title = ctx.title.clone();
    ctx = ctx.crumb(title, "");
    ctx.back = match (parent_id, area_id) {
        (Some(pid), _) => format!("/items/new?parent={pid}"),
        (None, Some(aid)) => format!("/items/new?kind=task&programme_area_id={aid}"),
        (None, None) => "/items/new".into(),
    };
    let campaigns = campaigns_svc::list(&state.svc, actor, None, Page::new(1, 200))
        .await?
        .items
        .into_iter()
        .map(|c| (c.id.to_string(), c.name))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ItemFormPage {
        campaigns,
        kinds: kind_options(&ctx),
        phases: phase_options(&ctx),
        sources: source_options(&ctx),
        types: type_options(&ctx),
        can_issue: actor.can_somewhere(Permission::SuperviseItems),
        cancel: match (&parent, &area) {
            (Some((pid, _)), _) => format!("/items/{pid}"),
            (None, Some((prog, _))) => format!("/programmes/{prog}"),
            (None, None) => list_href.to_owned(),
        },
        parent,
        area,
        form,
        errors,
        ctx,
    };
    Ok(render_status(status, &page))
}

async fn new_item_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<NewItemQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::EditItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let kind = match ItemKind::parse(&q.kind) {
        Some(k) => k.as_str(),
        None => "rectification",
    };
    let mut form = ItemForm {
        kind: kind.into(),
        phase: "rectification".into(),
        source: "self_examination".into(),
        item_type: "time_limited".into(),
        ..Default::default()
    };
    if let Some(aid) = opt_id(Some(&q.programme_area_id)) {
        // A measure of a programme area: in the programme's campaign.
        let a = super::programmes::area_context(&state, actor, aid).await?;
        form.programme_area_id = aid.to_string();
        form.campaign_id = a.campaign_id.to_string();
    }
    if let Some(pid) = opt_id(Some(&q.parent)) {
        // A subtask starts from its parent: same campaign, kind, phase and unit.
        let d = items_svc::get(&state.svc, actor, pid).await?;
        let p = &d.item.item;
        form.parent_id = pid.to_string();
        form.campaign_id = p.campaign_id.to_string();
        form.kind = p.kind.clone();
        form.phase = p.phase.clone();
        form.source = p.source.clone();
        form.item_type = p.item_type.clone();
        form.category = p.category.clone();
        form.lead_org_code = d.item.lead_org_code.clone();
    } else if let Some(scope) = signed.scope_org_id {
        if let Ok(o) = orgs_svc::get(&state.svc, actor, scope).await {
            form.lead_org_code = o.code;
        }
    }
    if form.lead_org_code.is_empty() {
        // Standing nowhere chosen: the user's only root, as the scope switcher does.
        let roots = orgs_svc::children(&state.svc, actor, None, false).await?;
        if let [only] = roots.as_slice() {
            form.lead_org_code = only.org.code.clone();
        }
    }
    form_page(&state, &headers, &signed, form, FormErrors::default()).await
}

/// Milestones from the textarea: `YYYY-MM-DD title` per non-empty line; errors by line number.
fn parse_milestones(text: &str) -> (Vec<MilestoneInput>, Vec<(usize, &'static str)>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (date, title) = match line.split_once(char::is_whitespace) {
            Some((d, t)) => (d, t.trim()),
            None => (line, ""),
        };
        match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            Err(_) => errors.push((i + 1, "bad_date")),
            Ok(_) if title.is_empty() => errors.push((i + 1, "required")),
            Ok(d) => out.push(MilestoneInput {
                title: title.to_owned(),
                due_on: d,
                done_on: None,
            }),
        }
    }
    (out, errors)
}

/// The form field a service validation error belongs to.
fn form_field(f: &str) -> Option<String> {
    let base = f.split(['[', '.']).next().unwrap_or(f);
    match base {
        "title" | "description" | "category" | "responsible_person" | "kind" | "phase"
        | "source" | "item_type" | "measures" | "milestones" | "campaign_id" | "due_on" => {
            Some(base.to_owned())
        }
        "lead_org_id" => Some("lead_org_code".into()),
        "responsible_user_id" => Some("responsible_username".into()),
        _ => None,
    }
}

async fn create_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<ItemForm>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::EditItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let lang = lang_of(&headers);
    let i18n = &state.i18n;
    let mut errors = FormErrors::default();

    let campaign_id = opt_id(Some(&form.campaign_id));
    if campaign_id.is_none() {
        errors.add(i18n, lang, "campaign_id", "required", &[]);
    }
    let due_on = match parse_date(&form.due_on) {
        Ok(d) => Some(d),
        Err(code) => {
            errors.add(i18n, lang, "due_on", code, &[]);
            None
        }
    };
    let code = form.lead_org_code.trim();
    let lead_org_id = if code.is_empty() {
        errors.add(i18n, lang, "lead_org_code", "required", &[]);
        None
    } else {
        match orgs_svc::get_by_code(&state.svc, actor, code).await {
            Ok(o) => Some(o.id),
            Err(ServiceError::NotFound(_) | ServiceError::Forbidden) => {
                errors.add(i18n, lang, "lead_org_code", "unknown_org", &[]);
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    let username = form.responsible_username.trim();
    let responsible_user_id = if username.is_empty() {
        None
    } else {
        match items_svc::responsible_by_username(&state.svc, &signed.actor, username).await? {
            Some(id) => Some(id),
            None => {
                errors.add(i18n, lang, "responsible_username", "unknown_user", &[]);
                None
            }
        }
    };
    let (milestones, milestone_errors) = parse_milestones(&form.milestones);
    for (line, code) in milestone_errors {
        let message = crate::error::field_message(i18n, lang, code, &[]);
        errors.add_message(
            "milestones",
            i18n.tr(
                lang,
                "item-form-milestone-error",
                &[("line", line.to_string()), ("message", message)],
            ),
        );
    }
    let can_issue = actor.can_somewhere(Permission::SuperviseItems);
    let input = ItemInput {
        campaign_id: campaign_id.unwrap_or(0),
        kind: form.kind.trim().to_owned(),
        parent_id: opt_id(Some(&form.parent_id)),
        title: form.title.clone(),
        description: form.description.clone(),
        phase: form.phase.trim().to_owned(),
        source: form.source.trim().to_owned(),
        category: form.category.clone(),
        item_type: form.item_type.trim().to_owned(),
        lead_org_id: lead_org_id.unwrap_or(0),
        co_org_ids: Vec::new(),
        responsible_user_id,
        responsible_person: form.responsible_person.clone(),
        due_on: due_on.unwrap_or_default(),
        goal_id: None,
        measures: form
            .measures
            .lines()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
            .collect(),
        milestones,
        weight: None,
        programme_area_id: opt_id(Some(&form.programme_area_id)),
        issue: can_issue && !form.issue.trim().is_empty(),
    };
    let v = if !errors.is_empty() {
        // Show every problem at once: the service's checks on the fields that did parse.
        items_svc::validate(&input)
    } else {
        match items_svc::create(&state.svc, actor, input).await {
            Ok(d) => return Ok(see_other(&format!("/items/{}", d.item.item.id), "created")),
            Err(ServiceError::Validation(v)) => v,
            Err(e) => return Err(e.into()),
        }
    };
    errors.absorb(i18n, lang, &v, form_field);
    let errors = errors.finish(i18n, lang);
    form_page(&state, &headers, &signed, form, errors).await
}

// --- One item --------------------------------------------------------------------------------

/// The item's own fields as its page shows them.
pub struct ItemHead {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub kind_label: String,
    pub status: String,
    pub status_label: String,
    pub status_class: &'static str,
    pub light: &'static str,
    pub light_label: String,
    pub timeliness: Option<(String, &'static str)>,
    pub timeliness_label: String,
    pub campaign: String,
    pub campaign_id: i64,
    pub phase: String,
    pub source: String,
    pub item_type: String,
    pub category: String,
    pub org_id: i64,
    pub org_name: String,
    pub org_code: String,
    pub co_orgs: Vec<(i64, String)>,
    pub person: String,
    pub due_on: String,
    pub original_due_on: Option<String>,
    pub pending_extension: Option<String>,
    pub start_on: Option<String>,
    pub closed_on: Option<String>,
    pub recheck_due_on: Option<String>,
    pub progress: i64,
    pub reopen_count: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub parent: Option<(i64, String)>,
}

pub struct MilestoneView {
    pub title: String,
    pub due_on: String,
    pub done_on: String,
    pub state: String,
    pub state_class: &'static str,
}

/// One entry of the timeline: a lifecycle step, a progress note or a deadline revision.
pub struct TimelineEntry {
    pub at: String,
    pub who: String,
    pub label: String,
    /// `event`, `note` or `revision`, for the marker's colour.
    pub kind: &'static str,
    pub from_to: Option<(String, String)>,
    pub detail: String,
    /// "Reason: …", or empty.
    pub reason: String,
}

pub struct EvidenceView {
    pub id: i64,
    pub name: String,
    pub size: String,
    pub by: String,
    pub at: String,
}

/// A form for one step the reader may take now.
pub struct ActionView {
    pub name: &'static str,
    pub label: String,
    pub needs_reason: bool,
    pub needs_date: bool,
    pub confirm: Option<String>,
    pub button_class: &'static str,
    pub reason: String,
    pub new_due_on: String,
}

/// What a refused form sends back to the page: the message and what was typed.
#[derive(Default)]
struct ItemForms {
    /// The code of a refusal shown after a redirect.
    refused: Option<String>,
    error: Option<String>,
    details: Vec<String>,
    action: String,
    reason: String,
    new_due_on: String,
    note_text: String,
    note_progress: Option<String>,
}

#[derive(Template)]
#[template(path = "ledger_item.html")]
struct ItemPage {
    ctx: Ctx,
    it: ItemHead,
    measures: Vec<String>,
    milestones: Vec<MilestoneView>,
    children: Vec<ItemRowView>,
    timeline: Vec<TimelineEntry>,
    evidence: Vec<EvidenceView>,
    simple_actions: Vec<ActionView>,
    reason_actions: Vec<ActionView>,
    can_edit: bool,
    can_report: bool,
    /// Close-out waits for evidence: say so where the button would be.
    needs_evidence: bool,
    can_add_child: bool,
    /// A supervisor may urge (催办) the responsible person of an open item.
    can_urge: bool,
    max_bytes: u64,
    too_large: String,
    upload_hint: String,
    error: Option<String>,
    details: Vec<String>,
    note_text: String,
    note_progress: String,
    /// Where the item came from: (label, link, title) of a research topic or a meeting.
    origins: Vec<(String, String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ItemPageQuery {
    pub ok: String,
    pub refused: String,
}

async fn item_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<ItemPageQuery>,
) -> Result<Response, ApiError> {
    let flash = Some(q.ok.as_str()).filter(|k| !k.is_empty());
    item_response(
        &state,
        &headers,
        &signed,
        id,
        flash,
        ItemForms {
            refused: Some(q.refused).filter(|r| !r.is_empty()),
            ..Default::default()
        },
        StatusCode::OK,
    )
    .await
}

fn timeline(ctx: &Ctx, d: &ItemDetail) -> Vec<TimelineEntry> {
    let mut out: Vec<(DateTime<Utc>, u8, TimelineEntry)> = Vec::new();
    for e in &d.events {
        let label = if ctx.i18n.has(ctx.lang, &format!("action-{}", e.action)) {
            ctx.t(&format!("action-{}", e.action))
        } else if ctx.i18n.has(ctx.lang, &format!("event-{}", e.action)) {
            ctx.t(&format!("event-{}", e.action))
        } else {
            e.action.clone()
        };
        let from_to = (e.from_status != e.to_status && !e.from_status.is_empty()).then(|| {
            (
                status_label(ctx, &e.from_status),
                status_label(ctx, &e.to_status),
            )
        });
        let data: serde_json::Value = e
            .data_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default();
        let s = |k: &str| data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let detail = match (s("old_due_on"), s("new_due_on"), s("file_name")) {
            (Some(old), Some(new), _) => format!("{old} → {new}"),
            (None, Some(new), _) => ctx.tr("item-tl-new-due", &[("date", new)]),
            (_, _, Some(name)) => name,
            _ => String::new(),
        };
        out.push((
            e.at,
            0,
            TimelineEntry {
                at: fmt_time(&e.at),
                who: e.actor_name.clone(),
                label,
                kind: "event",
                from_to,
                detail,
                reason: e.reason.clone(),
            },
        ));
    }
    for n in &d.notes {
        let mut detail = n.text.clone();
        if let Some(p) = n.progress_percent {
            let pr = ctx.tr("item-tl-progress", &[("progress", p.to_string())]);
            detail = if detail.is_empty() {
                pr
            } else {
                format!("{detail}（{pr}）")
            };
        }
        out.push((
            n.at,
            1,
            TimelineEntry {
                at: fmt_time(&n.at),
                who: n.author_name.clone(),
                label: ctx.t("event-note"),
                kind: "note",
                from_to: None,
                detail,
                reason: String::new(),
            },
        ));
    }
    for r in &d.revisions {
        let mut detail = format!("{} → {}", r.old_due_on, r.new_due_on);
        if !r.requested_by.is_empty() {
            detail.push_str(" · ");
            detail.push_str(&ctx.tr("item-tl-requested-by", &[("name", r.requested_by.clone())]));
        }
        out.push((
            r.at,
            2,
            TimelineEntry {
                at: fmt_time(&r.at),
                who: r.approved_by.clone(),
                label: ctx.t("event-revision"),
                kind: "revision",
                from_to: None,
                detail,
                reason: r.reason.clone(),
            },
        ));
    }
    out.sort_by_key(|e| (e.0, e.1));
    out.into_iter()
        .map(|(_, _, mut e)| {
            if !e.reason.trim().is_empty() {
                e.reason = ctx.tr("item-tl-reason", &[("reason", e.reason.trim().to_owned())]);
            }
            e
        })
        .collect()
}

fn action_view(ctx: &Ctx, name: &'static str, forms: &ItemForms) -> ActionView {
    let mine = forms.action == name;
    ActionView {
        name,
        label: ctx.t(&format!("action-{name}")),
        needs_reason: REASON_ACTIONS.contains(&name),
        needs_date: name == "request_extension",
        confirm: CONFIRM_ACTIONS
            .contains(&name)
            .then(|| ctx.t(&format!("action-{name}-confirm"))),
        button_class: match name {
            "withdraw" | "send_back" | "reopen" => "btn btn-danger",
            "reject_extension" | "return_not_ours" | "suspend" => "btn",
            _ => "btn btn-primary",
        },
        reason: if mine {
            forms.reason.clone()
        } else {
            String::new()
        },
        new_due_on: if mine {
            forms.new_due_on.clone()
        } else {
            String::new()
        },
    }
}

async fn item_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    flash: Option<&str>,
    forms: ItemForms,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let d = items_svc::get(&state.svc, actor, id).await?;
    let research = luodi_service::research::origin_of_item(&state.svc, actor, id).await?;
    let meeting = luodi_service::meetings::of_item(&state.svc, actor, id).await?;
    let task = d.item.item.kind == "task";
    let mut ctx = Ctx::signed(
        state,
        headers,
        signed,
        if task { "tasks" } else { "ledger" },
        "nav-ledger",
    )
    .await?
    .with_flash(flash)
    .with_refusal(forms.refused.as_deref());
    ctx.back = format!("/items/{id}");
    let (list_title, list_href) = if task {
        (ctx.t("nav-task-book"), "/ledger?kind=task")
    } else {
        (ctx.t("nav-ledger"), "/ledger")
    };
    ctx = ctx.crumb(list_title, list_href);
    let i = &d.item.item;
    let parent = match i.parent_id {
        Some(pid) => Some(
            items_svc::get(&state.svc, actor, pid)
                .await
                .map(|p| (pid, p.item.item.title))
                .unwrap_or((pid, format!("#{pid}"))),
        ),
        None => None,
    };
    if let Some((pid, title)) = &parent {
        ctx = ctx.crumb(title.clone(), &format!("/items/{pid}"));
    }
    ctx = ctx.crumb(i.title.clone(), "");
    ctx.title = i.title.clone();

    let campaign = campaigns_svc::get(&state.svc, actor, i.campaign_id)
        .await
        .map(|c| c.campaign.name)
        .unwrap_or_else(|_| format!("#{}", i.campaign_id));
    let today = campaign_today(state, i.campaign_id).await;
    let opt_date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let it = ItemHead {
        id,
        title: i.title.clone(),
        description: i.description.clone(),
        kind: i.kind.clone(),
        kind_label: ctx.t(&format!("item-kind-{}", i.kind)),
        status: i.status.clone(),
        status_label: status_label(&ctx, &i.status),
        status_class: status_class(&i.status),
        light: light_name(&i.light),
        light_label: light_label(&ctx, &i.light),
        timeliness: timeliness_tag(&ctx, &i.timeliness),
        timeliness_label: if i.timeliness.is_empty() {
            String::new()
        } else {
            ctx.t(&format!("timeliness-{}", i.timeliness))
        },
        campaign,
        campaign_id: i.campaign_id,
        phase: ctx.t(&format!("phase-{}", i.phase)),
        source: ctx.t(&format!("source-{}", i.source)),
        item_type: ctx.t(&format!("item-type-{}", i.item_type)),
        category: i.category.clone(),
        org_id: i.lead_org_id,
        org_name: d.item.lead_org_name.clone(),
        org_code: d.item.lead_org_code.clone(),
        co_orgs: d
            .co_orgs
            .iter()
            .map(|o| (o.org_id, o.name.clone()))
            .collect(),
        person: i.responsible_person.clone(),
        due_on: i.due_on.to_string(),
        original_due_on: (i.original_due_on != i.due_on).then(|| i.original_due_on.to_string()),
        pending_extension: i
            .pending_extension_on
            .map(|p| ctx.tr("item-pending-extension-value", &[("date", p.to_string())])),
        start_on: opt_date(i.start_on),
        closed_on: opt_date(i.closed_on),
        recheck_due_on: opt_date(i.recheck_due_on),
        progress: i.progress_percent.clamp(0, 100),
        reopen_count: i.reopen_count,
        version: i.version,
        created_at: fmt_time(&i.created_at),
        updated_at: fmt_time(&i.updated_at),
        parent,
    };
    let milestones = d
        .milestones
        .iter()
        .map(|m| {
            // Only an item still being delivered has milestones that can fall behind.
            let open = Status::parse(&i.status).is_some_and(|s| s.is_open());
            let (state_key, state_class) = match m.done_on {
                Some(_) => ("item-milestone-done-state", "tag-green"),
                None if !open => ("", ""),
                None if m.due_on < today => ("item-milestone-late-state", "tag-red"),
                None => ("item-milestone-open-state", "tag-blue"),
            };
            MilestoneView {
                title: m.title.clone(),
                due_on: m.due_on.to_string(),
                done_on: m.done_on.map(|d| d.to_string()).unwrap_or_default(),
                state: if state_key.is_empty() {
                    String::new()
                } else {
                    ctx.t(state_key)
                },
                state_class,
            }
        })
        .collect();
    let (reason_actions, simple_actions): (Vec<ActionView>, Vec<ActionView>) = d
        .allowed
        .iter()
        .map(|a| action_view(&ctx, a, &forms))
        .partition(|a| a.needs_reason);
    let status_now = Status::parse(&i.status).unwrap_or(Status::Draft);
    let max = state.config.max_upload_bytes;
    let max_text = format!("{} MiB", max / (1024 * 1024));
    let mut origins = Vec::new();
    if let Some(o) = research {
        origins.push((
            ctx.t("research-from-topic"),
            format!("/research/{}#finding-{}", o.topic_id, o.finding_id),
            o.topic_title,
        ));
    }
    if let Some((mid, title)) = meeting {
        origins.push((ctx.t("meeting-from"), format!("/meetings/{mid}"), title));
    }
    let page = ItemPage {
        origins,
        measures: d.measures.iter().map(|m| m.text.clone()).collect(),
        milestones,
        children: d.children.iter().map(|c| row_view(&ctx, c)).collect(),
        timeline: timeline(&ctx, &d),
        evidence: d
            .attachments
            .iter()
            .map(|a| EvidenceView {
                id: a.id,
                name: a.file_name.clone(),
                size: file_size(a.size),
                by: a.uploaded_by.clone(),
                at: fmt_time(&a.uploaded_at),
            })
            .collect(),
        simple_actions,
        reason_actions,
        can_edit: d.can_edit,
        can_report: d.can_report,
        needs_evidence: d.can_report
            && status_now == Status::InProgress
            && d.attachments.is_empty()
            && !d.allowed.contains(&"request_close_out"),
        can_add_child: actor.can(Permission::EditItems, &i.lead_org_path)
            && !status_now.is_done()
            && status_now != Status::Withdrawn,
        can_urge: actor.can(Permission::SuperviseItems, &i.lead_org_path)
            && status_now.is_open()
            && i.responsible_user_id.is_some(),
        max_bytes: max,
        too_large: ctx.tr("err-file_too_large", &[("max", max_text.clone())]),
        upload_hint: ctx.tr("item-upload-hint", &[("max", max_text)]),
        error: forms.error.clone(),
        details: forms.details.clone(),
        note_text: forms.note_text.clone(),
        note_progress: forms
            .note_progress
            .clone()
            .unwrap_or_else(|| i.progress_percent.to_string()),
        it,
        ctx,
    };
    Ok(render_status(status, &page))
}

/// A refused step, note or upload: the item page again with the reason, under the status of
/// the refusal. Errors that are not about the step (not found, failures) stay error pages.
#[allow(clippy::too_many_arguments)]
async fn refused(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    err: ApiError,
    mut forms: ItemForms,
) -> Result<Response, ApiError> {
    let shown = matches!(
        err.status,
        StatusCode::BAD_REQUEST
            | StatusCode::FORBIDDEN
            | StatusCode::CONFLICT
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::UNSUPPORTED_MEDIA_TYPE
            | StatusCode::UNPROCESSABLE_ENTITY
    ) && err.code != "forbidden";
    if !shown {
        return Err(err);
    }
    let lang = lang_of(headers);
    let x = explain(&err, &state.i18n, lang);
    forms.error = Some(x.message);
    forms.details = x
        .fields
        .iter()
        .map(|f| field_detail(&state.i18n, lang, &f.field, &f.message))
        .collect();
    forms.details.extend(x.text);
    let refusal = crate::trail::refusal_code(&err);
    let res = item_response(state, headers, signed, id, None, forms, err.status).await?;
    Ok(match refusal {
        Some(code) => crate::trail::mark_refused(res, code),
        None => res,
    })
}

/// "Field: message" for a field of a refused step.
fn field_detail(i18n: &I18n, lang: Lang, field: &str, message: &str) -> String {
    let key = format!("item-field-{field}");
    if i18n.has(lang, &key) {
        i18n.tr(
            lang,
            "item-field-message",
            &[
                ("field", i18n.t(lang, &key)),
                ("message", message.to_owned()),
            ],
        )
    } else {
        message.to_owned()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransitionForm {
    pub action: String,
    pub version: String,
    pub reason: String,
    pub new_due_on: String,
}

fn action_of(f: &TransitionForm) -> Result<Action, ServiceError> {
    use luodi_service::error::invalid;
    let r = f.reason.clone();
    Ok(match f.action.trim() {
        "assign" => Action::Assign,
        "sign_off" => Action::SignOff,
        "return_not_ours" => Action::ReturnNotOurs { reason: r },
        "reassign" => Action::Reassign,
        "request_close_out" => Action::RequestCloseOut,
        "start_review" => Action::StartReview,
        "close" => Action::Close,
        "send_back" => Action::SendBack { reason: r },
        "pass_recheck" => Action::PassRecheck,
        "reopen" => Action::Reopen { reason: r },
        "request_extension" => match parse_date(&f.new_due_on) {
            Ok(d) => Action::RequestExtension {
                new_due_on: d,
                reason: r,
            },
            Err(code) => return Err(invalid("new_due_on", code)),
        },
        "approve_extension" => Action::ApproveExtension,
        "reject_extension" => Action::RejectExtension { reason: r },
        "suspend" => Action::Suspend { reason: r },
        "resume" => Action::Resume,
        "withdraw" => Action::Withdraw { reason: r },
        _ => return Err(invalid("action", "unknown_value")),
    })
}

async fn transition(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<TransitionForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let result = match action_of(&form) {
        Ok(action) => {
            let name = action.name();
            items_svc::transition(&state.svc, &signed.actor, id, action, version)
                .await
                .map(|_| name)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(name) => Ok(see_other(&format!("/items/{id}"), &format!("item_{name}"))),
        Err(e) => {
            let forms = ItemForms {
                action: form.action.trim().to_owned(),
                reason: form.reason.clone(),
                new_due_on: form.new_due_on.clone(),
                ..Default::default()
            };
            refused(&state, &headers, &signed, id, e.into(), forms).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub text: String,
    pub progress_percent: String,
    pub version: String,
}

async fn add_note(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<NoteForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let progress = match form.progress_percent.trim() {
        "" => Ok(None),
        p => p
            .parse::<i64>()
            .map(Some)
            .map_err(|_| luodi_service::error::invalid("progress_percent", "bad_number")),
    };
    let result = match progress {
        Ok(p) => items_svc::add_note(&state.svc, &signed.actor, id, &form.text, p, version)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/items/{id}"), "note_added")),
        Err(e) => {
            let forms = ItemForms {
                note_text: form.text.clone(),
                note_progress: Some(form.progress_percent.clone()),
                ..Default::default()
            };
            refused(&state, &headers, &signed, id, e.into(), forms).await
        }
    }
}

async fn upload_evidence(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, ApiError> {
    let max = state.config.max_upload_bytes;
    // A body past the server's limit cannot be read at all: say "too large", not "malformed".
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || -> ApiError {
        ServiceError::Import(luodi_office::ImportError::TooLarge { max_bytes: max }).into()
    };
    let upload = if declared.is_some_and(|n| n > max + 64 * 1024) {
        Err(too_large())
    } else {
        crate::kit::read_upload(mp, max).await
    };
    let result = match upload {
        Ok((name, bytes)) => items_svc::add_evidence(&state.svc, &signed.actor, id, &bytes, &name)
            .await
            .map(|_| ())
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/items/{id}"), "evidence_added")),
        Err(e) => refused(&state, &headers, &signed, id, e, ItemForms::default()).await,
    }
}

/// An evidence file, always as a download (never shown inline), exactly as the API serves it.
async fn download(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (a, bytes) = items_svc::evidence(&state.svc, &signed.actor, id).await?;
    Ok(attachment_response(&a.file_name, &a.content_type, bytes))
}

// --- The roadmap -----------------------------------------------------------------------------

/// The drawing's coordinate system (viewBox units; the SVG scales to the card's width).
const SVG_W: f64 = 1200.0;
const LABEL_W: f64 = 380.0;
const CHART_X0: f64 = 392.0;
const CHART_X1: f64 = 1188.0;
const HEADER_H: f64 = 34.0;
const ROW_H: f64 = 30.0;
const FONT: f64 = 13.0;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoadmapQuery {
    /// Missing: the first campaign; empty: every campaign.
    pub campaign_id: Option<String>,
    pub page: String,
}

pub struct Tick {
    pub x: String,
    pub label: String,
    pub labelled: bool,
}

pub struct Diamond {
    pub points: String,
    pub title: String,
    pub done: bool,
}

pub struct GanttRow {
    pub id: i64,
    pub sub: bool,
    pub odd: bool,
    pub y: String,
    pub h: String,
    pub text_x: String,
    pub text_y: String,
    pub dot_x: String,
    pub dot_y: String,
    pub label: String,
    pub title: String,
    pub bar_x: String,
    pub bar_y: String,
    pub bar_w: String,
    pub bar_h: String,
    pub done_w: String,
    pub light: &'static str,
    pub light_label: String,
    pub bar_title: String,
    pub milestones: Vec<Diamond>,
}

#[derive(Template)]
#[template(path = "roadmap.html")]
struct RoadmapPage {
    ctx: Ctx,
    campaigns: Vec<(String, String)>,
    campaign: String,
    rows: Vec<GanttRow>,
    ticks: Vec<Tick>,
    width: String,
    height: String,
    chart_x0: String,
    chart_x1: String,
    header_h: String,
    today_x: Option<String>,
    today_label: String,
    scope: Option<String>,
    pager: Pager,
    pager_info: String,
}

fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// Cuts `s` to about `max` em (a CJK character is one em, others a bit over half).
fn fit(s: &str, max: f64) -> String {
    let width = |c: char| if (c as u32) < 0x2E80 { 0.56 } else { 1.0 };
    let total: f64 = s.chars().map(width).sum();
    if total <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut w = 0.0;
    for c in s.chars() {
        w += width(c);
        if w > max - 1.0 {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

fn start_of(r: &ItemRow) -> NaiveDate {
    r.item
        .start_on
        .unwrap_or_else(|| r.item.created_at.date_naive())
}

async fn roadmap_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<RoadmapQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let mut ctx = Ctx::signed(&state, &headers, &signed, "roadmap", "roadmap-title").await?;
    let title = ctx.t("roadmap-title");
    ctx = ctx.crumb(title, "");
    let campaigns = if actor.can_somewhere(Permission::ReadCampaigns) {
        campaigns_svc::list(&state.svc, actor, None, Page::new(1, 200))
            .await?
            .items
    } else {
        Vec::new()
    };
    let campaign_id = match &q.campaign_id {
        None => campaigns.first().map(|c| c.id),
        Some(s) => opt_id(Some(s)),
    };
    let campaign = campaign_id.and_then(|id| campaigns.iter().find(|c| c.id == id));
    let campaign_param = match (&q.campaign_id, campaign_id) {
        (Some(s), None) if s.trim().is_empty() => String::new(),
        (_, Some(id)) => id.to_string(),
        _ => String::new(),
    };
    ctx.back = format!("/roadmap?campaign_id={campaign_param}");

    let within = ctx.scope.as_ref().map(|s| s.id);
    let query = ItemQuery {
        within,
        filter: ItemFilter {
            campaign_id,
            kind: Some("task".into()),
            top_level_only: true,
            ..Default::default()
        },
        sort: ItemSort::DueOn,
    };
    let page = Page::new(q.page.trim().parse().unwrap_or(1), PER_PAGE);
    let tops = items_svc::list(&state.svc, actor, query, page).await?;
    let mut ordered: Vec<(ItemRow, bool)> = Vec::new();
    for t in tops.items {
        let id = t.item.id;
        ordered.push((t, false));
        let kids = ItemQuery {
            within: None,
            filter: ItemFilter {
                campaign_id,
                parent_id: Some(id),
                ..Default::default()
            },
            sort: ItemSort::DueOn,
        };
        let kids = items_svc::list(&state.svc, actor, kids, Page::new(1, 100)).await?;
        ordered.extend(kids.items.into_iter().map(|k| (k, true)));
    }
    // The milestones of the items shown (all of them readable: they came from the list).
    let listed: Vec<&ItemRow> = ordered.iter().map(|(r, _)| r).collect();
    let milestones = items_svc::milestones_of(&state.svc, actor, &listed).await?;
    let today = match campaign_id.or(ordered.first().map(|(r, _)| r.item.campaign_id)) {
        Some(cid) => campaign_today(&state, cid).await,
        None => state.svc.now().date_naive(),
    };

    // The date range: the campaign's, widened to whatever is shown.
    let mut dates: Vec<NaiveDate> = Vec::new();
    if let Some(c) = campaign {
        dates.push(c.starts_on);
        dates.push(c.ends_on);
    }
    for (r, _) in &ordered {
        dates.push(start_of(r));
        dates.push(r.item.due_on);
        dates.push(r.item.original_due_on);
        for m in milestones.get(&r.item.id).into_iter().flatten() {
            dates.push(m.due_on);
        }
    }
    let (lo, hi) = match (dates.iter().min(), dates.iter().max()) {
        (Some(lo), Some(hi)) => (first_of_month(*lo), next_month(*hi)),
        _ => (first_of_month(today), next_month(today)),
    };
    let span = (hi - lo).num_days().max(1) as f64;
    let x = |d: NaiveDate| CHART_X0 + (d - lo).num_days() as f64 / span * (CHART_X1 - CHART_X0);

    let mut ticks = Vec::new();
    let mut m = lo;
    let months = {
        let mut k = 0;
        let mut t = lo;
        while t < hi {
            k += 1;
            t = next_month(t);
        }
        k
    };
    let stride = match months {
        0..=12 => 1,
        13..=24 => 2,
        25..=48 => 3,
        _ => 6,
    };
    let mut k = 0;
    while m < hi {
        ticks.push(Tick {
            x: n(x(m)),
            label: ctx.tr(
                "roadmap-month",
                &[
                    ("year", m.year().to_string()),
                    ("month", m.month().to_string()),
                ],
            ),
            labelled: k % stride == 0,
        });
        k += 1;
        m = next_month(m);
    }

    let rows: Vec<GanttRow> = ordered
        .iter()
        .enumerate()
        .map(|(idx, (r, sub))| {
            let i = &r.item;
            let top = HEADER_H + idx as f64 * ROW_H;
            let mid = top + ROW_H / 2.0;
            let indent = if *sub { 20.0 } else { 0.0 };
            let start = start_of(r).min(i.due_on);
            let x0 = x(start);
            let x1 = x(i.due_on).max(x0 + 3.0);
            let bar_h = if *sub { 10.0 } else { 14.0 };
            let w = x1 - x0;
            let status = status_label(&ctx, &i.status);
            let progress = i.progress_percent.clamp(0, 100);
            GanttRow {
                id: i.id,
                sub: *sub,
                odd: idx % 2 == 1,
                y: n(top),
                h: n(ROW_H),
                text_x: n(8.0 + indent + 16.0),
                text_y: n(mid + FONT * 0.36),
                dot_x: n(8.0 + indent + 5.0),
                dot_y: n(mid),
                label: fit(&i.title, (LABEL_W - 8.0 - indent - 24.0) / FONT),
                title: i.title.clone(),
                bar_x: n(x0),
                bar_y: n(mid - bar_h / 2.0),
                bar_w: n(w),
                bar_h: n(bar_h),
                done_w: n(w * progress as f64 / 100.0),
                light: light_name(&i.light),
                light_label: light_label(&ctx, &i.light),
                bar_title: ctx.tr(
                    "roadmap-bar-title",
                    &[
                        ("title", i.title.clone()),
                        ("start", start.to_string()),
                        ("due", i.due_on.to_string()),
                        ("status", status),
                        ("progress", progress.to_string()),
                    ],
                ),
                milestones: milestones
                    .get(&i.id)
                    .into_iter()
                    .flatten()
                    .map(|m| {
                        let cx = x(m.due_on);
                        let s = 6.0;
                        Diamond {
                            points: format!(
                                "{},{} {},{} {},{} {},{}",
                                n(cx),
                                n(mid - s),
                                n(cx + s),
                                n(mid),
                                n(cx),
                                n(mid + s),
                                n(cx - s),
                                n(mid)
                            ),
                            title: ctx.tr(
                                "roadmap-milestone-title",
                                &[("title", m.title.clone()), ("date", m.due_on.to_string())],
                            ),
                            done: m.done_on.is_some(),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let height = HEADER_H + rows.len() as f64 * ROW_H + 6.0;
    let today_x = (today >= lo && today < hi).then(|| n(x(today)));
    let base = format!("/roadmap?campaign_id={campaign_param}&");
    let pager = Pager::new(tops.total, tops.page, tops.per_page, &base);
    let page = RoadmapPage {
        campaigns: campaigns
            .iter()
            .map(|c| (c.id.to_string(), c.name.clone()))
            .collect(),
        campaign: campaign_param,
        rows,
        ticks,
        width: n(SVG_W),
        height: n(height),
        chart_x0: n(CHART_X0),
        chart_x1: n(CHART_X1),
        header_h: n(HEADER_H),
        today_x,
        today_label: ctx.t("roadmap-today"),
        scope: ctx
            .scope
            .as_ref()
            .map(|s| ctx.tr("ledger-scope", &[("name", s.name.clone())])),
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
    fn milestones_parse_by_line() {
        let (ok, bad) = parse_milestones(
            "2026-10-15 完成方案制定\n\n2026-13-01 x\n2026-11-01\u{3000}中期评估\n2026-11-02",
        );
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].title, "中期评估");
        assert_eq!(bad, vec![(3, "bad_date"), (5, "required")]);
    }

    #[test]
    fn labels_fit() {
        assert_eq!(fit("短标题", 10.0), "短标题");
        let long = "取消高速公路省界收费站并实现不停车快捷收费的全部工作任务";
        let cut = fit(long, 10.0);
        assert!(cut.ends_with('…'));
        assert!(cut.chars().count() <= 10);
    }

    #[test]
    fn ledger_query_expands_status_groups() {
        let q = LedgerQuery {
            status: "open".into(),
            due_from: "bad".into(),
            light: "purple".into(),
            ..Default::default()
        };
        let p = q.params(Some(7));
        assert_eq!(p.status.as_deref(), Some(OPEN_STATUSES));
        assert!(p.due_from.is_none());
        assert!(p.light.is_none());
        let href = trimmed(LedgerQuery::href("/ledger/export.xlsx", &p, None));
        assert!(href.starts_with("/ledger/export.xlsx?within=7&status="));
        assert!(!href.ends_with('&'));
    }
}
