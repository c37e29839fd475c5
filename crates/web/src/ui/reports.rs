//! Situation report pages (情况汇报) and work rules (工作制度): the list of reports with their
//! state against the cut-off, a report's page with the figures luodi pre-fills (a fact is
//! entered once) and the three texts a unit writes, the supervising org's review, and the work
//! rules with the form that sets one up (a reporting rule opens the current period at once).

use super::{kind_options, pager_info, parse_version, render_status, see_other};
use super::{opt_id, query_base, render, Ctx, Pager};
use super::{validation, FormErrors};
use crate::auth::{lang_of, Signed};
use crate::error::{explain, ApiError};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, NaiveTime, Utc};
use luodi_domain::bulletin::{report_state, ReportState};
use luodi_domain::cadence::Cadence;
use luodi_domain::org::OrgKind;
use luodi_domain::role::Permission;
use luodi_service::auth::SignedIn;
use luodi_service::campaigns as campaigns_svc;
use luodi_service::items::{self as items_svc, ItemRules};
use luodi_service::orgs as orgs_svc;
use luodi_service::reports::{self as reports_svc, ReportTexts, RuleInput, RULE_KINDS};
use luodi_service::reports::{Report, ReportFilter};
use luodi_service::Page;
use luodi_service::{Actor, ServiceError};
use serde::Deserialize;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(list_page))
        .route("/reports/{id}", get(report_page).post(write))
        .route("/reports/{id}/review", post(review))
        .route("/rules", get(rules_page).post(create_rule))
        .route("/rules/new", get(new_rule_page))
}

const PER_PAGE: i64 = 50;
const STATUSES: [&str; 5] = ["open", "draft", "submitted", "accepted", "sent_back"];
const CADENCE_KINDS: [&str; 3] = ["weekly", "monthly", "cron"];

// --- Helpers ---------------------------------------------------------------------------------

