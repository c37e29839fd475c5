//! The demo's weekly loop, so that a new user sees it whole: three weeks of the transport
//! department's situation reports (most on time, the road administration late once, the freight
//! administration never), the scheduler run day by day as on the server (reports falling due,
//! reminder digests, the Monday bulletin at its cut-off), two bulletins reviewed and published
//! and the latest left for the office to publish, an accountability interview held with two
//! commitments, the expressway administration urged by hand, and information submissions adopted into a published
//! briefing.

use super::{actor, org};
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use luodi_domain::cadence::{iso_week, Cadence};
use luodi_domain::org::is_within;
use luodi_domain::FixedClock;
use luodi_service::briefings::{AdoptInput, BriefingInput, SubmissionInput};
use luodi_service::interviews::{CommitmentInput, RecordInput};
use luodi_service::reports::{ReportTexts, RuleInput};
use luodi_service::{Actor, Services};
use luodi_store::reports::ReportFilter;
use luodi_store::Page;
use std::sync::Arc;

const SCOPE: &str = "D-TRANSPORT";
const NEVER_REPORTS: &str = "D-TRANSPORT-FREIGHT";
const LATE_ONCE: &str = "D-TRANSPORT-ROAD";

/// Submits the open reports of `week` under `rule` for every bound org that `pick` chooses.
async fn submit_reports(
    svc: &Services,
    liaison: &Actor,
    rule: i64,
    week: &str,
    pick: impl Fn(&str) -> bool,
) -> anyhow::Result<usize> {
    let list = luodi_service::reports::list(
        svc,
        liaison,
        ReportFilter {
            rule_id: Some(rule),
            period_key: Some(week.to_owned()),
            statuses: vec!["open".into(), "draft".into(), "sent_back".into()],
            ..Default::default()
        },
        Page::new(1, 500),
    )
    .await?;
    let mut n = 0;
    for r in list.items.iter().filter(|r| pick(&r.org_path)) {
        let texts = ReportTexts {
            done_text: format!(
                "{}：本周围绕“走流程、解难题”推进整改，按期完成台账事项，开展集中学习一次。",
                r.org_name
            ),
            problems_text: "个别事项推进较慢，基层人手紧张。".into(),
            plan_text: "下周完成剩余事项销号材料报送，开展“回头看”。".into(),
        };
        luodi_service::reports::write(svc, liaison, r.id, texts, true, r.version).await?;
        n += 1;
    }
    Ok(n)
}

