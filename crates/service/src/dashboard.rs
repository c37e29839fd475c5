//! A scope's dashboard: the lights of its items, progress per phase, its children ranked by what
//! is overdue, the on-time rate week by week and report punctuality per period. Item figures are
//! reads of the roll-up counters (the scope's and its children's, one query each); the weekly
//! series are one grouped query each over the scope and a window of weeks; indicators are read
//! with their trajectories and actuals in three queries.

use crate::items::{bucket_of, item_rules, refresh};
use crate::keyworks::IndicatorView;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::Duration;
use luodi_domain::campaign::PhaseKind;
use luodi_domain::dashboard::{on_time_weeks, window, PeriodPunctuality, WeekOnTime};
use luodi_domain::role::Permission;
use luodi_domain::rollup::Rollup;
use luodi_store::orgs::Org;
use luodi_store::{dashboard, items};
use serde::Serialize;
use std::collections::HashMap;

/// Weeks shown in the weekly series.
pub const WEEKS: u32 = 8;

/// Children shown in the overdue ranking.
pub const TOP_ORGS: usize = 10;

/// One phase's items.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseFigures {
    pub phase: &'static str,
    pub rollup: Rollup,
}

/// One child org's items (its whole subtree).
#[derive(Debug, Clone, Serialize)]
pub struct OrgFigures {
    pub org_id: i64,
    pub org_name: String,
    pub rollup: Rollup,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// The scope; none when the reader stands at the top of several scopes.
    pub org: Option<Org>,
    pub campaign_id: Option<i64>,
    pub rollup: Rollup,
    pub phases: Vec<PhaseFigures>,
    /// Children with overdue or red items, most overdue first (at most [`TOP_ORGS`]).
    pub lagging: Vec<OrgFigures>,
    /// How many children the scope has in all.
    pub children: usize,
    pub on_time_weeks: Vec<WeekOnTime>,
    pub punctuality: Vec<PeriodPunctuality>,
    /// Indicators of the scope's key works against their trajectories (at most [`INDICATORS`]).
    pub indicators: Vec<IndicatorView>,
    /// Metrics the campaign has switched off: left out above, and not shown.
    pub hidden: Vec<String>,
}

/// The metrics switched off: the campaign's, or with no campaign chosen, those every campaign
/// the reader sees has switched off.
pub async fn hidden_metrics(
    svc: &Services,
    actor: &Actor,
    campaign_id: Option<i64>,
) -> ServiceResult<Vec<String>> {
    if let Some(cid) = campaign_id {
        return crate::campaigns::hidden_metrics(svc, actor, cid).await;
    }
    let campaigns =
        crate::campaigns::list(svc, actor, None, luodi_store::Page::new(1, 200)).await?;
    let mut common: Option<Vec<String>> = None;
    for c in campaigns.items {
        let h = crate::campaigns::hidden_metrics(svc, actor, c.id).await?;
        common = Some(match common {
            None => h,
            Some(prev) => prev.into_iter().filter(|m| h.contains(m)).collect(),
        });
    }
    Ok(common.unwrap_or_default())
}

/// Indicators shown on a dashboard.
pub const INDICATORS: i64 = 50;

