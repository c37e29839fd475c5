//! Work rules and situation reports with an injected clock: reports fall due for the bound orgs,
//! figures come pre-filled, submissions are on time or late, missing ones are found, a unit
//! never sees another unit's drafts, and the supervising org reviews.

use crate::helpers::{json, TestApp};
use chrono::{Duration, TimeZone, Utc};
use luodi_domain::FixedClock;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn a_weekly_report_falls_due_is_prefilled_submitted_and_reviewed() {
    // Monday 2026-11-23 09:00 in Shanghai.
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0)
            .single()
            .expect("t"),
    ));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let (_, camps) = json(
        office
            .get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("campaigns"),
    )
    .await;
    let cid = camps["items"][0]["id"].as_i64().expect("campaign");
    let transport = app.org_id("D-TRANSPORT").await;
    // Every unit and department under the transport department reports by Friday 16:00.
    let body = json!({"campaign_id": cid, "owner_org_id": app.org_id("D-OFFICE").await, "kind": "reporting", "name": "每周情况汇报",
        "cadence": {"kind": "weekly", "weekday": 5, "time": "16:00:00"}, "scope_org_id": transport, "target_kinds": ["department", "unit"]});
    let (s, rule) = json(
        office
            .post(app.url("/api/v1/work-rules"))
            .json(&body)
            .send()
            .await
            .expect("rule"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{rule}");
    let (s, bad) = json(office.post(app.url("/api/v1/work-rules")).json(&json!({"campaign_id": cid, "owner_org_id": transport, "kind": "reporting", "name": "x",
        "cadence": {"kind": "weekly", "weekday": 9, "time": "16:00:00"}, "scope_org_id": transport})).send().await.expect("rule")).await;
    assert_eq!(
        (s, bad["details"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cadence"))
    );

    let (_, list) = json(
        office
            .get(app.url(&format!("/api/v1/reports?rule_id={}", rule["id"])))
            .send()
            .await
            .expect("reports"),
    )
    .await;
    let reports = list["items"].as_array().expect("items");
    assert!(reports.len() >= 2, "{list}");
    assert!(
        reports
            .iter()
            .all(|r| r["period_key"] == "2026-W48" && r["status"] == "open"),
        "{list}"
    );
    assert!(
        reports
            .iter()
            .all(|r| r["due_at"] == "2026-11-27T08:00:00Z"),
        "Friday 16:00 Shanghai"
    );
    // Opening again creates nothing new.
    let again = luodi_service::reports::open_periods(&app.svc)
        .await
        .expect("open");
    assert_eq!(again, 0);

    let dept = reports
        .iter()
        .find(|r| r["org_id"] == transport)
        .expect("the department's report")
        .clone();
    let rid = dept["id"].as_i64().expect("id");
    // An item closed this week shows up in the pre-filled figures.
    let liaison = app.demo("liaison").await;
    let item = json(liaison.post(app.url("/api/v1/items")).json(&json!({"campaign_id": cid, "kind": "rectification", "title": "收费公示不全", "phase": "rectification",
        "source": "self_examination", "item_type": "immediate", "lead_org_id": transport, "responsible_person": "刘洋", "due_on": "2026-11-30", "measures": ["公示"]})).send().await.expect("item")).await.1;
    let iid = item["id"].as_i64().expect("item");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("a.pdf"),
    );
    liaison
        .post(app.url(&format!("/api/v1/items/{iid}/evidence")))
        .multipart(form)
        .send()
        .await
        .expect("evidence");
    let v = json(
        liaison
            .get(app.url(&format!("/api/v1/items/{iid}")))
            .send()
            .await
            .expect("item"),
    )
    .await
    .1;
    let v = json(
        liaison
            .post(app.url(&format!("/api/v1/items/{iid}/transitions")))
            .json(&json!({"action": "request_close_out", "version": v["version"]}))
            .send()
            .await
            .expect("step"),
    )
    .await
    .1;
    let sup = app.demo("supervisor").await;
    let (s, _) = json(
        sup.post(app.url(&format!("/api/v1/items/{iid}/transitions")))
            .json(&json!({"action": "close", "version": v["version"]}))
            .send()
            .await
            .expect("close"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, r) = json(
        liaison
            .get(app.url(&format!("/api/v1/reports/{rid}")))
            .send()
            .await
            .expect("report"),
    )
    .await;
    assert_eq!(
        (
            r["figures"]["items_closed"].as_i64(),
            r["figures"]["items_recorded"].as_i64()
        ),
        (Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(
        (r["state"].as_str(), r["can_edit"].as_bool()),
        (Some("open"), Some(true))
    );

    // Another unit never sees it, not even in a list.
    let archives = app.demo("archives_liaison").await;
    assert_eq!(
        archives
            .get(app.url(&format!("/api/v1/reports/{rid}")))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, theirs) = json(
        archives
            .get(app.url("/api/v1/reports"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(theirs["total"], 0);
    let (s, _) = json(
        archives
            .put(app.url(&format!("/api/v1/reports/{rid}")))
            .json(&json!({"done_text": "x", "version": r["version"]}))
            .send()
            .await
            .expect("put"),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Saved as a draft, then submitted before the cut-off: on time, figures frozen.
    let (s, r) = json(
        liaison
            .put(app.url(&format!("/api/v1/reports/{rid}")))
            .json(&json!({"done_text": "完成收费公示整改", "version": r["version"]}))
            .send()
            .await
            .expect("save"),
    )
    .await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("draft")));
    clock.set(
        Utc.with_ymd_and_hms(2026, 11, 27, 7, 0, 0)
            .single()
            .expect("t"),
    );
    let liaison = app.demo("liaison").await;
    let (s, r) = json(liaison.put(app.url(&format!("/api/v1/reports/{rid}"))).json(&json!({"done_text": "完成收费公示整改", "problems_text": "无", "plan_text": "开展回头看", "submit": true, "version": r["version"]})).send().await.expect("submit")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["status"].as_str(),
            r["state"].as_str(),
            r["figures"]["items_closed"].as_i64()
        ),
        (Some("submitted"), Some("submitted_on_time"), Some(1))
    );
    // The unit cannot review its own report; the supervisor sends it back, it is resubmitted, accepted.
    let (s, v) = json(
        liaison
            .post(app.url(&format!("/api/v1/reports/{rid}/review")))
            .json(&json!({"accept": true, "version": r["version"]}))
            .send()
            .await
            .expect("review"),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_supervisor"))
    );
    let sup = app.demo("supervisor").await;
    let (s, _) = json(
        sup.post(app.url(&format!("/api/v1/reports/{rid}/review")))
            .json(&json!({"accept": false, "version": r["version"]}))
            .send()
            .await
            .expect("review"),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "sending back needs a comment"
    );
    let (_, r) = json(sup.post(app.url(&format!("/api/v1/reports/{rid}/review"))).json(&json!({"accept": false, "comment": "请补充下周计划的时间节点", "version": r["version"]})).send().await.expect("review")).await;
    assert_eq!(r["status"], "sent_back");
    clock.set(
        Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0)
            .single()
            .expect("t"),
    );
    let liaison = app.demo("liaison").await;
    let (_, r) = json(liaison.put(app.url(&format!("/api/v1/reports/{rid}"))).json(&json!({"done_text": "完成收费公示整改", "plan_text": "12月5日前开展回头看", "submit": true, "version": r["version"]})).send().await.expect("resubmit")).await;
    assert_eq!(
        (r["status"].as_str(), r["state"].as_str()),
        (Some("submitted"), Some("submitted_on_time")),
        "punctuality counts the first submission"
    );
    let sup = app.demo("supervisor").await;
    let (_, r) = json(
        sup.post(app.url(&format!("/api/v1/reports/{rid}/review")))
            .json(&json!({"accept": true, "version": r["version"]}))
            .send()
            .await
            .expect("accept"),
    )
    .await;
    assert_eq!(r["status"], "accepted");

    // After the cut-off, the others are missing; the next period opens.
    let office = app.demo("office").await;
    let (_, missing) = json(
        office
            .get(app.url(&format!(
                "/api/v1/reports?rule_id={}&missing=true",
                rule["id"]
            )))
            .send()
            .await
            .expect("missing"),
    )
    .await;
    assert_eq!(
        missing["total"].as_i64(),
        Some(reports.len() as i64 - 1),
        "{missing}"
    );
    clock.advance(Duration::hours(1));
    let opened = luodi_service::reports::open_periods(&app.svc)
        .await
        .expect("open");
    assert_eq!(opened as usize, reports.len(), "next week's reports");
    let office = app.demo("office").await;
    let (_, next) = json(
        office
            .get(app.url(&format!(
                "/api/v1/reports?rule_id={}&period_key=2026-W49",
                rule["id"]
            )))
            .send()
            .await
            .expect("next"),
    )
    .await;
    assert_eq!(next["total"].as_i64(), Some(reports.len() as i64));
}