/// Runs the loop over the three weeks before the current one, ending at `svc`'s now.
pub async fn seed(svc: &Services, campaign: i64) -> anyhow::Result<()> {
    let today = svc.now();
    let clock = Arc::new(FixedClock::new(today));
    let s = svc.with_clock(clock.clone());
    let tz = chrono_tz::Asia::Shanghai;
    let local_today = today.with_timezone(&tz).date_naive();
    let start = local_today
        - Duration::days(i64::from(local_today.weekday().num_days_from_monday()))
        - Duration::weeks(3);
    // Each morning at 09:30 in Shanghai; never past the real now.
    let morning = |d: chrono::NaiveDate| -> DateTime<Utc> {
        let t = tz
            .from_local_datetime(&d.and_time(NaiveTime::from_hms_opt(9, 30, 0).unwrap_or_default()))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(today);
        t.min(today)
    };
    clock.set(morning(start));

    let office = actor(svc, "office").await?;
    let liaison = actor(svc, "liaison").await?;
    let scope = org(svc, SCOPE).await?;
    let owner = org(svc, crate::tools::demo::data::PROVINCE_OFFICE_CODE).await?;
    let never = org(svc, NEVER_REPORTS).await?;
    let late = org(svc, LATE_ONCE).await?;
    let hwy = org(svc, "D-TRANSPORT-HWY").await?;
    let mut rules = Vec::new();
    for (kind, name, weekday, time) in [
        ("reporting", "交通运输系统每周情况汇报", 5, "17:00:00"),
        ("bulletin", "交通运输系统每周一通报", 1, "09:00:00"),
    ] {
        let r = luodi_service::reports::create_rule(
            &s,
            &office,
            RuleInput {
                campaign_id: campaign,
                owner_org_id: owner.id,
                kind: kind.into(),
                name: name.into(),
                cadence: Cadence::Weekly {
                    weekday,
                    time: NaiveTime::parse_from_str(time, "%H:%M:%S")?,
                },
                scope_org_id: scope.id,
                target_kinds: vec!["unit".into()],
            },
        )
        .await?;
        rules.push(r.id);
    }
    let rule = rules[0];
    luodi_service::scheduler::register(&s).await?;

    let mut published = 0;
    let mut day = start;
    while day <= local_today {
        clock.set(morning(day));
        luodi_service::scheduler::tick(&s, "demo").await?;
        let week = iso_week(day);
        let first_week = day < start + Duration::weeks(1);
        let weekday = day.weekday().number_from_monday();
        // Thursdays: the liaison submits for every bound unit but the freight administration;
        // the road administration is late in the first week (it submits on Saturday).
        if weekday == 4 {
            submit_reports(&s, &liaison, rule, &week, |p| {
                let skipped_today = first_week && is_within(p, &late.path);
                !is_within(p, &never.path) && !skipped_today
            })
            .await?;
        }
        if weekday == 6 && first_week {
            submit_reports(&s, &liaison, rule, &week, |p| is_within(p, &late.path)).await?;
        }
        // Fridays: the office accepts the week's reports, sending one back in the second week.
        if weekday == 5 {
            let list = luodi_service::reports::list(
                &s,
                &office,
                ReportFilter {
                    rule_id: Some(rule),
                    period_key: Some(week.clone()),
                    statuses: vec!["submitted".into()],
                    ..Default::default()
                },
                Page::new(1, 500),
            )
            .await?;
            for (i, r) in list.items.iter().enumerate() {
                let second_week = !first_week && day < start + Duration::weeks(2);
                let send_back = i == 0 && second_week;
                let comment = if send_back {
                    "请补充本周销号事项的佐证材料清单。"
                } else {
                    ""
                };
                luodi_service::reports::review(&s, &office, r.id, !send_back, comment, r.version)
                    .await?;
            }
        }
        // Mondays: the scheduler computed last week's bulletin at 09:00; the office publishes
        // the first two with a note and leaves the latest for review.
        if weekday == 1 && day > start && published < 2 {
            let list = luodi_service::bulletins::list(&s, &office).await?;
            if let Some(b) = list
                .iter()
                .find(|b| b.scope_org_id == scope.id && b.status == "draft")
            {
                let note = if published == 0 {
                    "省货运管理局连续未报送情况汇报，请于本周内说明情况。"
                } else {
                    "各单位要对照台账逐项销号，确保按期完成。"
                };
                // As the running server's sealer would have: the bulletin then carries the head.
                luodi_service::audit::seal(&s).await?;
                luodi_service::bulletins::publish(&s, &office, b.id, note).await?;
                published += 1;
                if published == 1 {
                    interview(&s, &office, never.id, campaign).await?;
                }
            }
        }
        // The second Tuesday: the office urges the expressway administration by hand.
        if weekday == 2 && day >= start + Duration::weeks(1) && day < start + Duration::weeks(2) {
            luodi_service::reminders::urge_org(
                &s,
                &office,
                hwy.id,
                "请加快逾期整改事项办理，按期报送销号材料。",
            )
            .await?;
        }
        // The second Wednesday: information submissions, adopted into briefing no. 1.
        if weekday == 3 && day >= start + Duration::weeks(1) && day < start + Duration::weeks(2) {
            submissions(&s, &office, &liaison, campaign).await?;
        }
        day += Duration::days(1);
    }
    clock.set(today);
    Ok(())
}

