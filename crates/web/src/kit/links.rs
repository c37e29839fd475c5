//! Links to the pages behind a figure or a record: the ledger or the reports filtered to
//! exactly what a dashboard figure counts, and the page of a search result. Made once, for the
//! API and the pages alike.

use super::query_base;
use luodi_domain::light::Light;
use luodi_service::dashboard::Dashboard;
use serde::Serialize;
use utoipa::ToSchema;

/// Where each figure of a dashboard leads: the ledger or the reports, filtered to exactly the
/// items or reports counted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Drill {
    pub total: String,
    pub overdue: String,
    pub due_soon: String,
    pub closed_on_time: String,
    pub closed_late: String,
    pub red: String,
    pub yellow: String,
    pub green: String,
    pub phases: Vec<PhaseDrill>,
    pub lagging: Vec<OrgDrill>,
    pub weeks: Vec<WeekDrill>,
    pub periods: Vec<PeriodDrill>,
    /// Each indicator's key work, where its trajectory, actuals and tasks are.
    pub indicators: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhaseDrill {
    pub phase: String,
    pub total: String,
    pub done: String,
    pub overdue: String,
    pub red: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgDrill {
    pub org_id: i64,
    /// The org's own dashboard.
    pub dashboard: String,
    pub overdue: String,
    pub red: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeekDrill {
    pub week: String,
    /// Every item in play whose original deadline fell in the week.
    pub items: String,
    pub on_time: String,
    pub late: String,
    /// Not closed yet.
    pub open: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodDrill {
    pub period_key: String,
    pub due: String,
    pub on_time: String,
    pub late: String,
    pub missing: String,
}

/// The base of every link: the scope (when named) and the campaign.
struct Base {
    within: Option<String>,
    campaign: Option<String>,
}

impl Base {
    fn link(&self, path: &str, extra: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, Option<&str>)> = vec![
            ("within", self.within.as_deref()),
            ("campaign_id", self.campaign.as_deref()),
        ];
        pairs.extend(extra.iter().map(|(k, v)| (*k, Some(*v))));
        query_base(path, &pairs)
            .trim_end_matches(['?', '&'])
            .to_owned()
    }
    fn ledger(&self, extra: &[(&str, &str)]) -> String {
        self.link("/ledger", extra)
    }
    fn reports(&self, extra: &[(&str, &str)]) -> String {
        self.link("/reports", extra)
    }
}

/// The links of every figure of `d`.
pub fn drill(d: &Dashboard) -> Drill {
    let base = Base {
        within: d.org.as_ref().map(|o| o.id.to_string()),
        campaign: d.campaign_id.map(|c| c.to_string()),
    };
    let campaign = d
        .campaign_id
        .map(|c| format!("&campaign_id={c}"))
        .unwrap_or_default();
    Drill {
        total: base.ledger(&[]),
        overdue: base.ledger(&[("timeliness", "overdue")]),
        due_soon: base.ledger(&[("timeliness", "due_soon")]),
        closed_on_time: base.ledger(&[("timeliness", "closed_on_time")]),
        closed_late: base.ledger(&[("timeliness", "closed_late")]),
        red: base.ledger(&[("light", Light::Red.as_str())]),
        yellow: base.ledger(&[("light", Light::Yellow.as_str())]),
        green: base.ledger(&[("light", Light::Green.as_str())]),
        phases: d
            .phases
            .iter()
            .map(|p| PhaseDrill {
                phase: p.phase.to_owned(),
                total: base.ledger(&[("phase", p.phase)]),
                done: base.ledger(&[("phase", p.phase), ("status", "done")]),
                overdue: base.ledger(&[("phase", p.phase), ("timeliness", "overdue")]),
                red: base.ledger(&[("phase", p.phase), ("light", "red")]),
            })
            .collect(),
        lagging: d
            .lagging
            .iter()
            .map(|o| {
                let child = Base {
                    within: Some(o.org_id.to_string()),
                    campaign: base.campaign.clone(),
                };
                OrgDrill {
                    org_id: o.org_id,
                    dashboard: format!("/dashboard?org={}{campaign}", o.org_id),
                    overdue: child.ledger(&[("timeliness", "overdue")]),
                    red: child.ledger(&[("light", "red")]),
                }
            })
            .collect(),
        weeks: d
            .on_time_weeks
            .iter()
            .map(|w| {
                let (from, to) = (w.monday.to_string(), w.sunday.to_string());
                let week = |extra: &[(&str, &str)]| {
                    let mut all = vec![
                        ("original_due_from", from.as_str()),
                        ("original_due_to", to.as_str()),
                    ];
                    all.extend_from_slice(extra);
                    base.ledger(&all)
                };
                WeekDrill {
                    week: w.week.clone(),
                    items: week(&[("status", "in_play")]),
                    on_time: week(&[("timeliness", "closed_on_time")]),
                    late: week(&[("timeliness", "closed_late")]),
                    open: week(&[("status", "open")]),
                }
            })
            .collect(),
        periods: d
            .punctuality
            .iter()
            .map(|p| {
                let k = p.period_key.as_str();
                PeriodDrill {
                    period_key: p.period_key.clone(),
                    due: base.reports(&[("period", k)]),
                    on_time: base.reports(&[("period", k), ("punctuality", "on_time")]),
                    late: base.reports(&[("period", k), ("punctuality", "late")]),
                    missing: base.reports(&[("period", k), ("missing", "1")]),
                }
            })
            .collect(),
        indicators: d
            .indicators
            .iter()
            .map(|i| {
                format!(
                    "/key-works/{}#indicator-{}",
                    i.indicator.key_work_id, i.indicator.id
                )
            })
            .collect(),
    }
}

/// The web page of a record in the index.
pub fn href(kind: &str, id: i64) -> String {
    match kind {
        "report" => format!("/reports/{id}"),
        "meeting" => format!("/meetings/{id}"),
        "research" => format!("/research/{id}"),
        "activity" => format!("/activities/{id}"),
        _ => format!("/items/{id}"),
    }
}
