//! The dashboard of a scope: the lights of its items, progress per phase, the children that lag,
//! the on-time rate week by week and report punctuality, drawn as SVG on the server. Every
//! number and every chart segment leads to the list behind it (links from `kit::links`).

use super::charts::{columns, stacked_bar, Column, Part};
use super::ledger::percent;
use super::{opt_id, render, Ctx};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::kit::{drill, Drill};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use luodi_domain::light::Light;
use luodi_domain::role::Permission;
use luodi_service::dashboard::{self as svc, Dashboard};
use luodi_service::Page;
use luodi_service::ServiceError;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dashboard", get(dashboard_page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DashboardParams {
    /// An org other than the one the reader stands in (from a lagging child's link).
    org: String,
    campaign_id: String,
}

struct PhaseRow {
    label: String,
    total: i64,
    done: i64,
    overdue: i64,
    red: i64,
    progress: String,
    bar: String,
}

struct OrgRow {
    name: String,
    total: i64,
    overdue: i64,
    red: i64,
    on_time: String,
}

struct WeekRow {
    week: String,
    range: String,
    items: i64,
    on_time: i64,
    late: i64,
    open: i64,
    rate: String,
}

/// An indicator against its trajectory, as a dashboard or a key work page shows it.
pub struct IndicatorRow {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub baseline: String,
    pub target: String,
    pub target_on: String,
    pub planned_now: String,
    pub latest: String,
    pub latest_week: String,
    pub progress: String,
    /// (label, tag class) of on track / behind / no actual yet.
    pub state: (String, &'static str),
    pub confidence: String,
    pub chart: String,
    pub href: String,
}

fn num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.2}")
    }
}

/// The row of an indicator, linking to `href`.
pub fn indicator_row(
    ctx: &Ctx,
    v: &luodi_service::keyworks::IndicatorView,
    href: String,
) -> IndicatorRow {
    let i = &v.indicator;
    let s = &v.standing;
    let state = match s.on_track {
        Some(true) => (ctx.t("indicator-on-track"), "tag-green"),
        Some(false) => (ctx.t("indicator-behind"), "tag-red"),
        None => (ctx.t("indicator-no-actual"), "tag-grey"),
    };
    IndicatorRow {
        id: i.id,
        name: i.name.clone(),
        unit: i.unit.clone(),
        baseline: num(i.baseline),
        target: num(i.target),
        target_on: i.target_on.to_string(),
        planned_now: s.planned_now.map(num).unwrap_or_else(|| "—".into()),
        latest: s.latest.map(num).unwrap_or_else(|| "—".into()),
        latest_week: s.latest_week.map(|w| w.to_string()).unwrap_or_default(),
        progress: rate(s.progress),
        state,
        confidence: if i.confidence.is_empty() {
            "—".into()
        } else {
            ctx.t(&format!("confidence-{}", i.confidence))
        },
        chart: super::charts::trajectory(&v.plan, &v.actuals, &i.name),
        href,
    }
}

struct PeriodRow {
    period: String,
    due: i64,
    on_time: i64,
    late: i64,
    missing: i64,
    rate: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: Ctx,
    scope_name: String,
    campaigns: Vec<(i64, String)>,
    campaign_id: Option<i64>,
    org_param: String,
    d: Dashboard,
    links: Drill,
    on_time: String,
    red: i64,
    yellow: i64,
    green: i64,
    lights_chart: String,
    phases: Vec<PhaseRow>,
    lagging: Vec<OrgRow>,
    weeks: Vec<WeekRow>,
    weeks_chart: String,
    periods: Vec<PeriodRow>,
    periods_chart: String,
    indicators: Vec<IndicatorRow>,
    /// Which sections the campaign shows (a switched-off metric is left out).
    show: Shown,
}

struct Shown {
    lights: bool,
    phases: bool,
    lagging: bool,
    indicators: bool,
    weeks: bool,
    punctuality: bool,
}

pub(crate) fn rate(r: Option<f64>) -> String {
    percent(r).unwrap_or_else(|| "—".to_owned())
}