/// The dashboard of `org_id`'s subtree (or of all the reader's scopes), of one campaign or all.
pub async fn get(
    svc: &Services,
    actor: &Actor,
    org_id: Option<i64>,
    campaign_id: Option<i64>,
) -> ServiceResult<Dashboard> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    let org_id = match org_id {
        Some(id) => Some(id),
        // Standing nowhere in particular with one scope: that scope.
        None => match crate::orgs::children(svc, actor, None, false)
            .await?
            .as_slice()
        {
            [only] => Some(only.org.id),
            _ => None,
        },
    };
    let org = match org_id {
        Some(id) => {
            let o = crate::orgs::get(svc, actor, id).await?;
            if !actor.can(Permission::ReadItems, &o.path) {
                return Err(ServiceError::NotFound("org"));
            }
            Some(o)
        }
        None => None,
    };
    // The orgs whose counters make up the scope, and the orgs ranked below it.
    let (tops, ranked): (Vec<Org>, Vec<Org>) = match &org {
        Some(o) => (
            vec![o.clone()],
            crate::orgs::children(svc, actor, Some(o.id), false)
                .await?
                .into_iter()
                .map(|n| n.org)
                .collect(),
        ),
        None => {
            let roots: Vec<Org> = crate::orgs::children(svc, actor, None, false)
                .await?
                .into_iter()
                .map(|n| n.org)
                .filter(|o| actor.can(Permission::ReadItems, &o.path))
                .collect();
            (roots.clone(), roots)
        }
    };
    let scopes: Vec<String> = tops.iter().map(|o| o.path.clone()).collect();
    let hidden = hidden_metrics(svc, actor, campaign_id).await?;
    let off = |m: &str| hidden.iter().any(|h| h == m);
    refresh(svc).await?;
    let mut c = svc.db.read().await?;

    let mut rollup = Rollup::default();
    let mut by_phase: HashMap<String, Rollup> = HashMap::new();
    let top_ids: Vec<i64> = tops.iter().map(|o| o.id).collect();
    for (_, counter) in items::counters_of(c.conn(), &top_ids, campaign_id).await? {
        let b = bucket_of(&counter.key);
        rollup.add(&b, counter.n, counter.days_to_close_sum);
        by_phase.entry(counter.key.phase.clone()).or_default().add(
            &b,
            counter.n,
            counter.days_to_close_sum,
        );
    }
    let phases = PhaseKind::ALL
        .iter()
        .map(|p| PhaseFigures {
            phase: p.as_str(),
            rollup: by_phase.remove(p.as_str()).unwrap_or_default(),
        })
        .collect();

    let ranked_ids: Vec<i64> = ranked.iter().map(|o| o.id).collect();
    let mut per_org: HashMap<i64, Rollup> = HashMap::new();
    for (id, counter) in items::counters_of(c.conn(), &ranked_ids, campaign_id).await? {
        per_org.entry(id).or_default().add(
            &bucket_of(&counter.key),
            counter.n,
            counter.days_to_close_sum,
        );
    }
    let mut lagging: Vec<OrgFigures> = ranked
        .iter()
        .filter_map(|o| {
            let r = per_org.remove(&o.id)?;
            (r.overdue > 0 || r.light(luodi_domain::light::Light::Red) > 0).then(|| OrgFigures {
                org_id: o.id,
                org_name: o.name.clone(),
                rollup: r,
            })
        })
        .collect();
    lagging.sort_by(|a, b| {
        let red = |f: &OrgFigures| f.rollup.light(luodi_domain::light::Light::Red);
        (b.rollup.overdue, red(b), &a.org_name).cmp(&(a.rollup.overdue, red(a), &b.org_name))
    });
    lagging.truncate(TOP_ORGS);

    let tz = match campaign_id {
        Some(cid) => item_rules(c.conn(), cid).await?.tz,
        None => chrono_tz::Asia::Shanghai,
    };
    let now = svc.now();
    let today = crate::items::local_today(now, tz);
    let (from, to) = window(today, WEEKS);
    let on_time_weeks = if off("on_time_weekly") {
        Vec::new()
    } else {
        let days = dashboard::due_days(c.conn(), &scopes, campaign_id, from, to).await?;
        on_time_weeks(&days, today, WEEKS)
    };
    let punctuality = if off("report_punctuality") {
        Vec::new()
    } else {
        dashboard::report_periods(
            c.conn(),
            &scopes,
            campaign_id,
            now - Duration::weeks(i64::from(WEEKS)),
            now,
        )
        .await?
    };
    drop(c);
    let indicators = if off("indicators") {
        Vec::new()
    } else {
        crate::keyworks::in_scope(svc, &scopes, campaign_id, INDICATORS).await?
    };
    if off("lights") {
        rollup.by_light.clear();
    }
    let phases = if off("phase_progress") {
        Vec::new()
    } else {
        phases
    };
    if off("overdue_ranking") {
        lagging.clear();
    }
    Ok(Dashboard {
        hidden,
        indicators,
        org,
        campaign_id,
        rollup,
        phases,
        lagging,
        children: ranked.len(),
        on_time_weeks,
        punctuality,
    })
}
