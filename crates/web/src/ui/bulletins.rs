//! Weekly bulletin pages (每周一通报): the list with the form that computes a scope's bulletin for
//! an ISO week, and a bulletin's page: the summary, the ranking with the figures behind each
//! score and the proposed interviews, the named lists, a bar chart of the scores drawn as
//! server-side SVG (geometry in SVG attributes, colours in the stylesheet), the downloads, and
//! the form that publishes a draft. A published bulletin never changes.

use super::reports::{campaign_options, default_org_code, supervised_org, Zones};
use super::{opt_id, Ctx};
use super::{render_status, see_other, FormErrors};
use crate::auth::{lang_of, ClientIp, Signed};
use crate::error::{explain, ApiError};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use luodi_domain::bulletin::{Figures, ScoringRules};
use luodi_domain::cadence::{iso_week, parse_iso_week};
use luodi_domain::role::Permission;
use luodi_service::auth::SignedIn;
use luodi_service::bulletins::{self as bulletins_svc, BulletinView};
use luodi_service::campaigns as campaigns_svc;
use luodi_service::orgs as orgs_svc;
use luodi_service::{Actor, ServiceError};
use serde::Deserialize;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bulletins", get(list_page).post(compute))
        .route("/bulletins/{id}", get(show))
        .route("/bulletins/{id}/publish", post(publish))
}

// --- Helpers ---------------------------------------------------------------------------------

/// A rate as a whole percentage (one decimal when not whole); "—" with nothing to count.
fn pct(rate: Option<f64>) -> String {
    match rate {
        Some(r) => {
            let p = r * 100.0;
            if (p - p.round()).abs() < 0.05 {
                format!("{}%", p.round() as i64)
            } else {
                format!("{p:.1}%")
            }
        }
        None => "\u{2014}".to_owned(),
    }
}

/// A score as the bulletin prints it: one decimal at most.
fn score_text(s: f64) -> String {
    if (s - s.round()).abs() < 0.05 {
        format!("{}", s.round() as i64)
    } else {
        format!("{s:.1}")
    }
}

fn status_tag(ctx: &Ctx, s: &str) -> (String, &'static str) {
    let class = if s == "published" {
        "tag-green"
    } else {
        "tag-amber"
    };
    (ctx.t(&format!("bulletins-status-{s}")), class)
}

/// Names of scope orgs, looked up once each; `#id` for an org the reader cannot see.
#[derive(Default)]
struct OrgNames(HashMap<i64, Option<(String, String)>>);

impl OrgNames {
    async fn get(&mut self, state: &AppState, actor: &Actor, id: i64) -> Option<(String, String)> {
        match self.0.entry(id) {
            Entry::Occupied(e) => e.get().clone(),
            Entry::Vacant(e) => {
                let o = orgs_svc::get(&state.svc, actor, id)
                    .await
                    .ok()
                    .map(|o| (o.name, o.code));
                e.insert(o).clone()
            }
        }
    }

    async fn name(&mut self, state: &AppState, actor: &Actor, id: i64) -> String {
        self.get(state, actor, id)
            .await
            .map(|(n, _)| n)
            .unwrap_or_else(|| format!("#{id}"))
    }
}

/// Whether a refusal is shown on the page (with `.alert-error`) rather than as an error page.
fn shown(err: &ApiError) -> bool {
    matches!(
        err.status,
        StatusCode::BAD_REQUEST
            | StatusCode::FORBIDDEN
            | StatusCode::CONFLICT
            | StatusCode::UNPROCESSABLE_ENTITY
    ) && err.code != "forbidden"
}

/// Records a refusal the page shows itself, as the error middleware does for those it renders.
async fn audit_refusal(
    state: &AppState,
    signed: &SignedIn,
    ip: Option<&str>,
    request: &str,
    err: &ApiError,
) {
    if err.status == StatusCode::FORBIDDEN {
        luodi_service::audit::refusal(
            &state.svc,
            Some(signed.user.id),
            &signed.actor.name,
            ip,
            request,
            err.code,
        )
        .await;
    }
}

