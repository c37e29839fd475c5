//! The weekly bulletin (每周一通报): for a scope and an ISO week, a frozen snapshot that ranks the
//! scope's direct children by a score from the campaign's scoring rules (data, with versions),
//! with the figures behind each score and the orgs the interview rules propose. The office
//! reviews it, adds a note and publishes it; a published bulletin never changes.
//! Figures come from the roll-up counters and from grouped queries over the scope: never one
//! query per org.

mod compute;
mod document;

pub use compute::*;
pub use document::*;

use crate::audit::{self, Change};
use crate::error::invalid;
use crate::i18n::{I18n, Lang};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Duration, Utc};
use luodi_domain::bulletin::{
    interview_reasons, last_closed_week, rank, report_deadline, score, suggested_kind, week_closed,
    Figures, InterviewRule, ScoringRules,
};
use luodi_domain::cadence::Cadence;
use luodi_domain::org::is_within;
use luodi_domain::role::Permission;
use luodi_store::bulletins::{self, Bulletin, BulletinRow, NewBulletin};
use luodi_store::{campaigns, orgs, Conn};
use serde::Serialize;
use std::collections::HashMap;

/// A campaign's scoring rules in force, for someone who may see the campaign.
pub async fn scoring_of(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
) -> ServiceResult<ScoringRules> {
    crate::campaigns::get(svc, actor, campaign_id).await?;
    let mut c = svc.db().read().await?;
    scoring(c.conn(), campaign_id).await
}

/// The campaign's current scoring rules (the defaults, as version 1, until changed).
pub(crate) async fn scoring(c: Conn<'_>, campaign_id: i64) -> ServiceResult<ScoringRules> {
    Ok(match bulletins::latest_scoring(c, campaign_id).await? {
        Some(row) => serde_json::from_str(&row.rules_json)
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
        None => ScoringRules::default(),
    })
}

/// Sets new scoring rules for a campaign: a new version; bulletins keep the version they used.
pub async fn set_scoring(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    mut rules: ScoringRules,
) -> ServiceResult<ScoringRules> {
    let mut tx = svc.db.begin().await?;
    let c = campaigns::get(tx.conn(), campaign_id)
        .await?
        .ok_or(ServiceError::NotFound("campaign"))?;
    if !actor.can(Permission::ManageCampaigns, &c.owner_org_path) {
        return Err(ServiceError::Forbidden);
    }
    rules.check().into_result()?;
    let current = scoring(tx.conn(), campaign_id).await?;
    rules.version = current.version + 1;
    let json = serde_json::to_string(&rules).map_err(|e| ServiceError::Internal(e.to_string()))?;
    bulletins::add_scoring(
        tx.conn(),
        campaign_id,
        rules.version,
        &json,
        &actor.name,
        svc.now(),
    )
    .await?;
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "scoring.set",
            object_type: "campaign",
            object_id: Some(campaign_id.to_string()),
            org_path: Some(c.owner_org_path),
            before: Some(&current),
            after: Some(&rules),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(rules)
}

/// The campaign's time zone (Asia/Shanghai unless set).
async fn campaign_tz(c: Conn<'_>, campaign_id: i64) -> ServiceResult<chrono_tz::Tz> {
    Ok(campaigns::rules(c, campaign_id)
        .await?
        .and_then(|r| r.time_zone.parse().ok())
        .unwrap_or(chrono_tz::Asia::Shanghai))
}

/// The cadences of the campaign's active reporting rules whose orgs a bulletin of `scope_path`
/// counts (rules over the scope, within it or above it); every rule of the campaign without a
/// scope. Their deadlines decide when a week is closed.
pub(crate) async fn reporting_cadences(
    c: Conn<'_>,
    campaign_id: i64,
    scope_path: Option<&str>,
) -> ServiceResult<Vec<Cadence>> {
    let rules = luodi_store::reports::active_rules(c, "reporting").await?;
    rules
        .iter()
        .filter(|r| r.campaign_id == campaign_id)
        .filter(|r| {
            scope_path
                .is_none_or(|p| is_within(p, &r.scope_org_path) || is_within(&r.scope_org_path, p))
        })
        .map(crate::reports::cadence_of)
        .collect()
}

