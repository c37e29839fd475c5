//! Key work and indicators through the API and the pages: trajectories and actuals on the
//! dashboard equal the figures worked out by hand for a fixture; an actual is one per week and
//! never for a week to come; confidence is kept apart; tasks link; foreign subtrees are refused.

use crate::helpers::{json, TestApp};
use chrono::{TimeZone, Utc};
use luodi_domain::FixedClock;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

async fn post(app: &TestApp, c: &Client, path: &str, body: Value) -> (StatusCode, Value) {
    json(
        c.post(app.url(path))
            .json(&body)
            .send()
            .await
            .expect("post"),
    )
    .await
}

fn find<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .and_then(|a| a.iter().find(|i| i["indicator"]["name"] == name))
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

#[tokio::test]
async fn indicators_stand_against_their_trajectories_as_worked_out_by_hand() {
    // Wednesday 2026-11-25, 10:00 in Shanghai: the week of Monday 2026-11-23.
    let app = TestApp::spawn_with_clock(Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0)
            .single()
            .expect("t"),
    )))
    .await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let liaison = app.demo("liaison").await;
    let (_, camps) = json(
        liaison
            .get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("c"),
    )
    .await;
    let cid = camps["items"][0]["id"].as_i64().expect("campaign");
    let transport = app.org_id("D-TRANSPORT").await;
    let (s, k) = post(&app, &liaison, "/api/v1/key-works", json!({"campaign_id": cid, "org_id": transport, "title": "取消高速公路省界收费站", "description": "ETC 门架替代省界站"})).await;
    assert_eq!(s, StatusCode::CREATED, "{k}");
    let kid = k["key_work"]["id"].as_i64().expect("id");
    // Stations removed: 0 → 8 over five weeks, planned 0, 2, 4, 6, 8.
    let (s, k) = post(&app, &liaison, &format!("/api/v1/key-works/{kid}/indicators"), json!({"name": "省界收费站拆除数", "unit": "个", "baseline": 0, "target": 8, "direction": "increase", "start_on": "2026-11-02", "target_on": "2026-11-30"})).await;
    assert_eq!(s, StatusCode::CREATED, "{k}");
    // Lorry transit time: 30 → 20 minutes over four weeks, planned 30, 26.67, 23.33, 20.
    let (_, k) = post(&app, &liaison, &format!("/api/v1/key-works/{kid}/indicators"), json!({"name": "货车平均通行时间", "unit": "分钟", "baseline": 30, "target": 20, "direction": "decrease", "start_on": "2026-11-02", "target_on": "2026-11-23"})).await;
    let stations = find(&k["indicators"], "省界收费站拆除数")["indicator"]["id"]
        .as_i64()
        .expect("id");
    let transit = find(&k["indicators"], "货车平均通行时间")["indicator"]["id"]
        .as_i64()
        .expect("id");
    assert_eq!(
        find(&k["indicators"], "货车平均通行时间")["plan"],
        json!([
            ["2026-11-02", 30.0],
            ["2026-11-09", 26.67],
            ["2026-11-16", 23.33],
            ["2026-11-23", 20.0]
        ])
    );
    for (id, day, value) in [
        (stations, "2026-11-02", 1.0),
        (stations, "2026-11-10", 2.0),
        (stations, "2026-11-18", 3.5),
        (stations, "2026-11-20", 3.0),
        (transit, "2026-11-17", 23.0),
    ] {
        let (s, v) = post(
            &app,
            &liaison,
            &format!("/api/v1/indicators/{id}/actuals"),
            json!({"week_on": day, "value": value}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    // Next week has not come.
    let (s, v) = post(
        &app,
        &liaison,
        &format!("/api/v1/indicators/{stations}/actuals"),
        json!({"week_on": "2026-11-30", "value": 9}),
    )
    .await;
    assert_eq!(
        (s, v["details"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("future_week"))
    );
    // A wrong direction and a target equal to the baseline are refused.
    let (s, v) = post(&app, &liaison, &format!("/api/v1/key-works/{kid}/indicators"), json!({"name": "x", "unit": "个", "baseline": 5, "target": 5, "direction": "decrease", "start_on": "2026-11-02", "target_on": "2026-11-01"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = v["details"]["fields"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["field"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        fields.contains(&"target") && fields.contains(&"target_on"),
        "{v}"
    );

    // The province dashboard, by hand: stations latest 3 (week of 11-16, the second entry replaced
    // the first), planned then 4, so behind; planned now 6; progress 3/8. Transit latest 23
    // against 23.33 planned: on track; progress (23−30)/(20−30) = 0.7; planned now 20.
    let office = app.demo("office").await;
    let d = json(
        office
            .get(app.url("/api/v1/dashboard"))
            .send()
            .await
            .expect("d"),
    )
    .await
    .1;
    let list = &d["figures"]["indicators"];
    let s = &find(list, "省界收费站拆除数")["standing"];
    assert_eq!(
        (
            s["planned_now"].as_f64(),
            s["latest"].as_f64(),
            s["latest_week"].as_str(),
            s["planned_then"].as_f64(),
            s["on_track"].as_bool(),
            s["progress"].as_f64()
        ),
        (
            Some(6.0),
            Some(3.0),
            Some("2026-11-16"),
            Some(4.0),
            Some(false),
            Some(0.375)
        )
    );
    let t = &find(list, "货车平均通行时间")["standing"];
    assert_eq!(
        (
            t["planned_now"].as_f64(),
            t["latest"].as_f64(),
            t["on_track"].as_bool()
        ),
        (Some(20.0), Some(23.0), Some(true))
    );
    assert!((t["progress"].as_f64().unwrap_or(0.0) - 0.7).abs() < 1e-9);
    let link = d["links"]["indicators"][0].as_str().unwrap_or("");
    assert!(
        link.starts_with(&format!("/key-works/{kid}#indicator-")),
        "{link}"
    );
    let html = office
        .get(app.url("/dashboard"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let row = html
        .split(&format!("id=\"indicator-{stations}\""))
        .nth(1)
        .unwrap_or("");
    assert!(
        row.contains("37.5%") && row.contains(">6<") && row.contains("tag-red"),
        "the dashboard row"
    );

    // Confidence is set apart, against the version read.
    let version = find(list, "省界收费站拆除数")["indicator"]["version"]
        .as_i64()
        .expect("v");
    let (s, k) = post(
        &app,
        &liaison,
        &format!("/api/v1/indicators/{stations}/confidence"),
        json!({"confidence": "medium", "note": "剩余站点涉及地方协调", "version": version}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{k}");
    assert_eq!(
        find(&k["indicators"], "省界收费站拆除数")["indicator"]["confidence"],
        "medium"
    );
    assert_eq!(
        find(&k["indicators"], "省界收费站拆除数")["standing"]["on_track"],
        false,
        "confidence does not change the standing"
    );
    let (s, _) = post(
        &app,
        &liaison,
        &format!("/api/v1/indicators/{stations}/confidence"),
        json!({"confidence": "high", "version": version}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // The department's report of the week reads this week's actual from the key work.
    let (s, v) = post(
        &app,
        &liaison,
        &format!("/api/v1/indicators/{stations}/actuals"),
        json!({"week_on": "2026-11-24", "value": 4}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, rule) = post(&app, &office, "/api/v1/work-rules", json!({"campaign_id": cid, "owner_org_id": transport, "kind": "reporting", "name": "厅领导小组每周情况汇报",
        "cadence": {"kind": "weekly", "weekday": 5, "time": "17:00:00"}, "scope_org_id": transport, "target_kinds": ["department"]})).await;
    assert_eq!(s, StatusCode::CREATED, "{rule}");
    let (_, reports) = json(
        liaison
            .get(app.url(&format!("/api/v1/reports?rule_id={}", rule["id"])))
            .send()
            .await
            .expect("reports"),
    )
    .await;
    let report = reports["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{reports}"));
    let (_, r) = json(
        liaison
            .get(app.url(&format!("/api/v1/reports/{report}")))
            .send()
            .await
            .expect("report"),
    )
    .await;
    let figures = r["figures"]["indicators"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let row = figures
        .iter()
        .find(|i| i["name"] == "省界收费站拆除数")
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(
        (
            row["actual"].as_f64(),
            row["planned"].as_f64(),
            row["week"].as_str()
        ),
        (Some(4.0), Some(6.0), Some("2026-11-23")),
        "{row}"
    );
    let html = liaison
        .get(app.url(&format!("/reports/{report}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("id=\"report-indicators\"") && html.contains("省界收费站拆除数"));

    // A task of the department carries the key work.
    let (s, task) = post(&app, &office, "/api/v1/items", json!({"campaign_id": cid, "kind": "task", "title": "完成省界站主体设施拆除", "phase": "rectification", "source": "superior_instruction", "item_type": "time_limited", "lead_org_id": app.org_id("D-TRANSPORT-HWY").await, "responsible_person": "孙伟", "due_on": "2099-06-30"})).await;
    assert_eq!(s, StatusCode::CREATED, "{task}");
    let (s, k) = post(
        &app,
        &liaison,
        &format!("/api/v1/key-works/{kid}/tasks"),
        json!({"item_id": task["id"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{k}");
    assert_eq!(k["tasks"][0]["id"], task["id"]);

    // Nobody outside the department reads or writes any of it.
    let dalian = app.demo("dalian_liaison").await;
    let audit = app.audit_count().await;
    let r = dalian
        .get(app.url(&format!("/api/v1/key-works/{kid}")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = dalian
        .get(app.url(&format!("/key-works/{kid}")))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    for (path, body) in [
        (
            format!("/api/v1/key-works/{kid}/indicators"),
            json!({"name": "x", "unit": "个", "baseline": 0, "target": 1, "direction": "increase", "start_on": "2026-11-02", "target_on": "2026-11-30"}),
        ),
        (
            format!("/api/v1/key-works/{kid}/tasks"),
            json!({"item_id": task["id"]}),
        ),
        (
            format!("/api/v1/indicators/{stations}/actuals"),
            json!({"week_on": "2026-11-23", "value": 8}),
        ),
        (
            format!("/api/v1/indicators/{stations}/confidence"),
            json!({"confidence": "low", "version": version + 1}),
        ),
    ] {
        let (s, v) = post(&app, &dalian, &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {v}");
    }
    let (s, v) = post(
        &app,
        &dalian,
        "/api/v1/key-works",
        json!({"campaign_id": cid, "org_id": transport, "title": "x"}),
    )
    .await;
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{v}"
    );
    let (_, v) = json(
        dalian
            .get(app.url("/api/v1/key-works"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(v["total"], 0);
    assert_eq!(app.audit_count().await, audit, "nothing written");
}
