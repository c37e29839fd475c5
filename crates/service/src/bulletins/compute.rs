//! Computing a week's bulletin: every org of the scope scored by the rules and ranked, frozen.

use super::*;

/// The ISO week `week` (`2026-W49`) in the campaign's zone: from its Monday 00:00 to the next
/// Monday 00:00 (the cut-off: the end of its Sunday).
pub(super) fn week_bounds(
    week: &str,
    tz: chrono_tz::Tz,
) -> ServiceResult<(DateTime<Utc>, DateTime<Utc>)> {
    luodi_domain::cadence::week_bounds(week, tz).ok_or_else(|| invalid("week", "bad_week"))
}

/// Computes (or recomputes, while a draft) the bulletin of `scope_org_id` for `week`. Before the
/// week's reports are all past their deadline the bulletin is provisional: it proposes no
/// interview and cannot be published until computed again once the week is closed.
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
    let cadences = reporting_cadences(tx.conn(), campaign_id, Some(&scope.path)).await?;
    let deadline = report_deadline(start, end, &cadences, tz);
    let provisional = !week_closed(start, end, &cadences, tz, now);
    let scoring = scoring(tx.conn(), campaign_id).await?;
    let interview_rule: InterviewRule = scoring.interview.clone();

    // The ranked orgs: the scope's direct children.
    let children: Vec<orgs::Org> = orgs::children(tx.conn(), Some(scope.id), false)
        .await?
        .into_iter()
        .map(|n| n.org)
        .collect();
    let ids: Vec<i64> = children.iter().map(|o| o.id).collect();
    let blank = Figures {
        window_weeks: interview_rule.window_weeks,
        ..Default::default()
    };
    let mut figs: HashMap<i64, Figures> = ids.iter().map(|id| (*id, blank.clone())).collect();
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
        f.window_reports_due += t.window_due;
        f.window_reports_on_time += t.window_on_time;
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
        // A provisional bulletin is no basis for accountability: it proposes no interview.
        let reasons = if provisional {
            Vec::new()
        } else {
            interview_reasons(&interview_rule, f.red, due, on_time)
        };
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
        "report_deadline": deadline,
        "provisional": provisional,
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
                    provisional,
                },
                now,
            )
            .await?
        }
    };
    if !bulletins::recompute(
        tx.conn(),
        id,
        &bulletins::Computed {
            rules_version: scoring.version,
            rules_json: &rules_json,
            totals_json: &totals_json,
            provisional,
            rows: &rows,
        },
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
            after: Some(&serde_json::json!({ "week": week, "orgs": rows.len(), "provisional": provisional })),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn a_week_runs_from_its_local_monday_midnight_for_seven_days() {
        // 2026-W48 is Monday 23 to Sunday 29 November; Shanghai is UTC+8.
        let (start, end) = week_bounds("2026-W48", Shanghai).expect("bounds");
        assert_eq!(start, utc("2026-11-22T16:00:00Z"));
        assert_eq!(end, utc("2026-11-29T16:00:00Z"));
        let (start, end) = week_bounds(" 2026-W53 ", chrono_tz::UTC).expect("bounds");
        assert_eq!(
            (start, end),
            (utc("2026-12-28T00:00:00Z"), utc("2027-01-04T00:00:00Z"))
        );
    }

    #[test]
    fn a_week_label_that_names_no_iso_week_is_refused_at_week() {
        // 2026 has 53 ISO weeks, 2025 only 52.
        for bad in ["2026-W54", "2025-W53", "2026-48", "2026-W", "W48", ""] {
            match week_bounds(bad, Shanghai) {
                Err(ServiceError::Validation(v)) => {
                    assert_eq!(
                        v,
                        luodi_domain::Validation::single("week", "bad_week"),
                        "{bad}"
                    )
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