async fn dashboard_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<DashboardParams>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let mut ctx = Ctx::signed(&state, &headers, &signed, "dashboard", "dashboard-title").await?;
    let org_id = opt_id(Some(&q.org)).or(ctx.scope.as_ref().map(|o| o.id));
    let campaign_id = opt_id(Some(&q.campaign_id));
    let d = svc::get(&state.svc, actor, org_id, campaign_id).await?;
    let links = drill(&d);
    let campaigns = luodi_service::campaigns::list(&state.svc, actor, None, Page::new(1, 100))
        .await?
        .items
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    ctx.back = match (opt_id(Some(&q.org)), campaign_id) {
        (None, None) => "/dashboard".into(),
        (org, cid) => super::query_base(
            "/dashboard",
            &[
                ("org", org.map(|o| o.to_string()).as_deref()),
                ("campaign_id", cid.map(|c| c.to_string()).as_deref()),
            ],
        )
        .trim_end_matches(['?', '&'])
        .to_owned(),
    };
    let title = ctx.t("dashboard-title");
    let scope_name = d
        .org
        .as_ref()
        .map(|o| o.name.clone())
        .unwrap_or_else(|| ctx.t("scope-all"));
    let ctx = ctx.crumb(title, "");

    let r = &d.rollup;
    let (red, yellow, green) = (
        r.light(Light::Red),
        r.light(Light::Yellow),
        r.light(Light::Green),
    );
    let light_part = |value: i64, class: &'static str, href: &str| Part {
        value,
        class,
        href: href.to_owned(),
        title: format!("{} {value}", ctx.t(&format!("light-{class}"))),
        id: format!("lights-{class}"),
    };
    let lights_chart = stacked_bar(
        &[
            light_part(red, "red", &links.red),
            light_part(yellow, "yellow", &links.yellow),
            light_part(green, "green", &links.green),
        ],
        &ctx.t("dashboard-lights"),
    );

    let phases = d
        .phases
        .iter()
        .zip(&links.phases)
        .map(|(p, l)| {
            let done = p.rollup.closed_count;
            let total = p.rollup.total;
            let pr = (total > 0).then(|| done as f64 / total as f64);
            PhaseRow {
                label: ctx.t(&format!("phase-{}", p.phase)),
                total,
                done,
                overdue: p.rollup.overdue,
                red: p.rollup.light(Light::Red),
                progress: rate(pr),
                bar: stacked_bar(
                    &[
                        Part {
                            value: done,
                            class: "green",
                            href: l.done.clone(),
                            title: format!("{} {done}", ctx.t("dashboard-done")),
                            id: format!("phase-{}-done", p.phase),
                        },
                        Part {
                            value: total - done,
                            class: "blue",
                            href: l.total.clone(),
                            title: format!("{} {}", ctx.t("dashboard-not-done"), total - done),
                            id: String::new(),
                        },
                    ],
                    &ctx.t(&format!("phase-{}", p.phase)),
                ),
            }
        })
        .collect();

    let lagging = d
        .lagging
        .iter()
        .map(|o| OrgRow {
            name: o.org_name.clone(),
            total: o.rollup.total,
            overdue: o.rollup.overdue,
            red: o.rollup.light(Light::Red),
            on_time: rate(o.rollup.on_time_rate()),
        })
        .collect();

    let weeks: Vec<WeekRow> = d
        .on_time_weeks
        .iter()
        .map(|w| WeekRow {
            week: w.week.clone(),
            range: format!(
                "{} – {}",
                w.monday.format("%m-%d"),
                w.sunday.format("%m-%d")
            ),
            items: w.on_time + w.late + w.overdue + w.pending,
            on_time: w.on_time,
            late: w.late,
            open: w.overdue + w.pending,
            rate: rate(w.rate),
        })
        .collect();
    let week_cols: Vec<Column> = d
        .on_time_weeks
        .iter()
        .zip(&links.weeks)
        .map(|(w, l)| Column {
            label: w.week.split('-').nth(1).unwrap_or(&w.week).to_owned(),
            caption: rate(w.rate),
            parts: vec![Part {
                // The column's height is the rate itself, in thousandths.
                value: w.rate.map(|r| (r * 1000.0).round() as i64).unwrap_or(0),
                class: "blue",
                href: l.items.clone(),
                title: format!("{} {} / {}", w.week, w.on_time, w.due),
                id: format!("week-{}", w.week),
            }],
        })
        .collect();
    let weeks_chart = columns(&week_cols, Some(1000.0), &ctx.t("dashboard-on-time-weeks"));

    let periods: Vec<PeriodRow> = d
        .punctuality
        .iter()
        .map(|p| PeriodRow {
            period: p.period_key.clone(),
            due: p.due,
            on_time: p.on_time,
            late: p.late,
            missing: p.missing,
            rate: rate(p.rate),
        })
        .collect();
    let period_cols: Vec<Column> = d
        .punctuality
        .iter()
        .zip(&links.periods)
        .map(|(p, l)| {
            let part = |value: i64, class: &'static str, key: &str, href: &str| Part {
                value,
                class,
                href: href.to_owned(),
                title: format!("{} {} {value}", p.period_key, ctx.t(key)),
                id: String::new(),
            };
            Column {
                label: p
                    .period_key
                    .split('-')
                    .nth(1)
                    .unwrap_or(&p.period_key)
                    .to_owned(),
                caption: rate(p.rate),
                parts: vec![
                    part(p.on_time, "green", "dashboard-on-time", &l.on_time),
                    part(p.late, "yellow", "dashboard-late", &l.late),
                    part(p.missing, "red", "dashboard-missing", &l.missing),
                ],
            }
        })
        .collect();
    let periods_chart = columns(&period_cols, None, &ctx.t("dashboard-punctuality"));

    let indicators = d
        .indicators
        .iter()
        .zip(&links.indicators)
        .map(|(v, href)| indicator_row(&ctx, v, href.clone()))
        .collect();
    let on = |m: &str| !d.hidden.iter().any(|h| h == m);
    let show = Shown {
        lights: on("lights"),
        phases: on("phase_progress"),
        lagging: on("overdue_ranking"),
        indicators: on("indicators"),
        weeks: on("on_time_weekly"),
        punctuality: on("report_punctuality"),
    };
    Ok(render(&DashboardPage {
        show,
        indicators,
        on_time: rate(r.on_time_rate()),
        red,
        yellow,
        green,
        lights_chart,
        phases,
        lagging,
        weeks,
        weeks_chart,
        periods,
        periods_chart,
        scope_name,
        campaigns,
        campaign_id,
        org_param: opt_id(Some(&q.org))
            .map(|o| o.to_string())
            .unwrap_or_default(),
        links,
        d,
        ctx,
    }))
}
