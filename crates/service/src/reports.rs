//! Work rules (工作制度) and situation reports (情况汇报). A reporting rule makes a report fall
//! due for every bound org each period; luodi pre-fills each report's figures from what it
//! already holds (a fact is entered once), freezes them at submission, and the supervising org
//! accepts the report or sends it back.

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::error::invalid;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use luodi_domain::bulletin::{report_state, ReportState};
use luodi_domain::cadence::{iso_week, Cadence};
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_store::reports::{self, NewRule};
pub use luodi_store::reports::{Report, ReportFilter, WorkRule};
use luodi_store::{campaigns, orgs, Conn, Page, Paged};
use serde::{Deserialize, Serialize};

pub const RULE_KINDS: [&str; 4] = ["reporting", "meeting", "research", "bulletin"];
pub const TEXT_MAX: usize = 20_000;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RuleInput {
    pub campaign_id: i64,
    pub owner_org_id: i64,
    pub kind: String,
    pub name: String,
    pub cadence: Cadence,
    /// The bound orgs: those of `target_kinds` (all kinds when empty) under this org.
    pub scope_org_id: i64,
    #[serde(default)]
    pub target_kinds: Vec<String>,
}

async fn campaign_tz(c: Conn<'_>, campaign_id: i64) -> ServiceResult<Tz> {
    let r = campaigns::rules(c, campaign_id)
        .await?
        .ok_or(ServiceError::NotFound("campaign"))?;
    Ok(r.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai))
}

/// Sets up a work rule (campaign office or supervisor over its scope).
pub async fn create_rule(
    svc: &Services,
    actor: &Actor,
    input: RuleInput,
) -> ServiceResult<WorkRule> {
    let mut v = Validation::new();
    v.text("name", &input.name, 200);
    if !RULE_KINDS.contains(&input.kind.as_str()) {
        v.add("kind", "unknown_value");
    }
    if input.cadence.validate().is_err() {
        v.add("cadence", "bad_cadence");
    }
    for (i, k) in input.target_kinds.iter().enumerate() {
        if luodi_domain::org::OrgKind::parse(k).is_none() {
            v.add_with(
                &format!("target_kinds[{i}]"),
                "unknown_kind",
                vec![("value", k.trim().to_owned())],
            );
        }
    }
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    if !campaigns::is_visible(
        tx.conn(),
        input.campaign_id,
        &actor.scopes(Permission::ReadCampaigns),
    )
    .await?
        && !actor.system
    {
        return Err(invalid("campaign_id", "unknown_campaign"));
    }
    let owner = orgs::get(tx.conn(), input.owner_org_id)
        .await?
        .filter(|o| actor.can(Permission::ReadOrgs, &o.path));
    let Some(owner) = owner else {
        return Err(invalid("owner_org_id", "unknown_org"));
    };
    let scope = orgs::get(tx.conn(), input.scope_org_id)
        .await?
        .filter(|o| actor.can(Permission::ReadOrgs, &o.path));
    let Some(scope) = scope else {
        return Err(invalid("scope_org_id", "unknown_org"));
    };
    if !actor.can(Permission::SuperviseItems, &owner.path)
        || !actor.can(Permission::SuperviseItems, &scope.path)
    {
        return Err(ServiceError::Forbidden);
    }
    let kinds: Vec<&str> = input
        .target_kinds
        .iter()
        .filter_map(|k| luodi_domain::org::OrgKind::parse(k))
        .map(|k| k.as_str())
        .collect();
    let cadence_json =
        serde_json::to_string(&input.cadence).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let id = reports::create_rule(
        tx.conn(),
        &NewRule {
            campaign_id: input.campaign_id,
            owner_org_id: owner.id,
            kind: &input.kind,
            name: input.name.trim(),
            cadence_json: &cadence_json,
            scope_org_id: scope.id,
            target_kinds: &kinds.join(","),
        },
        svc.now(),
    )
    .await?;
    audit::record::<(), RuleInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "work_rule.create",
            object_type: "work_rule",
            object_id: Some(id.to_string()),
            org_path: Some(scope.path.clone()),
            before: None,
            after: Some(&input),
        },
    )
    .await?;
    let rule = reports::rule(tx.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound("work_rule"))?;
    tx.commit().await?;
    Ok(rule)
}