/// The week a bulletin is computed for unless one is named: the last closed week (the latest
/// whose reports are all past their deadline) in the campaign's zone, now. On a Monday that is
/// the week before. The scope narrows the reporting rules that count, when given.
pub async fn default_week(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    scope_org_id: Option<i64>,
) -> ServiceResult<String> {
    let mut c = svc.db.read().await?;
    if !campaigns::is_visible(
        c.conn(),
        campaign_id,
        &actor.scopes(Permission::ReadCampaigns),
    )
    .await?
        && !actor.system
    {
        return Err(invalid("campaign_id", "unknown_campaign"));
    }
    let scope = match scope_org_id {
        Some(id) => orgs::get(c.conn(), id)
            .await?
            .filter(|o| actor.can(Permission::ReadOrgs, &o.path))
            .map(|o| o.path),
        None => None,
    };
    let tz = campaign_tz(c.conn(), campaign_id).await?;
    let cadences = reporting_cadences(c.conn(), campaign_id, scope.as_deref()).await?;
    Ok(last_closed_week(svc.now(), &cadences, tz))
}

/// One ranked org of a bulletin.
#[derive(Debug, Clone, Serialize)]
pub struct RankedOrg {
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub figures: Figures,
    pub on_time_rate: Option<f64>,
    pub punctuality: Option<f64>,
    /// Report punctuality over the interview window: what a low-punctuality reason quotes.
    pub window_punctuality: Option<f64>,
    pub score: f64,
    pub rank: i64,
    /// Why an accountability interview is proposed, if it is, and of what kind.
    pub interview: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct BulletinView {
    pub bulletin: Bulletin,
    pub rows: Vec<RankedOrg>,
    pub totals: serde_json::Value,
    /// A draft its reader supervises, of a closed week.
    pub can_publish: bool,
    /// A draft its reader supervises: computed again on request (a provisional one must be,
    /// once its week is closed, before it can be published).
    pub can_recompute: bool,
}

fn view(b: Bulletin, rows: Vec<BulletinRow>, supervises: bool) -> BulletinView {
    let can_recompute = supervises && b.status == "draft";
    let can_publish = can_recompute && !b.provisional;
    let rows = rows
        .into_iter()
        .map(|r| {
            let figures: Figures = serde_json::from_str(&r.figures_json).unwrap_or_default();
            RankedOrg {
                org_id: r.org_id,
                org_code: r.org_code,
                org_name: r.org_name,
                on_time_rate: figures.on_time_rate(),
                punctuality: figures.punctuality(),
                window_punctuality: figures.window_punctuality(),
                figures,
                score: r.score_tenths as f64 / 10.0,
                rank: r.rank,
                interview: serde_json::from_str(&r.interview_json).unwrap_or_default(),
            }
        })
        .collect();
    BulletinView {
        totals: serde_json::from_str(&b.totals_json).unwrap_or_default(),
        bulletin: b,
        rows,
        can_publish,
        can_recompute,
    }
}

/// A bulletin: published ones to everyone in or above its scope; drafts only to its supervisors.
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<BulletinView> {
    let mut c = svc.db.read().await?;
    let b = bulletins::get(c.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound("bulletin"))?;
    let supervises = actor.can(Permission::SuperviseItems, &b.scope_org_path);
    let belongs = actor.can(Permission::ReadItems, &b.scope_org_path)
        || actor
            .scopes(Permission::ReadItems)
            .iter()
            .any(|s| is_within(s, &b.scope_org_path));
    if !(supervises || (b.status == "published" && belongs)) {
        return Err(ServiceError::NotFound("bulletin"));
    }
    let rows = bulletins::rows(c.conn(), id).await?;
    Ok(view(b, rows, supervises))
}

/// The bulletin of a scope for a week, if computed.
pub async fn find(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    scope_org_id: i64,
    week: &str,
) -> ServiceResult<BulletinView> {
    let found = {
        let mut c = svc.db.read().await?;
        bulletins::find(c.conn(), campaign_id, scope_org_id, week).await?
    };
    let b = found.ok_or(ServiceError::NotFound("bulletin"))?;
    get(svc, actor, b.id).await
}

pub async fn list(svc: &Services, actor: &Actor) -> ServiceResult<Vec<Bulletin>> {
    let mut c = svc.db.read().await?;
    let all = bulletins::list(c.conn(), &actor.scopes(Permission::ReadItems), 200).await?;
    Ok(all
        .into_iter()
        .filter(|b| {
            b.status == "published" || actor.can(Permission::SuperviseItems, &b.scope_org_path)
        })
        .collect())
}

/// Publishes a draft with the office's note; from then on it never changes.
pub async fn publish(
    svc: &Services,
    actor: &Actor,
    id: i64,
    note: &str,
) -> ServiceResult<BulletinView> {
    let mut v = luodi_domain::Validation::new();
    v.max_len("note", note, 5000);
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let b = bulletins::get(tx.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound("bulletin"))?;
    if !actor.can(Permission::SuperviseItems, &b.scope_org_path) {
        return Err(ServiceError::NotFound("bulletin"));
    }
    // A bulletin computed before its week closed is no basis for a ranking made public, nor
    // for accountability: computed again once the week's reports are past their deadline, it
    // is final.
    if b.provisional && b.status == "draft" {
        return Err(ServiceError::Conflict("period_not_closed"));
    }
    // The audit chain's head goes out on the bulletin: a copy kept outside the database.
    let head = luodi_store::audit::head(tx.conn()).await?;
    let anchor = (head.last_seq > 0).then(|| format!("{}:{}", head.last_seq, head.last_mac));
    if !bulletins::publish(
        tx.conn(),
        id,
        note.trim(),
        &actor.name,
        svc.now(),
        anchor.as_deref(),
    )
    .await?
    {
        return Err(ServiceError::Conflict("bulletin_published"));
    }
    // Its proposals become proposed interviews for the office to confirm or dismiss.
    let rows = bulletins::rows(tx.conn(), id).await?;
    crate::interviews::propose_from_bulletin(svc, tx.conn(), actor, &b, &rows).await?;
    // The scope's group robots announce it.
    let scope_name = orgs::get(tx.conn(), b.scope_org_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let totals: serde_json::Value = serde_json::from_str(&b.totals_json).unwrap_or_default();
    let notice = crate::reminders::Notice {
        kind: "bulletin",
        body: serde_json::json!({
            "kind": "bulletin", "bulletin_id": b.id, "scope": scope_name, "issue_no": b.issue_no, "week": b.period_key,
            "orgs": totals["orgs"], "on_time_rate": totals["on_time_rate"], "punctuality": totals["punctuality"],
            "praised": totals["praised"], "interviews_proposed": totals["interviews_proposed"],
        }),
        path: format!("/bulletins/{}", b.id),
        key: format!("bulletin:{}", b.id),
        item_id: None,
    };
    crate::reminders::to_robots(svc, tx.conn(), b.scope_org_id, &notice, svc.now()).await?;
    audit::record::<(), serde_json::Value>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "bulletin.publish",
            object_type: "bulletin",
            object_id: Some(id.to_string()),
            org_path: Some(b.scope_org_path.clone()),
            before: None,
            after: Some(&serde_json::json!({ "note": note.trim() })),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

/// The ISO week a bulletin falling due at `due` reports on: a bulletin due on a Monday (每周一
/// 通报) covers the week before; one due on another day covers the week it falls in.
pub fn week_reported(due: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    use chrono::Datelike;
    let day = due.with_timezone(&tz).date_naive();
    let day = if day.weekday() == chrono::Weekday::Mon {
        day - Duration::days(1)
    } else {
        day
    };
    luodi_domain::cadence::iso_week(day)
}

/// At each bulletin rule's cut-off, computes the draft bulletin of its scope for the week it
/// reports on, or the last closed week when that one is not closed yet (a rule due before the
/// week's reports). Once: a bulletin already there is left alone, but for a provisional draft,
/// computed again now that its week is closed. Returns how many were computed.
pub async fn compute_due(svc: &Services) -> ServiceResult<usize> {
    let now = svc.now();
    let rules = {
        let mut c = svc.db.read().await?;
        luodi_store::reports::active_rules(c.conn(), "bulletin").await?
    };
    let actor = Actor::scheduler();
    let mut computed = 0;
    for rule in rules {
        let cadence = crate::reports::cadence_of(&rule)?;
        let (tz, reporting) = {
            let mut c = svc.db.read().await?;
            let tz = campaign_tz(c.conn(), rule.campaign_id).await?;
            let reporting =
                reporting_cadences(c.conn(), rule.campaign_id, Some(&rule.scope_org_path)).await?;
            (tz, reporting)
        };
        let Some(due) = cadence
            .dues_between(rule.created_at, now, tz, 100_000)
            .last()
            .copied()
        else {
            continue;
        };
        let mut week = week_reported(due, tz);
        let closed = luodi_domain::cadence::week_bounds(&week, tz)
            .is_some_and(|(start, end)| week_closed(start, end, &reporting, tz, now));
        if !closed {
            week = last_closed_week(now, &reporting, tz);
        }
        let settled = {
            let mut c = svc.db.read().await?;
            bulletins::find(c.conn(), rule.campaign_id, rule.scope_org_id, &week)
                .await?
                .is_some_and(|b| b.status == "published" || !b.provisional)
        };
        if settled {
            continue;
        }
        match compute(svc, &actor, rule.campaign_id, rule.scope_org_id, &week).await {
            Ok(_) => computed += 1,
            Err(e) => tracing::warn!(rule = rule.id, week, error = %e, "bulletin not computed"),
        }
    }
    Ok(computed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn a_bulletin_due_on_a_local_monday_reports_the_week_before_and_another_day_its_own_week() {
        // Monday 30 November 2026, 09:00 in Shanghai: the week of 23–29 November.
        assert_eq!(
            week_reported(utc("2026-11-30T01:00:00Z"), Shanghai),
            "2026-W48"
        );
        // Friday 27 November 2026, 17:00 in Shanghai: the week it falls in.
        assert_eq!(
            week_reported(utc("2026-11-27T09:00:00Z"), Shanghai),
            "2026-W48"
        );
        // Sunday 29 November, 23:00 in Shanghai: still that week.
        assert_eq!(
            week_reported(utc("2026-11-29T15:00:00Z"), Shanghai),
            "2026-W48"
        );
        // Monday 30 November 17:00 UTC is Tuesday 1 December, 01:00 in Shanghai: not a Monday
        // there, so the bulletin reports the week it falls in.
        let due = utc("2026-11-30T17:00:00Z");
        assert_eq!(week_reported(due, Shanghai), "2026-W49");
        assert_eq!(week_reported(due, chrono_tz::UTC), "2026-W48");
    }

    #[test]
    fn a_monday_bulletin_early_in_january_reports_the_last_iso_week_of_the_old_year() {
        // Monday 4 January 2027 opens 2027-W01; the Sunday before closes 2026-W53 (2026
        // began on a Thursday, so it has 53 ISO weeks).
        assert_eq!(
            week_reported(utc("2027-01-04T01:00:00Z"), Shanghai),
            "2026-W53"
        );
        // Friday 1 January 2027 belongs to that week too.
        assert_eq!(
            week_reported(utc("2027-01-01T09:00:00Z"), Shanghai),
            "2026-W53"
        );
    }
}
