//! The weekly bulletin (每周一通报): for a scope and an ISO week, a frozen snapshot that ranks the
//! scope's direct children by a score from the campaign's scoring rules (data, with versions),
//! with the figures behind each score and the orgs the interview rules propose. The office
//! reviews it, adds a note and publishes it; a published bulletin never changes.
//! Figures come from the roll-up counters and from grouped queries over the scope: never one
//! query per org.

use crate::audit::{self, Change};
use crate::error::invalid;
use crate::i18n::{I18n, Lang};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Duration, TimeZone, Utc};
use luodi_domain::bulletin::{
    interview_reasons, rank, score, suggested_kind, Figures, InterviewRule, ScoringRules,
};
use luodi_domain::cadence::parse_iso_week;
use luodi_domain::org::is_within;
use luodi_domain::role::Permission;
use luodi_store::bulletins::{self, Bulletin, BulletinRow, NewBulletin};
use luodi_store::{campaigns, orgs, Conn};
use serde::Serialize;
use std::collections::HashMap;

/// The campaign's current scoring rules (the defaults, as version 1, until changed).
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

/// One ranked org of a bulletin.
#[derive(Debug, Clone, Serialize)]
pub struct RankedOrg {
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub figures: Figures,
    pub on_time_rate: Option<f64>,
    pub punctuality: Option<f64>,
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
    pub can_publish: bool,
}

fn view(b: Bulletin, rows: Vec<BulletinRow>, can_publish: bool) -> BulletinView {
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
    }
}

/// The ISO week's cut-off: the end of its Sunday in the campaign's zone (the next Monday 00:00).
fn week_bounds(week: &str, tz: chrono_tz::Tz) -> ServiceResult<(DateTime<Utc>, DateTime<Utc>)> {
    let monday = parse_iso_week(week).ok_or_else(|| invalid("week", "bad_week"))?;
    let start = tz
        .from_local_datetime(
            &monday
                .and_hms_opt(0, 0, 0)
                .ok_or_else(|| invalid("week", "bad_week"))?,
        )
        .earliest()
        .ok_or_else(|| invalid("week", "bad_week"))?;
    let start = start.with_timezone(&Utc);
    Ok((start, start + Duration::days(7)))
}