/// The rules an actor's orgs run or are bound by.
pub async fn rules(
    svc: &Services,
    actor: &Actor,
    kind: Option<&str>,
) -> ServiceResult<Vec<WorkRule>> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    let mut c = svc.db.read().await?;
    Ok(reports::rules(c.conn(), &actor.scopes(Permission::ReadItems), kind).await?)
}

pub fn cadence_of(rule: &WorkRule) -> ServiceResult<Cadence> {
    serde_json::from_str(&rule.cadence_json)
        .map_err(|e| ServiceError::Internal(format!("rule {}: {e}", rule.id)))
}

/// The label of the period that ends at `due` (local): an ISO week for weekly rules, a month for
/// monthly ones, the due minute otherwise.
pub fn period_key(cadence: &Cadence, due: DateTime<Utc>, tz: Tz) -> String {
    let local = due.with_timezone(&tz);
    match cadence {
        Cadence::Weekly { .. } => iso_week(local.date_naive()),
        Cadence::Monthly { .. } => local.format("%Y-%m").to_string(),
        Cadence::Cron { .. } => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// Opens the reports of the current period of every active reporting rule, and of the last
/// closed period (so that a period missed while luodi was down still shows its missing
/// reports). Idempotent; returns how many reports were created.
pub async fn open_periods(svc: &Services) -> ServiceResult<u64> {
    let now = svc.now();
    let rules = {
        let mut c = svc.db.read().await?;
        reports::active_rules(c.conn(), "reporting").await?
    };
    let mut created = 0;
    for rule in rules {
        let cadence = cadence_of(&rule)?;
        let mut tx = svc.db.begin().await?;
        let tz = campaign_tz(tx.conn(), rule.campaign_id).await?;
        let next = cadence.next_due(now, tz);
        // The last due at or before now, if the rule existed then.
        let last = cadence
            .dues_between(rule.created_at, now, tz, 100_000)
            .last()
            .copied();
        for due in [last, next].into_iter().flatten() {
            created +=
                reports::open_period(tx.conn(), &rule, &period_key(&cadence, due, tz), due, now)
                    .await?;
        }
        tx.commit().await?;
    }
    Ok(created)
}

/// A report with its state and figures.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub report: Report,
    /// open, submitted_on_time, submitted_late, missing
    pub state: ReportState,
    /// Pre-filled from luodi's own data while open; frozen at submission.
    pub figures: serde_json::Value,
    pub can_edit: bool,
    pub can_review: bool,
}

/// What luodi already knows for a report's period: items closed and sent back in the period, and
/// the subtree's overdue and red items now.
async fn prefill(
    mut c: Conn<'_>,
    r: &Report,
    period_start: DateTime<Utc>,
) -> ServiceResult<serde_json::Value> {
    let events = reports::event_counts(c.re(), &r.org_path, period_start, r.due_at).await?;
    let n = |a: &str| {
        events
            .iter()
            .find(|(k, _)| k == a)
            .map(|(_, v)| *v)
            .unwrap_or(0)
    };
    let counters = luodi_store::items::counters(c.re(), r.org_id, None, None).await?;
    let overdue: i64 = counters
        .iter()
        .filter(|k| k.key.timeliness == "overdue")
        .map(|k| k.n)
        .sum();
    let red: i64 = counters
        .iter()
        .filter(|k| k.key.light == "red")
        .map(|k| k.n)
        .sum();
    let open: i64 = counters
        .iter()
        .filter(|k| {
            matches!(
                k.key.status.as_str(),
                "assigned" | "returned" | "in_progress" | "close_out_requested" | "under_review"
            )
        })
        .map(|k| k.n)
        .sum();
    // Indicators of the org's key works, with the actual entered for the period's week: the
    // unit enters it once, on the key work, and the report reads it from there.
    let campaign = reports::rule(c.re(), r.rule_id)
        .await?
        .map(|rule| rule.campaign_id);
    let tz = match campaign {
        Some(cid) => campaign_tz(c.re(), cid).await?,
        None => chrono_tz::Asia::Shanghai,
    };
    let day = r.due_at.with_timezone(&tz).date_naive();
    let list =
        luodi_store::keyworks::indicators_in(c.re(), std::slice::from_ref(&r.org_path), None, 50)
            .await?;
    let week = luodi_domain::dashboard::monday_of(day);
    let indicators: Vec<serde_json::Value> = crate::keyworks::views(c.re(), list, day)
        .await?
        .into_iter()
        .map(|v| {
            let actual = v.actuals.iter().find(|a| a.0 == week).map(|a| a.1);
            serde_json::json!({
                "id": v.indicator.id,
                "key_work_id": v.indicator.key_work_id,
                "name": v.indicator.name,
                "unit": v.indicator.unit,
                "target": v.indicator.target,
                "week": week,
                "actual": actual,
                "planned": v.standing.planned_now,
                "on_track": v.standing.on_track,
            })
        })
        .collect();
    Ok(serde_json::json!({
        "indicators": indicators,
        "items_closed": n("close"),
        "items_sent_back": n("send_back"),
        "items_recorded": n("create"),
        "items_open": open,
        "items_overdue": overdue,
        "items_red": red,
        "period_start": period_start,
        "period_end": r.due_at,
    }))
}

async fn period_start(c: Conn<'_>, r: &Report) -> ServiceResult<DateTime<Utc>> {
    let mut c = c;
    let rule = reports::rule(c.re(), r.rule_id)
        .await?
        .ok_or(ServiceError::NotFound("work_rule"))?;
    let cadence = cadence_of(&rule)?;
    let tz = campaign_tz(c, rule.campaign_id).await?;
    // The period runs from the previous due to this one.
    let span = cadence
        .next_due(r.due_at, tz)
        .map(|n| n - r.due_at)
        .unwrap_or(chrono::Duration::days(7));
    Ok(r.due_at - span)
}

async fn view(svc: &Services, c: Conn<'_>, actor: &Actor, r: Report) -> ServiceResult<ReportView> {
    let mut c = c;
    let state = report_state(r.due_at, r.submitted_at, svc.now());
    let figures = if r.submitted_at.is_some() && r.status != "sent_back" {
        serde_json::from_str(&r.figures_json).unwrap_or_default()
    } else {
        let start = period_start(c.re(), &r).await?;
        prefill(c, &r, start).await?
    };
    Ok(ReportView {
        can_edit: actor.can(Permission::DeliverItems, &r.org_path)
            && matches!(r.status.as_str(), "open" | "draft" | "sent_back"),
        can_review: actor.can(Permission::SuperviseItems, &r.org_path) && r.status == "submitted",
        state,
        figures,
        report: r,
    })
}

async fn visible(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<Report> {
    let r = reports::get(c, id)
        .await?
        .ok_or(ServiceError::NotFound("report"))?;
    // A unit sees its own reports; supervisors those below them; never another unit's drafts.
    if !actor.can(Permission::ReadItems, &r.org_path) {
        return Err(ServiceError::NotFound("report"));
    }
    Ok(r)
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<ReportView> {
    let mut c = svc.db.read().await?;
    let r = visible(c.conn(), actor, id).await?;
    view(svc, c.conn(), actor, r).await
}

pub async fn list(
    svc: &Services,
    actor: &Actor,
    mut f: ReportFilter,
    page: Page,
) -> ServiceResult<Paged<Report>> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    f.scopes = actor.scopes(Permission::ReadItems);
    let mut c = svc.db.read().await?;
    Ok(reports::list(c.conn(), &f, page).await?)
}

/// The three text sections of a report: 本周工作完成情况, 存在问题, 下周工作计划.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ReportTexts {
    pub done_text: String,
    pub problems_text: String,
    pub plan_text: String,
}

fn check_texts(t: &ReportTexts) -> Result<(), Validation> {
    let mut v = Validation::new();
    v.max_len("done_text", &t.done_text, TEXT_MAX);
    v.max_len("problems_text", &t.problems_text, TEXT_MAX);
    v.max_len("plan_text", &t.plan_text, TEXT_MAX);
    v.into_result()
}

/// Saves the texts (`submit` = false) or submits the report (`submit` = true: figures frozen).
pub async fn write(
    svc: &Services,
    actor: &Actor,
    id: i64,
    texts: ReportTexts,
    submit: bool,
    expected_version: i64,
) -> ServiceResult<ReportView> {
    check_texts(&texts)?;
    if submit && texts.done_text.trim().is_empty() {
        return Err(invalid("done_text", "required"));
    }
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    let before = visible(tx.conn(), actor, id).await?;
    if !actor.can(Permission::DeliverItems, &before.org_path) {
        return Err(ServiceError::Refused("not_responsible"));
    }
    if !matches!(before.status.as_str(), "open" | "draft" | "sent_back") {
        return Err(ServiceError::Conflict("wrong_status"));
    }
    if before.version != expected_version {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    let mut after = before.clone();
    after.done_text = texts.done_text.trim().to_owned();
    after.problems_text = texts.problems_text.trim().to_owned();
    after.plan_text = texts.plan_text.trim().to_owned();
    if submit {
        let start = period_start(tx.conn(), &before).await?;
        after.figures_json = prefill(tx.conn(), &before, start).await?.to_string();
        after.status = "submitted".into();
        // Punctuality counts the first submission.
        after.submitted_at = before.submitted_at.or(Some(now));
        after.submitted_by = Some(actor.name.clone());
    } else {
        after.status = if before.status == "open" {
            "draft".into()
        } else {
            before.status.clone()
        };
    }
    if !reports::save(tx.conn(), &after, expected_version).await? {
        return Err(ServiceError::Stale {
            current: before.version + 1,
        });
    }
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: if submit {
                "report.submit"
            } else {
                "report.save"
            },
            object_type: "report",
            object_id: Some(id.to_string()),
            org_path: Some(before.org_path.clone()),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

/// The supervising org accepts a submitted report or sends it back with a comment.
pub async fn review(
    svc: &Services,
    actor: &Actor,
    id: i64,
    accept: bool,
    comment: &str,
    expected_version: i64,
) -> ServiceResult<ReportView> {
    let mut v = Validation::new();
    v.max_len("comment", comment, 2000);
    if !accept && comment.trim().is_empty() {
        v.add("comment", "required");
    }
    v.into_result()?;
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    let before = visible(tx.conn(), actor, id).await?;
    if !actor.can(Permission::SuperviseItems, &before.org_path) {
        return Err(ServiceError::Refused("not_supervisor"));
    }
    if before.status != "submitted" {
        return Err(ServiceError::Conflict("wrong_status"));
    }
    if before.version != expected_version {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    let mut after = before.clone();
    after.status = if accept {
        "accepted".into()
    } else {
        "sent_back".into()
    };
    after.reviewed_at = Some(now);
    after.reviewed_by = Some(actor.name.clone());
    after.review_comment = comment.trim().to_owned();
    if !reports::save(tx.conn(), &after, expected_version).await? {
        return Err(ServiceError::Stale {
            current: before.version + 1,
        });
    }
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: if accept {
                "report.accept"
            } else {
                "report.send_back"
            },
            object_type: "report",
            object_id: Some(id.to_string()),
            org_path: Some(before.org_path.clone()),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

/// The campaign of a work rule (to show a report's times in its zone).
pub async fn campaign_of_rule(svc: &Services, rule_id: i64) -> ServiceResult<Option<i64>> {
    let mut c = svc.db.read().await?;
    Ok(reports::rule(c.conn(), rule_id)
        .await?
        .map(|r| r.campaign_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;
    use chrono_tz::Asia::Shanghai;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    #[test]
    fn period_keys_are_an_iso_week_a_month_or_a_minute_in_the_campaign_zone() {
        let weekly = Cadence::Weekly {
            weekday: 5,
            time: at(17, 0),
        };
        // Friday 27 November 2026, 17:00 in Shanghai.
        assert_eq!(
            period_key(&weekly, utc("2026-11-27T09:00:00Z"), Shanghai),
            "2026-W48"
        );
        let monthly = Cadence::Monthly {
            day: 30,
            time: at(18, 0),
        };
        // 30 November 2026, 18:00 in Shanghai.
        assert_eq!(
            period_key(&monthly, utc("2026-11-30T10:00:00Z"), Shanghai),
            "2026-11"
        );
        let cron = Cadence::Cron {
            expr: "0 7 * * 1-5".into(),
        };
        // Tuesday 1 December 07:00 in Shanghai is still 30 November in UTC.
        let due = utc("2026-11-30T23:00:00Z");
        assert_eq!(period_key(&cron, due, chrono_tz::UTC), "2026-11-30 23:00");
        assert_eq!(period_key(&cron, due, Shanghai), "2026-12-01 07:00");
    }
}