/// The campaigns the actor reads, as `(id, name)`, for selects.
pub(super) async fn campaign_options(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(String, String)>, ApiError> {
    if !actor.can_somewhere(Permission::ReadCampaigns) {
        return Ok(Vec::new());
    }
    Ok(
        campaigns_svc::list(&state.svc, actor, None, Page::new(1, 200))
            .await?
            .items
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
    )
}

/// The code of the org the user stands in, or of their only root (the default of org fields).
pub(super) async fn default_org_code(state: &AppState, signed: &SignedIn) -> String {
    let actor = &signed.actor;
    if let Some(scope) = signed.scope_org_id {
        if let Ok(o) = orgs_svc::get(&state.svc, actor, scope).await {
            return o.code;
        }
    }
    match orgs_svc::children(&state.svc, actor, None, false).await {
        Ok(roots) => match roots.as_slice() {
            [only] => only.org.code.clone(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

/// The org of `code` if the actor may supervise there; otherwise the field's error.
pub(super) async fn supervised_org(
    state: &AppState,
    ctx_lang: crate::i18n::Lang,
    actor: &Actor,
    errors: &mut FormErrors,
    field: &str,
    code: &str,
) -> Result<Option<luodi_service::orgs::Org>, ApiError> {
    let i18n = &state.i18n;
    let code = code.trim();
    if code.is_empty() {
        errors.add(i18n, ctx_lang, field, "required", &[]);
        return Ok(None);
    }
    match orgs_svc::get_by_code(&state.svc, actor, code).await {
        Ok(o) if actor.can(Permission::SuperviseItems, &o.path) => Ok(Some(o)),
        Ok(o) => {
            errors.add_message(
                field,
                i18n.tr(ctx_lang, "rules-org-refused", &[("value", o.name)]),
            );
            Ok(None)
        }
        Err(ServiceError::NotFound(_) | ServiceError::Forbidden) => {
            errors.add(i18n, ctx_lang, field, "unknown_org", &[]);
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// The time rules of campaigns, loaded once each, to show instants in the campaign's zone.
#[derive(Default)]
pub(super) struct Zones {
    by_campaign: HashMap<i64, Option<ItemRules>>,
    campaign_of_rule: HashMap<i64, Option<i64>>,
}

impl Zones {
    /// Loads the zone of `campaign_id` (UTC when its rules cannot be read).
    pub(super) async fn load(&mut self, state: &AppState, campaign_id: i64) {
        if self.by_campaign.contains_key(&campaign_id) {
            return;
        }
        let rules = items_svc::campaign_rules(&state.svc, campaign_id)
            .await
            .ok();
        self.by_campaign.insert(campaign_id, rules);
    }

    /// Loads the zone of the campaign of work rule `rule_id` (the report is already readable).
    async fn load_rule(&mut self, state: &AppState, rule_id: i64) {
        let campaign = match self.campaign_of_rule.entry(rule_id) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                let campaign = luodi_service::reports::campaign_of_rule(&state.svc, rule_id)
                    .await
                    .ok()
                    .flatten();
                *e.insert(campaign)
            }
        };
        if let Some(cid) = campaign {
            self.load(state, cid).await;
        }
    }

    /// `t` to the minute in the zone of `campaign_id`, with the zone named.
    pub(super) fn show(&self, ctx: &Ctx, campaign_id: Option<i64>, t: &DateTime<Utc>) -> String {
        let rules = campaign_id.and_then(|c| self.by_campaign.get(&c).and_then(Option::as_ref));
        match rules {
            Some(r) => {
                let local = t.with_timezone(&r.tz);
                let name = r.tz.name();
                let zone = if name == "Asia/Shanghai" {
                    ctx.t("reports-beijing-time")
                } else {
                    name.to_owned()
                };
                ctx.tr(
                    "reports-local-time",
                    &[
                        ("time", local.format("%Y-%m-%d %H:%M").to_string()),
                        ("zone", zone),
                    ],
                )
            }
            None => format!("{} UTC", t.format("%Y-%m-%d %H:%M")),
        }
    }

    fn show_for_rule(&self, ctx: &Ctx, rule_id: i64, t: &DateTime<Utc>) -> String {
        let campaign = self.campaign_of_rule.get(&rule_id).copied().flatten();
        self.show(ctx, campaign, t)
    }
}

fn status_label(ctx: &Ctx, s: &str) -> String {
    let key = format!("reports-status-{s}");
    if ctx.i18n.has(ctx.lang, &key) {
        ctx.t(&key)
    } else {
        s.to_owned()
    }
}

fn status_class(s: &str) -> &'static str {
    match s {
        "open" => "tag-blue",
        "draft" => "tag-grey",
        "submitted" => "tag-amber",
        "accepted" => "tag-green",
        "sent_back" => "tag-red",
        _ => "tag-grey",
    }
}

/// The state's name, label key and tag colour.
fn state_tag(ctx: &Ctx, s: ReportState) -> (&'static str, String, &'static str) {
    let (name, class) = match s {
        ReportState::Open => ("open", "tag-blue"),
        ReportState::SubmittedOnTime => ("submitted_on_time", "tag-green"),
        ReportState::SubmittedLate => ("submitted_late", "tag-amber"),
        ReportState::Missing => ("missing", "tag-red"),
    };
    (name, ctx.t(&format!("reports-state-{name}")), class)
}

// --- The list --------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportListQuery {
    pub status: String,
    pub period: String,
    pub missing: String,
    /// An org whose subtree's reports are shown (a dashboard's drill-down).
    pub within: String,
    /// `on_time` or `late`: by first submission against the cut-off.
    pub punctuality: String,
    pub campaign_id: String,
    pub page: String,
    pub ok: String,
}

struct ReportRow {
    id: i64,
    period: String,
    rule: String,
    org_id: i64,
    org_name: String,
    due: String,
    status: String,
    status_label: String,
    status_class: &'static str,
    state: &'static str,
    state_label: String,
    state_class: &'static str,
}

#[derive(Template)]
#[template(path = "report_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ReportRow>,
    pager: Pager,
    pager_info: String,
    statuses: Vec<(String, String)>,
    status: String,
    period: String,
    missing: bool,
    can_rules: bool,
    /// Filters from a link that have no field in the bar (a dashboard's drill-down).
    drill: Vec<String>,
    hidden: Vec<(&'static str, String)>,
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ReportListQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let now = state.svc.now();
    let status = Some(q.status.trim())
        .filter(|s| STATUSES.contains(s))
        .unwrap_or_default()
        .to_owned();
    let period = q.period.trim().chars().take(40).collect::<String>();
    let missing = !q.missing.trim().is_empty();
    let within = match opt_id(Some(&q.within)) {
        Some(id) => Some(luodi_service::orgs::get(&state.svc, actor, id).await?),
        None => None,
    };
    let punctuality = Some(q.punctuality.trim())
        .filter(|p| matches!(*p, "on_time" | "late"))
        .map(str::to_owned);
    let campaign_id = opt_id(Some(&q.campaign_id));
    let filter = ReportFilter {
        within: within.as_ref().map(|o| o.path.clone()),
        punctuality: punctuality.clone(),
        campaign_id,
        period_key: (!period.is_empty()).then(|| period.clone()),
        statuses: if status.is_empty() {
            Vec::new()
        } else {
            vec![status.clone()]
        },
        missing_at: missing.then_some(now),
        ..Default::default()
    };
    let page = Page::new(q.page.trim().parse().unwrap_or(1), PER_PAGE);
    let list = reports_svc::list(&state.svc, actor, filter, page).await?;

    let mut ctx = Ctx::signed(&state, &headers, &signed, "reports", "reports-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    let missing_param = missing.then_some("1");
    let base = query_base(
        "/reports",
        &[
            ("status", Some(status.as_str())),
            ("period", Some(period.as_str())),
            ("missing", missing_param),
            ("within", Some(q.within.trim())),
            ("punctuality", punctuality.as_deref()),
            ("campaign_id", Some(q.campaign_id.trim())),
        ],
    );
    ctx.back = base.trim_end_matches(['?', '&']).to_owned();
    let title = ctx.t("reports-title");
    let ctx = ctx.crumb(title, "");
    let pager = Pager::new(list.total, list.page, list.per_page, &base);

    let mut zones = Zones::default();
    for r in &list.items {
        zones.load_rule(&state, r.rule_id).await;
    }
    let rows = list
        .items
        .iter()
        .map(|r| {
            let (state_name, state_label, state_class) =
                state_tag(&ctx, report_state(r.due_at, r.submitted_at, now));
            ReportRow {
                id: r.id,
                period: r.period_key.clone(),
                rule: r.rule_name.clone(),
                org_id: r.org_id,
                org_name: r.org_name.clone(),
                due: zones.show_for_rule(&ctx, r.rule_id, &r.due_at),
                status: r.status.clone(),
                status_label: status_label(&ctx, &r.status),
                status_class: status_class(&r.status),
                state: state_name,
                state_label,
                state_class,
            }
        })
        .collect();
    let mut drill = Vec::new();
    let mut hidden = Vec::new();
    if let Some(o) = &within {
        drill.push(ctx.tr("ledger-drill-within", &[("name", o.name.clone())]));
        hidden.push(("within", o.id.to_string()));
    }
    if let Some(p) = &punctuality {
        drill.push(ctx.t(&format!("reports-drill-{p}")));
        hidden.push(("punctuality", p.clone()));
    }
    if let Some(cid) = campaign_id {
        hidden.push(("campaign_id", cid.to_string()));
    }
    let page = ListPage {
        drill,
        hidden,
        rows,
        pager_info: pager_info(&ctx, &pager),
        pager,
        statuses: STATUSES
            .iter()
            .map(|s| ((*s).to_owned(), status_label(&ctx, s)))
            .collect(),
        status,
        period,
        missing,
        can_rules: actor.can_somewhere(Permission::ReadItems),
        ctx,
    };
    Ok(render(&page))
}

// --- One report ------------------------------------------------------------------------------

/// What a refused form sends back to the page: the messages and what was typed.
#[derive(Default)]
struct ReportForms {
    texts: Option<ReportTexts>,
    errors: FormErrors,
    comment: String,
    review_errors: FormErrors,
    error: Option<String>,
    details: Vec<String>,
}

struct Figure {
    key: &'static str,
    label: String,
    value: i64,
}

struct ReportHead {
    id: i64,
    org_id: i64,
    org_name: String,
    rule: String,
    period: String,
    due: String,
    status: String,
    status_label: String,
    status_class: &'static str,
    state: &'static str,
    state_label: String,
    state_class: &'static str,
    submitted: Option<String>,
    reviewed: Option<String>,
    review_comment: String,
    sent_back: bool,
    version: i64,
}

#[derive(Template)]
#[template(path = "report_show.html")]
struct ReportPage {
    ctx: Ctx,
    r: ReportHead,
    period_span: String,
    frozen: bool,
    in_period: Vec<Figure>,
    now_figures: Vec<Figure>,
    /// The org's indicators with the week's actual: (key work id, name, unit, actual, planned).
    indicators: Vec<(i64, String, String, String, String)>,
    can_edit: bool,
    can_review: bool,
    done_text: String,
    problems_text: String,
    plan_text: String,
    errors: FormErrors,
    comment: String,
    review_errors: FormErrors,
    error: Option<String>,
    details: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OkQuery {
    pub ok: String,
}

async fn report_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    let flash = Some(q.ok.as_str()).filter(|k| !k.is_empty());
    report_response(
        &state,
        &headers,
        &signed,
        id,
        flash,
        ReportForms::default(),
        StatusCode::OK,
    )
    .await
}

fn figure(ctx: &Ctx, figures: &serde_json::Value, key: &'static str) -> Figure {
    Figure {
        key,
        label: ctx.t(&format!("reports-figure-{}", key.replace('_', "-"))),
        value: figures[key].as_i64().unwrap_or(0),
    }
}

fn instant(v: &serde_json::Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

async fn report_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    flash: Option<&str>,
    forms: ReportForms,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let v = reports_svc::get(&state.svc, &signed.actor, id).await?;
    let mut ctx = Ctx::signed(state, headers, signed, "reports", "reports-title")
        .await?
        .with_flash(flash);
    ctx.back = format!("/reports/{id}");
    let list = ctx.t("reports-title");
    let r: &Report = &v.report;
    let heading = ctx.tr(
        "reports-page-title",
        &[
            ("org", r.org_name.clone()),
            ("period", r.period_key.clone()),
        ],
    );
    ctx.title = heading.clone();
    let ctx = ctx.crumb(list, "/reports").crumb(heading, "");
    let mut zones = Zones::default();
    zones.load_rule(state, r.rule_id).await;
    let (state_name, state_label, state_class) = state_tag(&ctx, v.state);
    let period_span = match (
        instant(&v.figures["period_start"]),
        instant(&v.figures["period_end"]),
    ) {
        (Some(a), Some(b)) => ctx.tr(
            "reports-period-span",
            &[
                ("start", zones.show_for_rule(&ctx, r.rule_id, &a)),
                ("end", zones.show_for_rule(&ctx, r.rule_id, &b)),
            ],
        ),
        _ => String::new(),
    };
    let head = ReportHead {
        id,
        org_id: r.org_id,
        org_name: r.org_name.clone(),
        rule: r.rule_name.clone(),
        period: r.period_key.clone(),
        due: zones.show_for_rule(&ctx, r.rule_id, &r.due_at),
        status: r.status.clone(),
        status_label: status_label(&ctx, &r.status),
        status_class: status_class(&r.status),
        state: state_name,
        state_label,
        state_class,
        submitted: r.submitted_at.map(|t| {
            ctx.tr(
                "reports-submitted-by",
                &[
                    ("time", zones.show_for_rule(&ctx, r.rule_id, &t)),
                    ("name", r.submitted_by.clone().unwrap_or_default()),
                ],
            )
        }),
        reviewed: r.reviewed_at.map(|t| {
            ctx.tr(
                "reports-reviewed-by",
                &[
                    ("time", zones.show_for_rule(&ctx, r.rule_id, &t)),
                    ("name", r.reviewed_by.clone().unwrap_or_default()),
                ],
            )
        }),
        review_comment: r.review_comment.clone(),
        sent_back: r.status == "sent_back",
        version: r.version,
    };
    let texts = forms.texts.unwrap_or_else(|| ReportTexts {
        done_text: r.done_text.clone(),
        problems_text: r.problems_text.clone(),
        plan_text: r.plan_text.clone(),
    });
    let page = ReportPage {
        period_span,
        frozen: r.submitted_at.is_some() && r.status != "sent_back",
        in_period: ["items_closed", "items_recorded", "items_sent_back"]
            .into_iter()
            .map(|k| figure(&ctx, &v.figures, k))
            .collect(),
        now_figures: ["items_open", "items_overdue", "items_red"]
            .into_iter()
            .map(|k| figure(&ctx, &v.figures, k))
            .collect(),
        indicators: v.figures["indicators"]
            .as_array()
            .map(|list| {
                let show = |x: &serde_json::Value| {
                    x.as_f64()
                        .map(|f| f.to_string())
                        .unwrap_or_else(|| "—".into())
                };
                list.iter()
                    .map(|i| {
                        (
                            i["key_work_id"].as_i64().unwrap_or(0),
                            i["name"].as_str().unwrap_or("").to_owned(),
                            i["unit"].as_str().unwrap_or("").to_owned(),
                            show(&i["actual"]),
                            show(&i["planned"]),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        can_edit: v.can_edit,
        can_review: v.can_review,
        done_text: texts.done_text,
        problems_text: texts.problems_text,
        plan_text: texts.plan_text,
        errors: forms.errors,
        comment: forms.comment,
        review_errors: forms.review_errors,
        error: forms.error,
        details: forms.details,
        r: head,
        ctx,
    };
    Ok(render_status(status, &page))
}

/// A refused save, submission or review: the report page again with the reason, under the
/// status of the refusal. Errors that are not about the step (not found, failures) stay error
/// pages.
#[allow(clippy::too_many_arguments)]
async fn refused(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    err: ApiError,
    mut forms: ReportForms,
) -> Result<Response, ApiError> {
    let shown = matches!(
        err.status,
        StatusCode::BAD_REQUEST
            | StatusCode::FORBIDDEN
            | StatusCode::CONFLICT
            | StatusCode::UNPROCESSABLE_ENTITY
    ) && err.code != "forbidden";
    if !shown {
        return Err(err);
    }
    let lang = lang_of(headers);
    let x = explain(&err, &state.i18n, lang);
    forms.error = Some(x.message);
    forms.details = x.fields.iter().map(|f| f.message.clone()).collect();
    forms.details.extend(x.text);
    let refusal = crate::trail::refusal_code(&err);
    let res = report_response(state, headers, signed, id, None, forms, err.status).await?;
    Ok(match refusal {
        Some(code) => crate::trail::mark_refused(res, code),
        None => res,
    })
}

/// The report form as sent: the three texts, the version read, and which button was pressed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub done_text: String,
    pub problems_text: String,
    pub plan_text: String,
    pub version: String,
    /// `1`: submit; anything else: save a draft.
    pub submit: String,
}

fn text_field(f: &str) -> Option<String> {
    matches!(f, "done_text" | "problems_text" | "plan_text").then(|| f.to_owned())
}

async fn write(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<ReportForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let submit = form.submit.trim() == "1";
    let texts = ReportTexts {
        done_text: form.done_text,
        problems_text: form.problems_text,
        plan_text: form.plan_text,
    };
    let result = reports_svc::write(
        &state.svc,
        &signed.actor,
        id,
        texts.clone(),
        submit,
        version,
    )
    .await;
    let flash = if submit {
        "report_submitted"
    } else {
        "report_saved"
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/reports/{id}"), flash)),
        Err(ServiceError::Validation(v)) => {
            let lang = lang_of(&headers);
            let mut errors = FormErrors::default();
            errors.absorb(&state.i18n, lang, &v, text_field);
            let forms = ReportForms {
                texts: Some(texts),
                errors: errors.finish(&state.i18n, lang),
                ..Default::default()
            };
            report_response(
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
            let forms = ReportForms {
                texts: Some(texts),
                ..Default::default()
            };
            refused(&state, &headers, &signed, id, e.into(), forms).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub comment: String,
    pub version: String,
    /// `1`: accept; `0`: send back.
    pub accept: String,
}

async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let accept = match form.accept.trim() {
        "1" => true,
        "0" => false,
        _ => return Err(ApiError::bad_request("bad_request", "accept")),
    };
    let result = reports_svc::review(
        &state.svc,
        &signed.actor,
        id,
        accept,
        &form.comment,
        version,
    )
    .await;
    match result {
        Ok(_) => Ok(see_other(
            &format!("/reports/{id}"),
            if accept {
                "report_accepted"
            } else {
                "report_sent_back"
            },
        )),
        Err(ServiceError::Validation(v)) => {
            let lang = lang_of(&headers);
            let mut errors = FormErrors::default();
            errors.absorb(&state.i18n, lang, &v, |f| {
                (f == "comment").then(|| f.to_owned())
            });
            let forms = ReportForms {
                comment: form.comment,
                review_errors: errors.finish(&state.i18n, lang),
                ..Default::default()
            };
            report_response(
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
            let forms = ReportForms {
                comment: form.comment,
                ..Default::default()
            };
            refused(&state, &headers, &signed, id, e.into(), forms).await
        }
    }
}

// --- Work rules ------------------------------------------------------------------------------

/// A cadence in words: "every Friday 16:00", "the 25th of every month 17:00", or the cron line.
fn cadence_words(ctx: &Ctx, c: &Cadence) -> String {
    match c {
        Cadence::Weekly { weekday, time } => ctx.tr(
            "rules-cadence-weekly",
            &[
                ("weekday", ctx.t(&format!("rules-weekday-{weekday}"))),
                ("time", time.format("%H:%M").to_string()),
            ],
        ),
        Cadence::Monthly { day, time } => ctx.tr(
            "rules-cadence-monthly",
            &[
                ("day", day.to_string()),
                ("time", time.format("%H:%M").to_string()),
            ],
        ),
        Cadence::Cron { expr } => ctx.tr("rules-cadence-cron", &[("expr", expr.clone())]),
    }
}

struct RuleRow {
    id: i64,
    name: String,
    kind: String,
    kind_label: String,
    cadence: String,
    scope_id: i64,
    scope_name: String,
    targets: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "rule_list.html")]
struct RulesPage {
    ctx: Ctx,
    rows: Vec<RuleRow>,
    can_create: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RulesQuery {
    pub ok: String,
}

async fn rules_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<RulesQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let list = reports_svc::rules(&state.svc, actor, None).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "reports", "rules-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    ctx.back = "/rules".into();
    let (reports, title) = (ctx.t("reports-title"), ctx.t("rules-title"));
    let ctx = ctx.crumb(reports, "/reports").crumb(title, "");
    let rows = list
        .iter()
        .map(|r| {
            let targets: Vec<String> = r
                .target_kinds
                .split(',')
                .filter(|k| !k.is_empty())
                .map(|k| ctx.kind(k))
                .collect();
            RuleRow {
                id: r.id,
                name: r.name.clone(),
                kind: r.kind.clone(),
                kind_label: ctx.t(&format!("rules-kind-{}", r.kind)),
                cadence: reports_svc::cadence_of(r)
                    .map(|c| cadence_words(&ctx, &c))
                    .unwrap_or_default(),
                scope_id: r.scope_org_id,
                scope_name: r.scope_org_name.clone(),
                targets: if targets.is_empty() {
                    ctx.t("rules-targets-all")
                } else {
                    targets.join("、")
                },
                active: r.active,
            }
        })
        .collect();
    let page = RulesPage {
        rows,
        can_create: actor.can_somewhere(Permission::SuperviseItems),
        ctx,
    };
    Ok(render(&page))
}

/// The rule form as entered (all text, so that anything typed can be shown again).
#[derive(Debug, Default, Clone)]
pub struct RuleForm {
    pub campaign_id: String,
    pub kind: String,
    pub name: String,
    pub cadence_kind: String,
    pub weekday: String,
    pub day: String,
    pub time: String,
    pub cron: String,
    pub scope_org_code: String,
    pub owner_org_code: String,
    pub target_kinds: Vec<String>,
}

impl RuleForm {
    /// From the posted pairs (the target kinds are repeated checkboxes).
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = RuleForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "campaign_id" => f.campaign_id = v,
                "kind" => f.kind = v,
                "name" => f.name = v,
                "cadence_kind" => f.cadence_kind = v,
                "weekday" => f.weekday = v,
                "day" => f.day = v,
                "time" => f.time = v,
                "cron" => f.cron = v,
                "scope_org_code" => f.scope_org_code = v,
                "owner_org_code" => f.owner_org_code = v,
                "target_kinds" if !f.target_kinds.contains(&v) => f.target_kinds.push(v),
                _ => {}
            }
        }
        f
    }

    /// The cadence the fields describe, if they describe a valid one.
    fn cadence(&self) -> Option<Cadence> {
        let time = || {
            let t = self.time.trim();
            NaiveTime::parse_from_str(t, "%H:%M")
                .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
                .ok()
        };
        let c = match self.cadence_kind.trim() {
            "weekly" => Cadence::Weekly {
                weekday: self.weekday.trim().parse().ok()?,
                time: time()?,
            },
            "monthly" => Cadence::Monthly {
                day: self.day.trim().parse().ok()?,
                time: time()?,
            },
            "cron" => {
                let expr = self.cron.split_whitespace().collect::<Vec<_>>().join(" ");
                if expr.is_empty() {
                    return None;
                }
                Cadence::Cron { expr }
            }
            _ => return None,
        };
        c.validate().is_ok().then_some(c)
    }

    fn has_target(&self, kind: &str) -> bool {
        self.target_kinds.iter().any(|k| k == kind)
    }
}

#[derive(Template)]
#[template(path = "rule_form.html")]
struct RuleFormPage {
    ctx: Ctx,
    form: RuleForm,
    errors: FormErrors,
    campaigns: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    cadence_kinds: Vec<(String, String)>,
    weekdays: Vec<(String, String)>,
    org_kinds: Vec<(String, String)>,
}

async fn rule_form_page(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    form: RuleForm,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let mut ctx = Ctx::signed(state, headers, signed, "reports", "rules-new").await?;
    let (reports, list, title) = (
        ctx.t("reports-title"),
        ctx.t("rules-title"),
        ctx.t("rules-new"),
    );
    ctx.back = "/rules/new".into();
    let ctx = ctx
        .crumb(reports, "/reports")
        .crumb(list, "/rules")
        .crumb(title, "");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = RuleFormPage {
        campaigns: campaign_options(state, &signed.actor).await?,
        kinds: RULE_KINDS
            .iter()
            .map(|k| ((*k).to_owned(), ctx.t(&format!("rules-kind-{k}"))))
            .collect(),
        cadence_kinds: CADENCE_KINDS
            .iter()
            .map(|k| ((*k).to_owned(), ctx.t(&format!("rules-cadence-kind-{k}"))))
            .collect(),
        weekdays: (1..=7)
            .map(|d| (d.to_string(), ctx.t(&format!("rules-weekday-{d}"))))
            .collect(),
        org_kinds: kind_options(&ctx),
        form,
        errors,
        ctx,
    };
    Ok(render_status(status, &page))
}

async fn new_rule_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    if !signed.actor.can_somewhere(Permission::SuperviseItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let form = RuleForm {
        kind: "reporting".into(),
        cadence_kind: "weekly".into(),
        weekday: "5".into(),
        day: "25".into(),
        time: "16:00".into(),
        scope_org_code: default_org_code(&state, &signed).await,
        ..Default::default()
    };
    rule_form_page(&state, &headers, &signed, form, FormErrors::default()).await
}

/// The form field a service validation error belongs to.
fn rule_field(f: &str) -> Option<String> {
    match f {
        "campaign_id" | "kind" | "name" | "cadence" => Some(f.to_owned()),
        "owner_org_id" => Some("owner_org_code".into()),
        "scope_org_id" => Some("scope_org_code".into()),
        _ if f.starts_with("target_kinds") => Some("target_kinds".into()),
        _ => None,
    }
}

async fn create_rule(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::SuperviseItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let form = RuleForm::from_pairs(pairs);
    let lang = lang_of(&headers);
    let i18n = &state.i18n;
    let mut errors = FormErrors::default();
    let campaign_id = opt_id(Some(&form.campaign_id));
    if campaign_id.is_none() {
        errors.add(i18n, lang, "campaign_id", "required", &[]);
    }
    if !RULE_KINDS.contains(&form.kind.trim()) {
        errors.add(i18n, lang, "kind", "unknown_value", &[]);
    }
    if form.name.trim().is_empty() {
        errors.add(i18n, lang, "name", "required", &[]);
    }
    let cadence = form.cadence();
    if cadence.is_none() {
        errors.add(i18n, lang, "cadence", "bad_cadence", &[]);
    }
    for k in &form.target_kinds {
        if OrgKind::parse(k).is_none() {
            errors.add(
                i18n,
                lang,
                "target_kinds",
                "unknown_kind",
                &[("value", k.clone())],
            );
        }
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
    // The owner defaults to the scope org.
    let owner = if form.owner_org_code.trim().is_empty() {
        scope.clone()
    } else {
        supervised_org(
            &state,
            lang,
            actor,
            &mut errors,
            "owner_org_code",
            &form.owner_org_code,
        )
        .await?
    };
    if let (true, Some(campaign_id), Some(cadence), Some(scope), Some(owner)) =
        (errors.is_empty(), campaign_id, cadence, scope, owner)
    {
        let input = RuleInput {
            campaign_id,
            owner_org_id: owner.id,
            kind: form.kind.trim().to_owned(),
            name: form.name.clone(),
            cadence,
            scope_org_id: scope.id,
            target_kinds: form.target_kinds.clone(),
        };
        match reports_svc::create_rule(&state.svc, actor, input).await {
            Ok(_) => {
                // The current period's reports exist at once, not at the scheduler's next tick.
                reports_svc::open_periods(&state.svc).await?;
                return Ok(see_other("/rules", "rule_created"));
            }
            Err(e) => {
                let v = validation(e)?;
                errors.absorb(i18n, lang, &v, rule_field);
            }
        }
    }
    let errors = errors.finish(i18n, lang);
    rule_form_page(&state, &headers, &signed, form, errors).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_rule_form_builds_its_cadence() {
        let f = RuleForm::from_pairs(pairs(&[
            ("cadence_kind", "weekly"),
            ("weekday", "5"),
            ("time", "16:00"),
            ("target_kinds", "unit"),
            ("target_kinds", "department"),
            ("target_kinds", "unit"),
        ]));
        assert_eq!(f.target_kinds, vec!["unit", "department"]);
        assert!(matches!(
            f.cadence(),
            Some(Cadence::Weekly { weekday: 5, .. })
        ));
        let bad = RuleForm {
            weekday: "9".into(),
            ..f.clone()
        };
        assert!(bad.cadence().is_none());
        let monthly = RuleForm {
            cadence_kind: "monthly".into(),
            day: "25".into(),
            time: "17:00:00".into(),
            ..Default::default()
        };
        assert!(matches!(
            monthly.cadence(),
            Some(Cadence::Monthly { day: 25, .. })
        ));
        let cron = RuleForm {
            cadence_kind: "cron".into(),
            cron: " 0  16 * * 5 ".into(),
            ..Default::default()
        };
        assert_eq!(
            cron.cadence(),
            Some(Cadence::Cron {
                expr: "0 16 * * 5".into()
            })
        );
        let nonsense = RuleForm {
            cadence_kind: "cron".into(),
            cron: "every friday".into(),
            ..Default::default()
        };
        assert!(nonsense.cadence().is_none());
    }
}