// --- The list and the compute form -----------------------------------------------------------

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ComputeForm {
    pub campaign_id: String,
    pub scope_org_code: String,
    pub week: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OkQuery {
    pub ok: String,
}

struct BulletinRowView {
    id: i64,
    week: String,
    issue: String,
    scope_id: i64,
    scope_name: String,
    status: String,
    status_label: String,
    status_class: &'static str,
    computed: String,
    published: Option<String>,
}

#[derive(Template)]
#[template(path = "bulletin_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<BulletinRowView>,
    can_compute: bool,
    campaigns: Vec<(String, String)>,
    form: ComputeForm,
    errors: FormErrors,
    error: Option<String>,
    details: Vec<String>,
}

#[derive(Default)]
struct ListForms {
    form: Option<ComputeForm>,
    errors: FormErrors,
    error: Option<String>,
    details: Vec<String>,
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    let flash = Some(q.ok.as_str()).filter(|k| !k.is_empty());
    list_response(
        &state,
        &headers,
        &signed,
        flash,
        ListForms::default(),
        StatusCode::OK,
    )
    .await
}

async fn list_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    flash: Option<&str>,
    forms: ListForms,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let list = bulletins_svc::list(&state.svc, actor).await?;
    let mut ctx = Ctx::signed(state, headers, signed, "bulletins", "bulletins-title")
        .await?
        .with_flash(flash);
    ctx.back = "/bulletins".into();
    let title = ctx.t("bulletins-title");
    let ctx = ctx.crumb(title, "");
    let mut names = OrgNames::default();
    let mut zones = Zones::default();
    let mut rows = Vec::with_capacity(list.len());
    for b in list {
        zones.load(state, b.campaign_id).await;
        let (status_label, status_class) = status_tag(&ctx, &b.status);
        rows.push(BulletinRowView {
            id: b.id,
            issue: ctx.tr("bulletin-issue", &[("n", b.issue_no.to_string())]),
            scope_id: b.scope_org_id,
            scope_name: names.name(state, actor, b.scope_org_id).await,
            computed: zones.show(&ctx, Some(b.campaign_id), &b.computed_at),
            published: b
                .published_at
                .map(|t| zones.show(&ctx, Some(b.campaign_id), &t)),
            week: b.period_key,
            status: b.status,
            status_label,
            status_class,
        });
    }
    let can_compute = actor.can_somewhere(Permission::SuperviseItems);
    let campaigns = if can_compute {
        campaign_options(state, actor).await?
    } else {
        Vec::new()
    };
    let form = match forms.form {
        Some(f) => f,
        None => ComputeForm {
            campaign_id: campaigns.first().map(|c| c.0.clone()).unwrap_or_default(),
            scope_org_code: if can_compute {
                default_org_code(state, signed).await
            } else {
                String::new()
            },
            week: iso_week(state.svc.now().date_naive()),
        },
    };
    let page = ListPage {
        rows,
        can_compute,
        campaigns,
        form,
        errors: forms.errors,
        error: forms.error,
        details: forms.details,
        ctx,
    };
    Ok(render_status(status, &page))
}

fn compute_field(f: &str) -> Option<String> {
    match f {
        "campaign_id" | "week" => Some(f.to_owned()),
        "scope_org_id" => Some("scope_org_code".into()),
        _ => None,
    }
}

