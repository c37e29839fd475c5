//! Reminders with an injected clock: each person gets at most one digest a day, listing their
//! items three days and one day before the deadline (the default offsets) and every day once
//! overdue; a supervisor urges an item once a day; outsiders cannot.

use crate::helpers::{json, TestApp};
use chrono::{Duration, TimeZone, Utc};
use luodi_domain::FixedClock;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn digests_once_a_day_and_urges_once_a_day() {
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
            .expect("c"),
    )
    .await;
    let cid = camps["items"][0]["id"].as_i64().expect("campaign");
    let owner_id = app.user_id("owner").await;
    let hwy = app.org_id("D-TRANSPORT-HWY").await;
    for (title, due) in [("三天后到期", "2026-11-26"), ("一个月后到期", "2026-12-23")] {
        let body = json!({"campaign_id": cid, "kind": "task", "title": title, "phase": "rectification", "source": "inspection", "item_type": "time_limited",
            "lead_org_id": hwy, "responsible_person": "孙伟", "responsible_user_id": owner_id, "due_on": due, "issue": true});
        let (s, v) = json(
            office
                .post(app.url("/api/v1/items"))
                .json(&body)
                .send()
                .await
                .expect("item"),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    // Twice on one day: one digest, listing only the item three days from its deadline.
    assert_eq!(
        luodi_service::reminders::send_digests(&app.svc)
            .await
            .expect("digest"),
        1
    );
    assert_eq!(
        luodi_service::reminders::send_digests(&app.svc)
            .await
            .expect("digest"),
        0
    );
    let owner = app.demo("owner").await;
    let (_, inbox) = json(
        owner
            .get(app.url("/api/v1/me/inbox"))
            .send()
            .await
            .expect("inbox"),
    )
    .await;
    let notes = inbox.as_array().expect("inbox");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["kind"], "digest");
    assert_eq!(notes[0]["body"]["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(notes[0]["body"]["items"][0]["title"], "三天后到期");
    assert_eq!(notes[0]["body"]["items"][0]["why"]["days"], 3);
    assert!(
        notes[0]["text"].as_str().is_some_and(|t| t.contains('1')),
        "{}",
        notes[0]
    );
    // Two days before: no offset, no digest; one day before: the next; then every overdue day.
    for (day, expected) in [(24, 0), (25, 1), (26, 0), (27, 1), (28, 1)] {
        clock.advance(Duration::days(1));
        assert_eq!(
            luodi_service::reminders::send_digests(&app.svc)
                .await
                .expect("digest"),
            expected,
            "on 2026-11-{day}"
        );
    }
    // Someone else's inbox stays empty.
    let liaison = app.demo("liaison").await;
    let (_, other) = json(
        liaison
            .get(app.url("/api/v1/me/inbox"))
            .send()
            .await
            .expect("inbox"),
    )
    .await;
    assert_eq!(other.as_array().map(Vec::len), Some(0));

    // A supervisor urges an item: once a day; a unit or an outsider cannot.
    let office = app.demo("office").await;
    let (_, list2) = json(
        office
            .get(app.url("/api/v1/items?q=一个月后到期"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let id = list2["items"][0]["id"].as_i64().expect("item");
    let r = office
        .post(app.url(&format!("/api/v1/items/{id}/urge")))
        .json(&json!({"note": "请加快进度"}))
        .send()
        .await
        .expect("urge");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, v) = json(
        office
            .post(app.url(&format!("/api/v1/items/{id}/urge")))
            .json(&json!({}))
            .send()
            .await
            .expect("urge"),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_urged_today"))
    );
    let owner = app.demo("owner").await;
    let r = owner
        .post(app.url(&format!("/api/v1/items/{id}/urge")))
        .json(&json!({}))
        .send()
        .await
        .expect("urge");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let outsider = app.demo("shenyang_office").await;
    let r = outsider
        .post(app.url(&format!("/api/v1/items/{id}/urge")))
        .json(&json!({}))
        .send()
        .await
        .expect("urge");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, inbox) = json(
        owner
            .get(app.url("/api/v1/me/inbox"))
            .send()
            .await
            .expect("inbox"),
    )
    .await;
    let urge = inbox
        .as_array()
        .expect("inbox")
        .iter()
        .find(|n| n["kind"] == "urge")
        .cloned()
        .expect("an urge");
    assert!(
        urge["text"]
            .as_str()
            .is_some_and(|t| t.contains("请加快进度") && t.contains("office")),
        "{urge}"
    );
    let nid = urge["id"].as_i64().expect("id");
    assert_eq!(
        owner
            .post(app.url(&format!("/api/v1/me/inbox/{nid}/read")))
            .send()
            .await
            .expect("read")
            .status(),
        StatusCode::NO_CONTENT
    );
    let (_, inbox) = json(
        owner
            .get(app.url("/api/v1/me/inbox"))
            .send()
            .await
            .expect("inbox"),
    )
    .await;
    assert!(inbox
        .as_array()
        .expect("inbox")
        .iter()
        .any(|n| n["id"] == nid && n["read"] == true));
}