/// Computes (or recomputes, while a draft) the bulletin of `scope_org_id` for `week`.
pub async fn compute(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    scope_org_id: i64,
    week: &str,
) -> ServiceResult<BulletinView> {
    // Lights and deadlines as of now, before the counters are read.
    crate::items::refresh(svc).await?;
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    let scope = orgs::get(tx.conn(), scope_org_id)
        .await?
        .filter(|o| actor.can(Permission::ReadOrgs, &o.path));
    let Some(scope) = scope else {
        return Err(invalid("scope_org_id", "unknown_org"));
    };
    if !actor.can(Permission::SuperviseItems, &scope.path) {
        return Err(ServiceError::Forbidden);
    }
    if !campaigns::is_visible(
        tx.conn(),
        campaign_id,
        &actor.scopes(Permission::ReadCampaigns),
    )
    .await?
        && !actor.system
    {
        return Err(invalid("campaign_id", "unknown_campaign"));
    }
    let rules_row = campaigns::rules(tx.conn(), campaign_id)
        .await?
        .ok_or(ServiceError::NotFound("campaign"))?;
    let tz: chrono_tz::Tz = rules_row
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let (start, end) = week_bounds(week, tz)?;
    let scoring = scoring(tx.conn(), campaign_id).await?;
    let interview_rule: InterviewRule = scoring.interview.clone();

    // The ranked orgs: the scope's direct children.
    let children: Vec<orgs::Org> = orgs::children(tx.conn(), Some(scope.id), false)
        .await?
        .into_iter()
        .map(|n| n.org)
        .collect();
    let ids: Vec<i64> = children.iter().map(|o| o.id).collect();
    let mut figs: HashMap<i64, Figures> = ids.iter().map(|id| (*id, Figures::default())).collect();
    // Items, from the counters (each child's row is its whole subtree).
    for (org, k) in luodi_store::items::counters_of(tx.conn(), &ids, Some(campaign_id)).await? {
        let Some(f) = figs.get_mut(&org) else {
            continue;
        };
        let c = &k.key;
        if c.status == "withdrawn" || c.status == "draft" {
            continue;
        }
        match c.light.as_str() {
            "red" => f.red += k.n,
            "yellow" => f.yellow += k.n,
            "green" => f.green += k.n,
            _ => {}
        }
        if c.due_so_far {
            f.items_due += k.n;
        }
        match c.timeliness.as_str() {
            "closed_on_time" => f.closed_on_time += k.n,
            "overdue" => f.overdue += k.n,
            _ => {}
        }
        if c.status == "closed" || c.status == "verified" {
            f.closed_count += k.n;
            f.days_to_close_sum += k.days_to_close_sum;
        }
    }
    let child_of = |path: &str| {
        children
            .iter()
            .find(|c| is_within(path, &c.path))
            .map(|c| c.id)
    };
    // Reports due this week (punctuality) and over the interview window.
    let window_start = end - Duration::weeks(interview_rule.window_weeks);
    let mut window: HashMap<i64, (i64, i64)> = HashMap::new();
    for t in bulletins::report_tallies(tx.conn(), scope.id, window_start, start, end).await? {
        let Some(f) = figs.get_mut(&t.org_id) else {
            continue;
        };
        window.insert(t.org_id, (t.window_due, t.window_on_time));
        f.reports_due += t.week_due;
        f.reports_on_time += t.week_on_time;
        f.reports_late += t.week_late;
        // Not submitted: missing once the cut-off has passed, and still open before it;
        // the bulletin counts both as not in.
        f.reports_missing += t.week_due - t.week_on_time - t.week_late;
    }
    // Steps taken this week: sent back, and extensions approved.
    for (path, action, n) in bulletins::events_by_path(tx.conn(), &scope.path, start, end).await? {
        let Some(f) = child_of(&path).and_then(|o| figs.get_mut(&o)) else {
            continue;
        };
        match action.as_str() {
            "send_back" => f.sent_back += n,
            "approve_extension" => f.extended += n,
            _ => {}
        }
    }
    // Interviews held lately (severity rises with them) and how their commitments stand now.
    let local_end = (end - Duration::seconds(1)).with_timezone(&tz).date_naive();
    let since = local_end - Duration::weeks(interview_rule.escalation_weeks);
    let mut held: HashMap<i64, usize> = HashMap::new();
    for (path, n) in luodi_store::interviews::held_since(tx.conn(), &scope.path, since).await? {
        if let Some(org) = child_of(&path) {
            *held.entry(org).or_default() += usize::try_from(n).unwrap_or(0);
        }
    }
    let commitments =
        luodi_store::interviews::commitment_status(tx.conn(), &scope.path, since).await?;
    for k in &commitments {
        let Some(f) = child_of(&k.org_path).and_then(|o| figs.get_mut(&o)) else {
            continue;
        };
        f.commitments += k.total;
        f.commitments_done += k.done;
        f.commitments_overdue += k.overdue;
    }
    // Information submissions sent this week, and those adopted this week (at any level).
    let (submitted, adopted) =
        luodi_store::briefings::counts_between(tx.conn(), &scope.path, start, end).await?;
    for (path, n) in submitted {
        if let Some(f) = child_of(&path).and_then(|o| figs.get_mut(&o)) {
            f.submissions += n;
        }
    }
    for (path, n) in adopted {
        if let Some(f) = child_of(&path).and_then(|o| figs.get_mut(&o)) {
            f.submissions_adopted += n;
        }
    }
    let scored: Vec<(i64, f64)> = children
        .iter()
        .map(|c| (c.id, score(&scoring, &figs[&c.id])))
        .collect();
    let ranked = rank(&scored);
    let mut rows = Vec::with_capacity(ranked.len());
    let mut totals = Figures::default();
    let mut proposed = Vec::new();
    for (pos, (org_id, s, r)) in ranked.into_iter().enumerate() {
        let Some(org) = children.iter().find(|c| c.id == org_id) else {
            continue;
        };
        let f = figs.remove(&org_id).unwrap_or_default();
        let (due, on_time) = window.get(&org_id).copied().unwrap_or((0, 0));
        let reasons = interview_reasons(&interview_rule, f.red, due, on_time);
        let interview = if reasons.is_empty() {
            serde_json::Value::Null
        } else {
            proposed.push(org.name.clone());
            let before = held.get(&org_id).copied().unwrap_or(0);
            serde_json::json!({ "kind": suggested_kind(before), "reasons": reasons, "held_before": before })
        };
        totals.add(&f);
        rows.push(BulletinRow {
            position: pos as i64 + 1,
            org_id,
            org_code: org.code.clone(),
            org_name: org.name.clone(),
            figures_json: serde_json::to_string(&f).unwrap_or_default(),
            score_tenths: (s * 10.0).round() as i64,
            rank: r as i64,
            interview_json: interview.to_string(),
        });
    }
    let praise: Vec<String> = rows
        .iter()
        .filter(|r| r.rank == 1)
        .map(|r| r.org_name.clone())
        .collect();
    let totals_json = serde_json::json!({
        "figures": totals,
        "on_time_rate": totals.on_time_rate(),
        "punctuality": totals.punctuality(),
        "orgs": rows.len(),
        "praised": praise,
        "criticised": rows.iter().filter(|r| r.score_tenths < (scoring.base * 10.0) as i64).map(|r| r.org_name.clone()).collect::<Vec<_>>(),
        "interviews_proposed": proposed,
        "commitments": commitments,
        "week_start": start,
        "week_end": end,
    })
    .to_string();
    let rules_json = serde_json::to_string(&scoring).unwrap_or_default();
    let existing = bulletins::find(tx.conn(), campaign_id, scope.id, week).await?;
    let id = match existing {
        Some(b) if b.status == "published" => {
            return Err(ServiceError::Conflict("bulletin_published"))
        }
        Some(b) => b.id,
        None => {
            let issue_no = bulletins::next_issue_no(tx.conn(), campaign_id, scope.id).await?;
            bulletins::create(
                tx.conn(),
                &NewBulletin {
                    campaign_id,
                    scope_org_id: scope.id,
                    scope_org_path: &scope.path,
                    period_key: week,
                    issue_no,
                    rules_version: scoring.version,
                    rules_json: &rules_json,
                    totals_json: &totals_json,
                },
                now,
            )
            .await?
        }
    };
    if !bulletins::recompute(
        tx.conn(),
        id,
        scoring.version,
        &rules_json,
        &totals_json,
        &rows,
        now,
    )
    .await?
    {
        return Err(ServiceError::Conflict("bulletin_published"));
    }
    audit::record::<(), serde_json::Value>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "bulletin.compute",
            object_type: "bulletin",
            object_id: Some(id.to_string()),
            org_path: Some(scope.path.clone()),
            before: None,
            after: Some(&serde_json::json!({ "week": week, "orgs": rows.len() })),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
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
    let can_publish = supervises && b.status == "draft";
    Ok(view(b, rows, can_publish))
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
    crate::interviews::propose_from_bulletin(tx.conn(), &b, &rows, svc.now()).await?;
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
/// reports on (once: a bulletin already there, draft or published, is left alone). Returns how
/// many were computed.
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
        let tz = {
            let mut c = svc.db.read().await?;
            campaigns::rules(c.conn(), rule.campaign_id)
                .await?
                .and_then(|r| r.time_zone.parse().ok())
                .unwrap_or(chrono_tz::Asia::Shanghai)
        };
        let Some(due) = cadence
            .dues_between(rule.created_at, now, tz, 100_000)
            .last()
            .copied()
        else {
            continue;
        };
        let week = week_reported(due, tz);
        let exists = {
            let mut c = svc.db.read().await?;
            bulletins::find(c.conn(), rule.campaign_id, rule.scope_org_id, &week)
                .await?
                .is_some()
        };
        if exists {
            continue;
        }
        match compute(svc, &actor, rule.campaign_id, rule.scope_org_id, &week).await {
            Ok(_) => computed += 1,
            Err(e) => tracing::warn!(rule = rule.id, week, error = %e, "bulletin not computed"),
        }
    }
    Ok(computed)
}
/// The document of a bulletin in the reader's language: the pages', the API's and the command
/// line's export all write this.
pub fn document(i18n: &I18n, lang: Lang, v: &BulletinView) -> luodi_office::bulletin::BulletinDoc {
    let t = |k: &str| i18n.t(lang, k);
    let tr = |k: &str, args: &[(&str, String)]| i18n.tr(lang, k, args);
    let pct = |x: Option<f64>| {
        x.map(|x| format!("{:.0}%", x * 100.0))
            .unwrap_or_else(|| "—".into())
    };
    let b = &v.bulletin;
    let date = b
        .published_at
        .unwrap_or(b.computed_at)
        .format("%Y-%m-%d")
        .to_string();
    let names = |key: &str| -> Vec<String> {
        v.totals[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    luodi_office::bulletin::BulletinDoc {
        title: t("bulletin-doc-title"),
        issue: tr("bulletin-issue", &[("n", b.issue_no.to_string())]),
        issuer_line: format!("{}　{}", b.period_key, date),
        summary: tr(
            "bulletin-summary",
            &[
                ("orgs", v.rows.len().to_string()),
                ("on_time", pct(v.totals["on_time_rate"].as_f64())),
                ("punctuality", pct(v.totals["punctuality"].as_f64())),
                (
                    "red",
                    v.totals["figures"]["red"].as_i64().unwrap_or(0).to_string(),
                ),
            ],
        ),
        note: b.note.clone(),
        headers: [
            "bulletin-col-rank",
            "bulletin-col-org",
            "bulletin-col-score",
            "bulletin-col-due",
            "bulletin-col-on-time",
            "bulletin-col-overdue",
            "bulletin-col-red",
            "bulletin-col-punctuality",
            "bulletin-col-submissions",
        ]
        .iter()
        .map(|k| t(k))
        .collect(),
        rows: v
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    r.org_name.clone(),
                    format!("{}", r.score),
                    r.figures.items_due.to_string(),
                    r.figures.closed_on_time.to_string(),
                    r.figures.overdue.to_string(),
                    r.figures.red.to_string(),
                    pct(r.punctuality),
                    format!(
                        "{} / {}",
                        r.figures.submissions, r.figures.submissions_adopted
                    ),
                ]
            })
            .collect(),
        footnote: b
            .audit_head
            .as_ref()
            .map(|h| tr("bulletin-audit-head", &[("head", h.clone())]))
            .unwrap_or_default(),
        lists: vec![
            (t("bulletin-praised"), names("praised")),
            (t("bulletin-criticised"), names("criticised")),
            (t("bulletin-interviews"), names("interviews_proposed")),
        ],
        charts: {
            use luodi_office::bulletin::BarChart;
            let labels: Vec<String> = v.rows.iter().map(|r| r.org_name.clone()).collect();
            let chart = |key: &str, percent: bool, color: u32, values: Vec<f64>| BarChart {
                title: t(key),
                labels: labels.clone(),
                values,
                percent,
                color,
            };
            if v.rows.is_empty() {
                Vec::new()
            } else {
                vec![
                    chart(
                        "bulletin-chart-score",
                        false,
                        0x165DFF,
                        v.rows.iter().map(|r| r.score).collect(),
                    ),
                    chart(
                        "bulletin-chart-on-time",
                        true,
                        0x00B42A,
                        v.rows
                            .iter()
                            .map(|r| r.figures.on_time_rate().unwrap_or(0.0))
                            .collect(),
                    ),
                    chart(
                        "bulletin-chart-punctuality",
                        true,
                        0x722ED1,
                        v.rows
                            .iter()
                            .map(|r| r.punctuality.unwrap_or(0.0))
                            .collect(),
                    ),
                    chart(
                        "bulletin-chart-red",
                        false,
                        0xF53F3F,
                        v.rows.iter().map(|r| r.figures.red as f64).collect(),
                    ),
                ]
            }
        },
        charts_sheet: t("bulletin-charts-sheet"),
        sections: {
            let lines: Vec<String> = commitment_lines(i18n, lang, &v.totals)
                .into_iter()
                .map(|c| c.text)
                .collect();
            if lines.is_empty() {
                Vec::new()
            } else {
                vec![(t("bulletin-commitments"), lines)]
            }
        },
    }
}