/// The freight administration's interview: confirmed and held the day after the proposal,
/// with two commitments (one due within the demo's weeks, one later).
async fn interview(s: &Services, office: &Actor, org_id: i64, campaign: i64) -> anyhow::Result<()> {
    let list = luodi_service::interviews::list(s, office).await?;
    let Some(v) = list
        .into_iter()
        .find(|v| v.org_id == org_id && v.status == "proposed" && v.campaign_id == campaign)
    else {
        return Ok(());
    };
    let v = luodi_service::interviews::decide(s, office, v.id, true, v.version).await?;
    let today = s
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    luodi_service::interviews::record(
        s,
        office,
        v.interview.id,
        RecordInput {
            kind: "warning".into(),
            level: "office".into(),
            interviewer: "省委主题教育领导小组办公室副主任 刘建国".into(),
            interviewees: "省货运管理局局长 赵志强、办公室主任 孙丽".into(),
            held_on: today,
            minutes: "指出连续未报送情况汇报、整改台账推进迟缓等问题；责令限期整改，一周内补报情况汇报，两周内完成台账逾期事项销号。".into(),
            commitments: vec![
                CommitmentInput {
                    title: "补报近两周情况汇报并说明原因".into(),
                    due_on: today + Duration::days(5),
                    responsible_person: "孙丽".into(),
                    responsible_user_id: None,
                },
                CommitmentInput {
                    title: "完成逾期整改事项销号".into(),
                    due_on: today + Duration::days(30),
                    responsible_person: "赵志强".into(),
                    responsible_user_id: None,
                },
            ],
        },
        v.interview.version,
    )
    .await?;
    Ok(())
}

/// Two units submit news items; the office adopts one into briefing no. 1 (which it
/// publishes) and records that the provincial party office adopted it too.
async fn submissions(
    s: &Services,
    office: &Actor,
    liaison: &Actor,
    campaign: i64,
) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    for (code, title, body) in [
        (
            "D-TRANSPORT-HWY",
            "省高速公路管理局全面完成省界收费站取消后续工作",
            "省高速公路管理局把取消高速公路省界收费站作为主题教育检视问题整改的重点，逐站制定拆除和分流方案。\n目前省界收费站主体设施已全部拆除，ETC 门架系统运行平稳，货车通行时间平均缩短 30% 以上。",
        ),
        (
            "D-TRANSPORT-PORT",
            "省港航管理处“走流程”查找港口服务堵点",
            "省港航管理处班子成员以办事人身份走流程，查找港口服务堵点 6 个，已整改 4 个。",
        ),
    ] {
        let o = org(s, code).await?;
        let v = luodi_service::briefings::create(
            s,
            liaison,
            SubmissionInput {
                campaign_id: campaign,
                org_id: o.id,
                title: title.into(),
                body: body.into(),
            },
        )
        .await?;
        let v = luodi_service::briefings::submit(s, liaison, v.submission.id, v.submission.version)
            .await?;
        ids.push(v.submission.id);
    }
    let root = org(s, crate::tools::demo::data::ROOT_CODE).await?;
    let b = luodi_service::briefings::create_briefing(
        s,
        office,
        BriefingInput {
            campaign_id: campaign,
            org_id: root.id,
            title: "交通运输系统主题教育进展".into(),
        },
    )
    .await?;
    luodi_service::briefings::adopt(
        s,
        office,
        ids[0],
        AdoptInput {
            level: "office".into(),
            briefing_id: Some(b.briefing.id),
            note: String::new(),
        },
    )
    .await?;
    luodi_service::briefings::adopt(
        s,
        office,
        ids[0],
        AdoptInput {
            level: "higher".into(),
            briefing_id: None,
            note: "省委办公厅《每日要情》第35期".into(),
        },
    )
    .await?;
    luodi_service::briefings::publish_briefing(s, office, b.briefing.id).await?;
    Ok(())
}