async fn compute(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Signed(signed): Signed,
    Form(form): Form<ComputeForm>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::SuperviseItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let lang = lang_of(&headers);
    let i18n = &state.i18n;
    let mut errors = FormErrors::default();
    let campaign_id = opt_id(Some(&form.campaign_id));
    if campaign_id.is_none() {
        errors.add(i18n, lang, "campaign_id", "required", &[]);
    }
    let week = form.week.trim().to_owned();
    if week.is_empty() {
        errors.add(i18n, lang, "week", "required", &[]);
    } else if parse_iso_week(&week).is_none() {
        errors.add(i18n, lang, "week", "bad_week", &[]);
    }
    let scope = supervised_org(
        &state,
        lang,
        actor,
        &mut errors,
        "scope_org_code",
        &form.scope_org_code,
    )
    .await?;
    let mut forms = ListForms::default();
    if let (true, Some(campaign_id), Some(scope)) = (errors.is_empty(), campaign_id, scope) {
        match bulletins_svc::compute(&state.svc, actor, campaign_id, scope.id, &week).await {
            Ok(v) => {
                return Ok(see_other(
                    &format!("/bulletins/{}", v.bulletin.id),
                    "bulletin_computed",
                ))
            }
            Err(ServiceError::Validation(v)) => errors.absorb(i18n, lang, &v, compute_field),
            Err(e) => {
                let err: ApiError = e.into();
                if !shown(&err) {
                    return Err(err);
                }
                audit_refusal(&state, &signed, ip.as_deref(), "POST /bulletins", &err).await;
                let x = explain(&err, i18n, lang);
                forms.error = Some(x.message);
                forms.details = x.text.into_iter().collect();
                forms.form = Some(form);
                return list_response(&state, &headers, &signed, None, forms, err.status).await;
            }
        }
    }
    forms.errors = errors.finish(i18n, lang);
    forms.form = Some(form);
    list_response(
        &state,
        &headers,
        &signed,
        None,
        forms,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

// --- One bulletin ----------------------------------------------------------------------------

/// The proposed interview of a ranked org: its kind and why.
struct InterviewView {
    kind: String,
    label: String,
    reasons: Vec<String>,
}

struct RankedView {
    org_id: i64,
    org_code: String,
    org_name: String,
    rank: i64,
    score: String,
    below_base: bool,
    f: Figures,
    on_time: String,
    punctuality: String,
    interview: Option<InterviewView>,
}

/// One bar of the score chart (viewBox units, as text for the attributes).
struct Bar {
    y: String,
    h: String,
    x: String,
    w: String,
    label_x: String,
    text_y: String,
    label: String,
    title: String,
    value_x: String,
    score: String,
    below: bool,
}

struct Chart {
    width: String,
    height: String,
    bars: Vec<Bar>,
    zero_x: String,
    base_x: String,
    base_label: String,
    top: String,
    bottom: String,
}

struct Head {
    id: i64,
    title: String,
    issue: String,
    week: String,
    scope_id: i64,
    scope_name: String,
    campaign: Option<(i64, String)>,
    status: String,
    status_label: String,
    status_class: &'static str,
    computed: String,
    published: Option<String>,
    note: String,
    rules_version: i64,
    /// The audit chain's head at publication (`SEQ:MAC`).
    audit_head: Option<String>,
}

struct Summary {
    sentence: String,
    orgs: usize,
    on_time: String,
    punctuality: String,
    red: i64,
    overdue: i64,
}

#[derive(Template)]
#[template(path = "bulletin_show.html")]
struct ShowPage {
    ctx: Ctx,
    b: Head,
    summary: Summary,
    rows: Vec<RankedView>,
    chart: Option<Chart>,
    lists: Vec<(&'static str, String, Vec<String>)>,
    commitments: Vec<luodi_service::bulletins::CommitmentLine>,
    can_publish: bool,
    /// The scope's code, to compute a draft again (when the reader sees it).
    scope_code: Option<String>,
    campaign_id: i64,
    note: String,
    errors: FormErrors,
    error: Option<String>,
    details: Vec<String>,
}

#[derive(Default)]
struct ShowForms {
    note: String,
    errors: FormErrors,
    error: Option<String>,
    details: Vec<String>,
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    let flash = Some(q.ok.as_str()).filter(|k| !k.is_empty());
    show_response(
        &state,
        &headers,
        &signed,
        id,
        flash,
        ShowForms::default(),
        StatusCode::OK,
    )
    .await
}

fn interview_view(ctx: &Ctx, v: &serde_json::Value) -> Option<InterviewView> {
    let kind = v.get("kind")?.as_str()?.to_owned();
    let reasons = v
        .get("reasons")
        .and_then(|r| r.as_array())
        .map(|rs| {
            rs.iter()
                .filter_map(|r| match r.get("reason")?.as_str()? {
                    "red_items" => Some(ctx.tr(
                        "bulletins-reason-red-items",
                        &[("count", r["count"].as_i64().unwrap_or(0).to_string())],
                    )),
                    "low_punctuality" => Some(ctx.tr(
                        "bulletins-reason-low-punctuality",
                        &[("rate", pct(r["rate"].as_f64()))],
                    )),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Some(InterviewView {
        label: ctx.t(&format!("bulletins-interview-{kind}")),
        kind,
        reasons,
    })
}

/// Cuts `s` to about `max` em (a CJK character is one em, others a bit over half).
fn fit(s: &str, max: f64) -> String {
    let width = |c: char| if (c as u32) < 0x2E80 { 0.56 } else { 1.0 };
    if s.chars().map(width).sum::<f64>() <= max {
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

const CHART_W: f64 = 800.0;
const CHART_X0: f64 = 236.0;
const CHART_X1: f64 = 730.0;
const CHART_TOP: f64 = 22.0;
const BAR_ROW: f64 = 24.0;
const BAR_H: f64 = 14.0;
const CHART_FONT: f64 = 12.0;

fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// The horizontal bar chart of the scores, in rank order, with the base score marked.
fn chart(ctx: &Ctx, v: &BulletinView, base: f64) -> Option<Chart> {
    if v.rows.is_empty() {
        return None;
    }
    let min = v.rows.iter().map(|r| r.score).fold(f64::INFINITY, f64::min);
    let max = v
        .rows
        .iter()
        .map(|r| r.score)
        .fold(f64::NEG_INFINITY, f64::max);
    let lo = min.min(0.0);
    let hi = max.max(base).max(1.0);
    let span = (hi - lo).max(1.0);
    let x = |s: f64| CHART_X0 + (s - lo) / span * (CHART_X1 - CHART_X0);
    let zero = x(0.0);
    let bars = v
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let top = CHART_TOP + i as f64 * BAR_ROW;
            let end = x(r.score);
            let (bx, bw) = if end >= zero {
                (zero, (end - zero).max(1.0))
            } else {
                (end, zero - end)
            };
            let score = score_text(r.score);
            Bar {
                y: n(top + (BAR_ROW - BAR_H) / 2.0),
                h: n(BAR_H),
                x: n(bx),
                w: n(bw),
                label_x: n(CHART_X0 - 8.0),
                text_y: n(top + BAR_ROW / 2.0 + CHART_FONT * 0.36),
                label: fit(&r.org_name, (CHART_X0 - 16.0) / CHART_FONT),
                title: ctx.tr(
                    "bulletins-chart-bar",
                    &[
                        ("rank", r.rank.to_string()),
                        ("org", r.org_name.clone()),
                        ("score", score.clone()),
                    ],
                ),
                value_x: n(bx + bw + 6.0),
                score,
                below: r.score < base,
            }
        })
        .collect::<Vec<_>>();
    let bottom = CHART_TOP + bars.len() as f64 * BAR_ROW;
    Some(Chart {
        width: n(CHART_W),
        height: n(bottom + 8.0),
        bars,
        zero_x: n(zero),
        base_x: n(x(base)),
        base_label: ctx.tr("bulletins-chart-base", &[("score", score_text(base))]),
        top: n(CHART_TOP - 4.0),
        bottom: n(bottom),
    })
}

fn names(totals: &serde_json::Value, key: &str) -> Vec<String> {
    totals[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn show_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    flash: Option<&str>,
    forms: ShowForms,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let v = bulletins_svc::get(&state.svc, actor, id).await?;
    let b = &v.bulletin;
    let mut ctx = Ctx::signed(state, headers, signed, "bulletins", "bulletins-title")
        .await?
        .with_flash(flash);
    ctx.back = format!("/bulletins/{id}");
    let list = ctx.t("bulletins-title");
    let issue = ctx.tr("bulletin-issue", &[("n", b.issue_no.to_string())]);
    let crumb = format!("{} · {issue}", b.period_key);
    ctx.title = format!("{} {issue}", ctx.t("bulletin-doc-title"));
    let ctx = ctx.crumb(list, "/bulletins").crumb(crumb, "");

    let mut names_cache = OrgNames::default();
    let scope = names_cache.get(state, actor, b.scope_org_id).await;
    let mut zones = Zones::default();
    zones.load(state, b.campaign_id).await;
    let campaign = campaigns_svc::get(&state.svc, actor, b.campaign_id)
        .await
        .ok()
        .map(|d| (d.campaign.id, d.campaign.name));
    let rules: ScoringRules = serde_json::from_str(&b.rules_json).unwrap_or_default();
    let totals: Figures = serde_json::from_value(v.totals["figures"].clone()).unwrap_or_default();
    let on_time = pct(v.totals["on_time_rate"].as_f64());
    let punctuality = pct(v.totals["punctuality"].as_f64());
    let summary = Summary {
        sentence: ctx.tr(
            "bulletin-summary",
            &[
                ("orgs", v.rows.len().to_string()),
                ("on_time", on_time.clone()),
                ("punctuality", punctuality.clone()),
                ("red", totals.red.to_string()),
            ],
        ),
        orgs: v.rows.len(),
        on_time,
        punctuality,
        red: totals.red,
        overdue: totals.overdue,
    };
    let (status_label, status_class) = status_tag(&ctx, &b.status);
    let head = Head {
        id,
        title: ctx.t("bulletin-doc-title"),
        issue,
        week: b.period_key.clone(),
        scope_id: b.scope_org_id,
        scope_name: scope
            .as_ref()
            .map(|s| s.0.clone())
            .unwrap_or_else(|| format!("#{}", b.scope_org_id)),
        campaign,
        status: b.status.clone(),
        status_label,
        status_class,
        computed: zones.show(&ctx, Some(b.campaign_id), &b.computed_at),
        published: b.published_at.map(|t| {
            ctx.tr(
                "bulletins-published-by",
                &[
                    ("time", zones.show(&ctx, Some(b.campaign_id), &t)),
                    ("name", b.published_by.clone().unwrap_or_default()),
                ],
            )
        }),
        note: b.note.clone(),
        rules_version: b.rules_version,
        audit_head: b.audit_head.clone(),
    };
    let rows = v
        .rows
        .iter()
        .map(|r| RankedView {
            org_id: r.org_id,
            org_code: r.org_code.clone(),
            org_name: r.org_name.clone(),
            rank: r.rank,
            score: score_text(r.score),
            below_base: r.score < rules.base,
            f: r.figures.clone(),
            on_time: pct(r.on_time_rate),
            punctuality: pct(r.punctuality),
            interview: interview_view(&ctx, &r.interview),
        })
        .collect();
    let lists = vec![
        (
            "praised",
            ctx.t("bulletin-praised"),
            names(&v.totals, "praised"),
        ),
        (
            "criticised",
            ctx.t("bulletin-criticised"),
            names(&v.totals, "criticised"),
        ),
        (
            "interviews",
            ctx.t("bulletin-interviews"),
            names(&v.totals, "interviews_proposed"),
        ),
    ];
    let page = ShowPage {
        commitments: luodi_service::bulletins::commitment_lines(&state.i18n, ctx.lang, &v.totals),
        chart: chart(&ctx, &v, rules.base),
        summary,
        rows,
        lists,
        can_publish: v.can_publish,
        scope_code: scope.map(|s| s.1),
        campaign_id: b.campaign_id,
        note: forms.note,
        errors: forms.errors,
        error: forms.error,
        details: forms.details,
        b: head,
        ctx,
    };
    Ok(render_status(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishForm {
    pub note: String,
}

async fn publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<PublishForm>,
) -> Result<Response, ApiError> {
    match bulletins_svc::publish(&state.svc, &signed.actor, id, &form.note).await {
        Ok(_) => Ok(see_other(&format!("/bulletins/{id}"), "bulletin_published")),
        Err(ServiceError::Validation(v)) => {
            let lang = lang_of(&headers);
            let mut errors = FormErrors::default();
            errors.absorb(&state.i18n, lang, &v, |f| {
                (f == "note").then(|| f.to_owned())
            });
            let forms = ShowForms {
                note: form.note,
                errors: errors.finish(&state.i18n, lang),
                ..Default::default()
            };
            show_response(
                &state,
                &headers,
                &signed,
                id,
                None,
                forms,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => {
            let err: ApiError = e.into();
            if !shown(&err) {
                return Err(err);
            }
            let request = format!("POST /bulletins/{id}/publish");
            audit_refusal(&state, &signed, ip.as_deref(), &request, &err).await;
            let lang = lang_of(&headers);
            let x = explain(&err, &state.i18n, lang);
            let forms = ShowForms {
                note: form.note,
                error: Some(x.message),
                details: x.text.into_iter().collect(),
                ..Default::default()
            };
            show_response(&state, &headers, &signed, id, None, forms, err.status).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_scores_print_plainly() {
        assert_eq!(pct(None), "\u{2014}");
        assert_eq!(pct(Some(0.5)), "50%");
        assert_eq!(pct(Some(2.0 / 3.0)), "66.7%");
        assert_eq!(score_text(100.0), "100");
        assert_eq!(score_text(97.5), "97.5");
        assert_eq!(score_text(-3.0), "-3");
    }

    #[test]
    fn long_names_fit_the_chart() {
        assert_eq!(fit("港航管理处", 10.0), "港航管理处");
        let cut = fit("辽宁省交通运输厅厅机关第一党支部及其所属全部单位", 10.0);
        assert!(cut.ends_with('…'));
        assert!(cut.chars().count() <= 10);
    }
}
