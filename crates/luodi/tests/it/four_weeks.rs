//! Four weeks of a small campaign with an injected clock, driven by the scheduler as in
//! production: reports fall due each Friday for three units, late and missing ones are marked,
//! each person gets at most one digest a day (on the days the offsets say), the Monday bulletin is
//! computed at its cut-off with figures equal to a hand count, the interview rules propose
//! exactly the expected orgs (more severely after an interview was held), the commitments of
//! the interview show in the next bulletins, and a published bulletin never changes.
//!
//! The fixture (department 循环测试厅 with units 甲, 乙, 丙; times in Shanghai):
//! - 甲: two items due Fri 11-06 that are never closed; never reports.
//! - 乙: one item due Thu 11-05, closed on Wed 11-04; reports every Thursday.
//! - 丙: no items; reports Saturday 11-07 (late) in week 45, then every Thursday.
//! - Reports fall due Fridays 17:00; the bulletin is due Mondays 09:00 for the week before.
//! - 甲's interview (after the week-45 bulletin) is held on 11-10 with two commitments, due
//!   11-20 (closed 11-18) and 11-27 (left open).

use crate::bulletins::{close, item, step};
use crate::helpers::{json, TestApp};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use luodi_domain::FixedClock;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

const INITIAL: &str = "Loop-Start-2026";
const FINAL: &str = "Loop-Final-2026";

/// 09:30 in Shanghai on day `d` of November 2026.
fn nov(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, 1, 30, 0)
        .single()
        .expect("t")
}

async fn bearer(app: &TestApp, username: &str, password: &str) -> Client {
    let c = app.login(username, password).await;
    app.bearer(&c, "loop").await.0
}