/// How one interview's commitments stood when the bulletin was computed.
pub struct CommitmentLine {
    pub interview_id: i64,
    pub org_name: String,
    pub held_on: String,
    pub kind: String,
    pub total: i64,
    pub done: i64,
    pub overdue: i64,
    /// The whole line, for documents.
    pub text: String,
}

/// The bulletin's interview commitments, in the reader's language.
pub fn commitment_lines(
    i18n: &I18n,
    lang: Lang,
    totals: &serde_json::Value,
) -> Vec<CommitmentLine> {
    let list = totals["commitments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    list.iter()
        .map(|c| {
            let n = |k: &str| c[k].as_i64().unwrap_or(0);
            let org_name = c["org_name"].as_str().unwrap_or("").to_owned();
            let held_on = c["held_on"].as_str().unwrap_or("").to_owned();
            let kind = i18n.t(
                lang,
                &format!("bulletins-interview-{}", c["kind"].as_str().unwrap_or("")),
            );
            let text = i18n.tr(
                lang,
                "bulletin-commitment-line",
                &[
                    ("org", org_name.clone()),
                    ("date", held_on.clone()),
                    ("kind", kind.clone()),
                    ("total", n("total").to_string()),
                    ("done", n("done").to_string()),
                    ("overdue", n("overdue").to_string()),
                ],
            );
            CommitmentLine {
                interview_id: n("interview_id"),
                org_name,
                held_on,
                kind,
                total: n("total"),
                done: n("done"),
                overdue: n("overdue"),
                text,
            }
        })
        .collect()
}

/// The bulletin as a file in `format` (`xlsx` or `docx`): its name, content type and bytes;
/// `None` for another format.
pub fn file(
    i18n: &I18n,
    lang: Lang,
    v: &BulletinView,
    format: &str,
) -> ServiceResult<Option<(String, &'static str, Vec<u8>)>> {
    let doc = document(i18n, lang, v);
    let name = format!(
        "{}-{}",
        i18n.t(lang, "bulletin-doc-title"),
        v.bulletin.period_key
    );
    let (bytes, ctype) = match format {
        "xlsx" => (
            luodi_office::bulletin::to_xlsx(&doc),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "docx" => (
            luodi_office::bulletin::to_docx(&doc),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        _ => return Ok(None),
    };
    let bytes = bytes.map_err(ServiceError::Internal)?;
    Ok(Some((format!("{name}.{format}"), ctype, bytes)))
}
