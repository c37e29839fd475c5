//! Batch work on the ledger: one action on many items, each as if taken alone, each outcome
//! reported; nothing outside the actor's subtree is touched; a reason the step needs is asked
//! for before any item changes.

use crate::helpers::{json, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn full() -> TestApp {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    app
}

async fn ids(app: &TestApp, c: &Client, query: &str) -> Vec<i64> {
    let (s, v) = json(
        c.get(app.url(&format!("/api/v1/items?{query}")))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

async fn batch(app: &TestApp, c: &Client, body: Value) -> (StatusCode, Value) {
    json(
        c.post(app.url("/api/v1/items/batch"))
            .json(&body)
            .send()
            .await
            .expect("batch"),
    )
    .await
}

#[tokio::test]
async fn a_batch_urge_reaches_each_item_and_refuses_what_is_not_ours() {
    let app = full().await;
    let office = app.demo("office").await;
    let shenyang = app.demo("shenyang_office").await;
    let dalian = app.org_id("210200-BIZENV").await;
    let red = ids(
        &app,
        &office,
        &format!("light=red&status=open&per_page=3&within={dalian}"),
    )
    .await;
    assert_eq!(red.len(), 3, "three red items in Dalian");
    let audit_before = app.audit_count().await;

    let (s, v) = batch(
        &app,
        &office,
        json!({ "action": "urge", "ids": red, "note": "请本周内整改到位" }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["done"], 3, "{v}");
    for r in v["results"].as_array().expect("results") {
        assert_eq!(r["ok"], true, "{r}");
        assert!(r["title"].as_str().is_some_and(|t| !t.is_empty()));
    }
    assert!(
        app.audit_count().await >= audit_before + 3,
        "one record per item"
    );

    // Again today: each refused with the reason, in words.
    let (_, v) = batch(&app, &office, json!({ "action": "urge", "ids": red })).await;
    assert_eq!(v["refused"], 3, "{v}");
    assert_eq!(v["results"][0]["code"], "already_urged_today");
    assert!(v["results"][0]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));

    // A city office's batch over the province's items: what is not theirs is not found, and
    // nothing of it changes.
    let province = ids(&app, &office, "status=assigned&per_page=50").await;
    let theirs = ids(&app, &shenyang, "status=assigned&per_page=50").await;
    let foreign: Vec<i64> = province
        .iter()
        .copied()
        .filter(|i| !theirs.contains(i))
        .take(2)
        .collect();
    assert!(!foreign.is_empty());
    let (s, v) = batch(
        &app,
        &shenyang,
        json!({ "action": "send_back", "ids": foreign, "reason": "试图越权" }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["done"], 0, "{v}");
    for r in v["results"].as_array().expect("results") {
        assert_eq!(r["code"], "not_found", "{r}");
        assert_eq!(r["title"], "", "nothing of a foreign item is told");
    }
}

#[tokio::test]
async fn a_reason_is_asked_for_before_any_item_changes_and_a_liaison_signs_off_in_one_step() {
    let app = full().await;
    let office = app.demo("office").await;
    let review = ids(&app, &office, "status=close_out_requested&per_page=5").await;
    assert!(!review.is_empty());
    let (s, v) = batch(
        &app,
        &office,
        json!({ "action": "send_back", "ids": review, "reason": "  " }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        ids(&app, &office, "status=close_out_requested&per_page=5").await,
        review,
        "nothing changed"
    );
    let (s, _) = batch(&app, &office, json!({ "action": "fly", "ids": review })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = batch(&app, &office, json!({ "action": "urge", "ids": [] })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // The liaison signs off every item awaiting it, from the page, by "all that match".
    let dalian = app.demo("dalian_liaison").await;
    let waiting = ids(&app, &dalian, "status=assigned").await;
    assert!(waiting.len() >= 2, "{waiting:?}");
    let r = dalian
        .post(app.url("/ledger/batch"))
        .form(&[
            ("action", "sign_off"),
            ("all", "1"),
            ("filter", "status=assigned"),
        ])
        .send()
        .await
        .expect("batch");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("html");
    assert!(html.contains("id=\"batch-results\""));
    assert_eq!(
        html.matches("data-ok=\"true\"").count(),
        waiting.len(),
        "{html}"
    );
    assert!(ids(&app, &dalian, "status=assigned").await.is_empty());

    // Ticked rows, one refused (already signed off): its reason is shown.
    let r = dalian
        .post(app.url("/ledger/batch"))
        .form(&[("action", "sign_off"), ("ids", &waiting[0].to_string())])
        .send()
        .await
        .expect("batch");
    let html = r.text().await.expect("html");
    assert!(html.contains("data-ok=\"false\""), "{html}");

    // The ledger offers the bar with row checkboxes; nothing selected is refused in words.
    let r = dalian.get(app.url("/ledger")).send().await.expect("ledger");
    let html = r.text().await.expect("html");
    assert!(html.contains("id=\"batch-form\"") && html.contains("name=\"ids\""));
    let r = dalian
        .post(app.url("/ledger/batch"))
        .form(&[("action", "sign_off"), ("filter", "status=open")])
        .send()
        .await
        .expect("batch");
    assert!(r.status().is_redirection());
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(to, "/ledger?status=open&refused=batch_nothing_selected");

    // Export of the selection: a workbook of exactly those rows.
    let r = dalian
        .post(app.url("/ledger/batch"))
        .form(&[
            ("action", "export"),
            ("ids", &waiting[0].to_string()),
            ("ids", &waiting[1].to_string()),
        ])
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("xlsx");
    assert_eq!(&bytes[..2], b"PK", "a workbook");
}