/// An account made the way an installation makes one: created by the system administrator,
/// given its role by the security administrator, first password changed by its holder.
async fn account(app: &TestApp, username: &str, org: i64, role: &str) -> (i64, Client) {
    let sys = app.demo("sysadmin").await;
    let sec = app.demo("secadmin").await;
    let (s, v) = json(
        sys.post(app.url("/api/v1/users"))
            .json(&json!({"username": username, "display_name": username, "org_id": org, "password": INITIAL}))
            .send()
            .await
            .expect("user"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["user"]["id"].as_i64().expect("id");
    let r = sec
        .post(app.url(&format!("/api/v1/users/{id}/roles")))
        .json(&json!({"role": role, "org_id": org}))
        .send()
        .await
        .expect("role");
    assert_eq!(r.status(), StatusCode::CREATED);
    let c = app.login(username, INITIAL).await;
    let r = c
        .post(app.url("/api/v1/me/password"))
        .json(&json!({"current_password": INITIAL, "new_password": FINAL}))
        .send()
        .await
        .expect("password");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    (id, bearer(app, username, FINAL).await)
}

async fn get(app: &TestApp, c: &Client, path: &str) -> Value {
    let (s, v) = json(c.get(app.url(path)).send().await.expect("get")).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    v
}

/// The org's report of `week` under the rule.
async fn report(app: &TestApp, c: &Client, rule: i64, org: i64, week: &str) -> Value {
    let list = get(
        app,
        c,
        &format!("/api/v1/reports?rule_id={rule}&per_page=500"),
    )
    .await;
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["org_id"] == org && r["period_key"] == week)
        .cloned()
        .unwrap_or_else(|| panic!("no report of {org} for {week}: {list}"))
}

async fn submit(app: &TestApp, c: &Client, rule: i64, org: i64, week: &str) {
    let r = report(app, c, rule, org, week).await;
    let id = r["id"].as_i64().expect("id");
    let (s, v) = json(
        c.put(app.url(&format!("/api/v1/reports/{id}")))
            .json(&json!({"done_text": "本周按计划推进", "problems_text": "无", "plan_text": "继续推进", "submit": true, "version": r["version"]}))
            .send()
            .await
            .expect("submit"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// The bulletin of the scope for `week` (the office's view).
async fn bulletin(app: &TestApp, office: &Client, scope: i64, week: &str) -> Value {
    let list = get(app, office, "/api/v1/bulletins").await;
    let b = list
        .as_array()
        .expect("list")
        .iter()
        .find(|b| b["scope_org_id"] == scope && b["period_key"] == week)
        .cloned()
        .unwrap_or_else(|| panic!("no bulletin for {week}: {list}"));
    get(app, office, &format!("/api/v1/bulletins/{}", b["id"])).await
}

/// (score, items due, closed on time, overdue, red, reports on time, late, missing) of a row.
fn figures(b: &Value, org: i64) -> (f64, [i64; 7]) {
    let r = b["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["org_id"] == org)
        .expect("row of org");
    let f = &r["figures"];
    let n = |k: &str| f[k].as_i64().unwrap_or(-1);
    (
        r["score"].as_f64().unwrap_or(f64::NAN),
        [
            n("items_due"),
            n("closed_on_time"),
            n("overdue"),
            n("red"),
            n("reports_on_time"),
            n("reports_late"),
            n("reports_missing"),
        ],
    )
}

/// The orgs proposed for an interview, with the kind proposed.
fn proposed(b: &Value) -> BTreeMap<i64, String> {
    b["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| !r["interview"].is_null())
        .map(|r| {
            (
                r["org_id"].as_i64().expect("org"),
                r["interview"]["kind"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn commitments(b: &Value, org: i64) -> (i64, i64, i64) {
    let r = b["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["org_id"] == org)
        .expect("row");
    let n = |k: &str| r["figures"][k].as_i64().unwrap_or(-1);
    (
        n("commitments"),
        n("commitments_done"),
        n("commitments_overdue"),
    )
}

#[tokio::test]
async fn four_weeks_of_the_supervision_loop() {
    let clock = Arc::new(FixedClock::new(nov(2)));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let svc = app.svc.clone();
    let office = bearer(&app, "office", crate::helpers::PW).await;
    let cid = get(&app, &office, "/api/v1/campaigns").await["items"][0]["id"]
        .as_i64()
        .expect("campaign");

    // The department and its three units.
    let root = app.org_id(luodi::tools::demo::data::ROOT_CODE).await;
    let org = |code: &'static str, name: &'static str, kind: &'static str, parent: i64| {
        let office = office.clone();
        let app = &app;
        async move {
            let (s, v) = json(
                office
                    .post(app.url("/api/v1/orgs"))
                    .json(&json!({"code": code, "name": name, "kind": kind, "parent_id": parent}))
                    .send()
                    .await
                    .expect("org"),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
            v["id"].as_i64().expect("id")
        }
    };
    let dept = org("D-LOOP", "循环测试厅", "department", root).await;
    let a = org("D-LOOP-A", "甲单位", "unit", dept).await;
    let b = org("D-LOOP-B", "乙单位", "unit", dept).await;
    let c = org("D-LOOP-C", "丙单位", "unit", dept).await;
    let (owner_id, _) = account(&app, "loop_owner", a, "responsible_person").await;
    let (_, liaison_a) = account(&app, "loop_liaison_a", a, "unit_liaison").await;
    let (_, liaison_b) = account(&app, "loop_liaison_b", b, "unit_liaison").await;
    let (_, liaison_c) = account(&app, "loop_liaison_c", c, "unit_liaison").await;

    // The rules: reports due every Friday 17:00 from the units; the bulletin every Monday 09:00.
    let mut rules = Vec::new();
    for (kind, name, weekday, time) in [
        ("reporting", "循环测试每周情况汇报", 5, "17:00:00"),
        ("bulletin", "循环测试每周一通报", 1, "09:00:00"),
    ] {
        let (s, v) = json(
            office
                .post(app.url("/api/v1/work-rules"))
                .json(&json!({"campaign_id": cid, "owner_org_id": dept, "kind": kind, "name": name,
                    "cadence": {"kind": "weekly", "weekday": weekday, "time": time}, "scope_org_id": dept, "target_kinds": ["unit"]}))
                .send()
                .await
                .expect("rule"),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        rules.push(v["id"].as_i64().expect("rule"));
    }
    let rule = rules[0];

    // The items.
    let mut a_items = Vec::new();
    for t in ["甲一", "甲二"] {
        let mut body = json!({"campaign_id": cid, "kind": "rectification", "title": t, "phase": "rectification", "source": "inspection", "item_type": "time_limited",
            "lead_org_id": a, "responsible_person": "loop_owner", "responsible_user_id": owner_id, "due_on": "2026-11-06", "measures": ["措施"], "issue": true});
        let (s, v) = json(
            office
                .post(app.url("/api/v1/items"))
                .json(&body.take())
                .send()
                .await
                .expect("item"),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        a_items.push(v);
    }
    let b_item = item(&app, &office, cid, "D-LOOP-B", "2026-11-05", "乙一").await;

    // Day by day: the scheduler runs each morning as it would on the server; the units act.
    luodi_service::scheduler::register(&svc)
        .await
        .expect("register");
    let mut published: Option<(i64, String)> = None;
    let mut interview_id = None;
    let mut commitment_ids: Vec<i64> = Vec::new();
    let mut weekly: BTreeMap<String, Value> = BTreeMap::new();
    for day in 2..=30u32 {
        clock.set(nov(day));
        luodi_service::scheduler::tick(&svc, "loop")
            .await
            .expect("tick");
        let week =
            luodi_domain::cadence::iso_week(NaiveDate::from_ymd_opt(2026, 11, day).expect("date"));
        match day {
            4 => {
                close(&app, &liaison_b, &office, &b_item).await;
            }
            // Thursdays: 乙 reports; 丙 too from week 46.
            5 | 12 | 19 | 26 => {
                submit(&app, &liaison_b, rule, b, &week).await;
                if day != 5 {
                    submit(&app, &liaison_c, rule, c, &week).await;
                }
            }
            // Saturday: 丙 reports week 45 after the cut-off.
            7 => submit(&app, &liaison_c, rule, c, "2026-W45").await,
            _ => {}
        }
        // Mondays: the bulletin of the week before is there, computed at its cut-off.
        if matches!(day, 9 | 16 | 23 | 30) {
            let reported = luodi_domain::cadence::iso_week(
                NaiveDate::from_ymd_opt(2026, 11, day - 1).expect("date"),
            );
            let bl = bulletin(&app, &office, dept, &reported).await;
            assert_eq!(bl["bulletin"]["status"], "draft");
            assert_eq!(bl["bulletin"]["computed_at"], json!(nov(day)));
            weekly.insert(reported.clone(), bl.clone());
            let id = bl["bulletin"]["id"].as_i64().expect("id");
            let (s, v) = json(
                office
                    .post(app.url(&format!("/api/v1/bulletins/{id}/publish")))
                    .json(&json!({"note": format!("{reported} 通报")}))
                    .send()
                    .await
                    .expect("publish"),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            if day == 9 {
                // Frozen as the units read it.
                let text = liaison_a
                    .get(app.url(&format!("/api/v1/bulletins/{id}")))
                    .send()
                    .await
                    .expect("get")
                    .text()
                    .await
                    .expect("text");
                published = Some((id, text));
            }
        }
        match day {
            // After the week-45 bulletin: 甲's interview confirmed, 丙's dismissed; held on the
            // 10th with two commitments.
            9 => {
                let list = get(&app, &office, "/api/v1/interviews").await;
                let list = list.as_array().expect("interviews");
                let mut by_org: BTreeMap<i64, Value> = BTreeMap::new();
                for v in list.iter().filter(|v| v["status"] == "proposed") {
                    by_org.insert(v["org_id"].as_i64().expect("org"), v.clone());
                }
                assert_eq!(by_org.keys().copied().collect::<Vec<_>>(), vec![a, c]);
                // The unit does not see a proposal before the office confirms it.
                assert_eq!(get(&app, &liaison_a, "/api/v1/interviews").await, json!([]));
                for (o, confirm) in [(a, true), (c, false)] {
                    let v = &by_org[&o];
                    let (s, d) = json(
                        office
                            .post(app.url(&format!("/api/v1/interviews/{}/decide", v["id"])))
                            .json(&json!({"confirm": confirm, "version": v["version"]}))
                            .send()
                            .await
                            .expect("decide"),
                    )
                    .await;
                    assert_eq!(s, StatusCode::OK, "{d}");
                }
                interview_id = by_org[&a]["id"].as_i64();
            }
            10 => {
                let id = interview_id.expect("interview");
                let v = get(&app, &office, &format!("/api/v1/interviews/{id}")).await;
                let (s, v) = json(
                    office
                        .post(app.url(&format!("/api/v1/interviews/{id}/record")))
                        .json(&json!({"kind": "reminder", "level": "office", "interviewer": "省委主题教育办公室 赵丽", "interviewees": "甲单位主要负责人",
                            "held_on": "2026-11-10", "minutes": "指出逾期事项和汇报缺报问题，提出整改要求。", "version": v["interview"]["version"],
                            "commitments": [
                                {"title": "两项逾期事项限期办结", "due_on": "2026-11-20", "responsible_person": "loop_owner"},
                                {"title": "建立每周汇报工作机制", "due_on": "2026-11-27", "responsible_person": "loop_owner"}
                            ]}))
                        .send()
                        .await
                        .expect("record"),
                )
                .await;
                assert_eq!(s, StatusCode::OK, "{v}");
                commitment_ids = v["commitments"]
                    .as_array()
                    .expect("commitments")
                    .iter()
                    .filter_map(|r| r["id"].as_i64())
                    .collect();
                assert_eq!(commitment_ids.len(), 2);
                // Now the unit sees its interview and the commitments it has to keep.
                let seen = get(&app, &liaison_a, &format!("/api/v1/interviews/{id}")).await;
                assert_eq!(seen["interview"]["status"], "held");
            }
            18 => {
                let k1 = get(
                    &app,
                    &office,
                    &format!("/api/v1/items/{}", commitment_ids[0]),
                )
                .await;
                close(&app, &liaison_a, &office, &k1).await;
            }
            _ => {}
        }
    }

    // The right reports fell due, and each stands as the units acted.
    for (week, due) in [
        ("2026-W45", "2026-11-06T09:00:00Z"),
        ("2026-W46", "2026-11-13T09:00:00Z"),
        ("2026-W47", "2026-11-20T09:00:00Z"),
        ("2026-W48", "2026-11-27T09:00:00Z"),
    ] {
        for (o, state) in [
            (a, "missing"),
            (b, "submitted_on_time"),
            (
                c,
                if week == "2026-W45" {
                    "submitted_late"
                } else {
                    "submitted_on_time"
                },
            ),
        ] {
            let r = report(&app, &office, rule, o, week).await;
            let r = get(&app, &office, &format!("/api/v1/reports/{}", r["id"])).await;
            assert_eq!(
                (r["due_at"].as_str(), r["state"].as_str()),
                (Some(due), Some(state)),
                "{week} of {o}"
            );
        }
    }
    // No report fell due for the department itself (units only).
    let all = get(
        &app,
        &office,
        &format!("/api/v1/reports?rule_id={rule}&per_page=500"),
    )
    .await;
    assert!(all["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|r| r["org_id"] != dept));

    // Digests: at most one a day for anyone, on the days the rules say.
    let digests: Vec<(i64, String)> = {
        let mut conn = svc.db().read().await.expect("read");
        luodi_store::db::fetch_all(
            conn.conn(),
            luodi_store::Sql::new(
                "SELECT user_id, dedupe_key FROM deliveries WHERE channel = 'inbox' AND subject = 'digest'",
            ),
        )
        .await
        .expect("digests")
    };
    let mut per_day: BTreeMap<(i64, String), usize> = BTreeMap::new();
    for (u, key) in &digests {
        let day = key.rsplit(':').next().unwrap_or("").to_owned();
        *per_day.entry((*u, day)).or_default() += 1;
    }
    assert!(per_day.values().all(|n| *n == 1), "{per_day:?}");
    let days_of = |u: i64| -> Vec<String> {
        per_day
            .keys()
            .filter(|(x, _)| *x == u)
            .map(|(_, d)| d.clone())
            .collect()
    };
    // The owner: 3 and 1 days before the 6th, then every day overdue (7th–30th).
    let owner_days = days_of(owner_id);
    assert_eq!(owner_days.len(), 2 + 24, "{owner_days:?}");
    assert_eq!(owner_days[..2], ["2026-11-03", "2026-11-05"]);
    assert!(!owner_days.contains(&"2026-11-06".to_owned()));
    // 甲's liaison on each Friday its report was still due; 丙's on the first Friday only.
    let uid = |name: &'static str| {
        let app = &app;
        async move { app.user_id(name).await }
    };
    assert_eq!(
        days_of(uid("loop_liaison_a").await),
        ["2026-11-06", "2026-11-13", "2026-11-20", "2026-11-27"]
    );
    assert_eq!(days_of(uid("loop_liaison_c").await), ["2026-11-06"]);
    assert!(days_of(uid("loop_liaison_b").await).is_empty());

    // The bulletins against a hand count. Score = 100 + 2 per item closed on time − 5 per overdue
    // item − 3 per red item − 2 per late report − 5 per missing report.
    let w = |k: &str| weekly.get(k).cloned().expect("bulletin of the week");
    let (w45, w46, w47, w48) = (w("2026-W45"), w("2026-W46"), w("2026-W47"), w("2026-W48"));
    //                         due, on time, overdue, red, rep. on time, late, missing
    assert_eq!(figures(&w45, a), (79.0, [2, 0, 2, 2, 0, 0, 1]));
    assert_eq!(figures(&w45, b), (102.0, [1, 1, 0, 0, 1, 0, 0]));
    assert_eq!(figures(&w45, c), (98.0, [0, 0, 0, 0, 0, 1, 0]));
    assert_eq!(figures(&w46, a), (79.0, [2, 0, 2, 2, 0, 0, 1]));
    assert_eq!(figures(&w46, c), (100.0, [0, 0, 0, 0, 1, 0, 0]));
    // Week 47: the first commitment closed on time (+2).
    assert_eq!(figures(&w47, a), (81.0, [3, 1, 2, 2, 0, 0, 1]));
    // Week 48: the second commitment is overdue too.
    assert_eq!(figures(&w48, a), (73.0, [4, 1, 3, 3, 0, 0, 1]));
    let ranks: Vec<(i64, i64)> = w45["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["org_id"].as_i64().unwrap_or(0),
                r["rank"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(ranks, [(b, 1), (c, 2), (a, 3)]);

    // The interview rules: 甲 (red items, no reports) and 丙 (punctuality under 80% over four
    // weeks: 0/1, 1/2, 2/3, 3/4); 甲 more severely once an interview was held.
    let kinds = |b: &Value| proposed(b);
    assert_eq!(
        kinds(&w45),
        BTreeMap::from([(a, "reminder".into()), (c, "reminder".into())])
    );
    for later in [&w46, &w47, &w48] {
        assert_eq!(
            kinds(later),
            BTreeMap::from([(a, "warning".into()), (c, "reminder".into())])
        );
    }
    // The commitments, as each bulletin found them.
    assert_eq!(commitments(&w45, a), (0, 0, 0));
    assert_eq!(commitments(&w46, a), (2, 0, 0));
    assert_eq!(commitments(&w47, a), (2, 1, 0));
    assert_eq!(commitments(&w48, a), (2, 1, 1));
    assert_eq!(
        w48["totals"]["commitments"][0]["interview_id"].as_i64(),
        interview_id
    );

    // Later edits to the items behind the first bulletin leave it byte-for-byte as published.
    let a1 = get(
        &app,
        &office,
        &format!("/api/v1/items/{}", a_items[0]["id"]),
    )
    .await;
    close(&app, &liaison_a, &office, &a1).await;
    let a2 = get(
        &app,
        &office,
        &format!("/api/v1/items/{}", a_items[1]["id"]),
    )
    .await;
    step(&app, &liaison_a, &a2, "sign_off").await;
    let (id, text) = published.expect("published");
    let again = liaison_a
        .get(app.url(&format!("/api/v1/bulletins/{id}")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    assert_eq!(again, text, "a published bulletin never changes");
}
