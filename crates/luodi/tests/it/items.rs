//! The ledger through the API: the whole lifecycle with its actor rules, evidence, no lost
//! updates, roll-ups from counters (also across an org move), and lights at chosen instants.

use crate::helpers::{json, TestApp, PW};
use chrono::{TimeZone, Utc};
use luodi_domain::FixedClock;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn campaign(app: &TestApp, c: &Client) -> i64 {
    let (_, v) = json(
        c.get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("campaigns"),
    )
    .await;
    v["items"][0]["id"].as_i64().expect("the demo campaign")
}

async fn new_item(app: &TestApp, c: &Client, lead: &str, due: &str, extra: Value) -> Value {
    // The owner works in the transport department's highway bureau: a responsible person only
    // of items of that department.
    let owner = if lead.starts_with("D-TRANSPORT") {
        json!(app.user_id("owner").await)
    } else {
        Value::Null
    };
    let mut body = json!({
        "campaign_id": campaign(app, c).await,
        "kind": "rectification",
        "title": "高速公路省界收费站撤除后交通组织不畅",
        "phase": "rectification",
        "source": "self_examination",
        "item_type": "time_limited",
        "lead_org_id": app.org_id(lead).await,
        "responsible_person": "孙伟",
        "responsible_user_id": owner,
        "due_on": due,
        "measures": ["优化省界站区交通组织方案", "增设电子标志与诱导屏"],
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let (s, v) = json(
        c.post(app.url("/api/v1/items"))
            .json(&body)
            .send()
            .await
            .expect("create"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn step(app: &TestApp, c: &Client, item: &Value, body: Value) -> (StatusCode, Value) {
    let id = item["id"].as_i64().expect("id");
    let mut b = body;
    b["version"] = item["version"].clone();
    json(
        c.post(app.url(&format!("/api/v1/items/{id}/transitions")))
            .json(&b)
            .send()
            .await
            .expect("step"),
    )
    .await
}

async fn upload(
    app: &TestApp,
    c: &Client,
    id: i64,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    let form = Form::new().part(
        "file",
        Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
    );
    json(
        c.post(app.url(&format!("/api/v1/items/{id}/evidence")))
            .multipart(form)
            .send()
            .await
            .expect("upload"),
    )
    .await
}

async fn get(app: &TestApp, c: &Client, id: i64) -> Value {
    json(
        c.get(app.url(&format!("/api/v1/items/{id}")))
            .send()
            .await
            .expect("get"),
    )
    .await
    .1
}

#[tokio::test]
async fn a_rectification_item_from_record_to_close_out() {
    let app = TestApp::seeded().await;
    let liaison = app.demo("liaison").await;
    let sup = app.demo("supervisor").await;
    let item = new_item(&app, &liaison, "D-TRANSPORT-HWY", "2099-12-31", json!({})).await;
    let id = item["id"].as_i64().expect("id");
    assert_eq!(
        item["status"], "in_progress",
        "recorded by the responsible unit itself"
    );
    assert_eq!(item["measures"].as_array().map(Vec::len), Some(2));
    assert_eq!(item["light"], "green");

    // No close-out without evidence.
    let (s, v) = step(
        &app,
        &liaison,
        &item,
        json!({"action": "request_close_out"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("evidence_required"))
    );
    let (s, v) = json(liaison.post(app.url(&format!("/api/v1/items/{id}/notes"))).json(&json!({"text": "已完成方案编制", "progress_percent": 60, "version": item["version"]})).send().await.expect("note")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["progress_percent"], 60);
    let (s, a) = upload(&app, &liaison, id, "整改报告.pdf", PDF).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let item = get(&app, &liaison, id).await;
    assert_eq!(item["evidence_count"], 1);
    let (s, item) = step(
        &app,
        &liaison,
        &item,
        json!({"action": "request_close_out"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{item}");
    assert_eq!(item["status"], "close_out_requested");

    // The unit cannot close its own item; the supervisor sends it back with a reason…
    let (s, v) = step(&app, &liaison, &item, json!({"action": "close"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_supervisor"))
    );
    let (s, v) = step(&app, &sup, &item, json!({"action": "send_back"})).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required: {v}"
    );
    let (s, item) = step(
        &app,
        &sup,
        &item,
        json!({"action": "send_back", "reason": "佐证材料不完整"}),
    )
    .await;
    assert_eq!(
        (s, item["status"].as_str()),
        (StatusCode::OK, Some("in_progress"))
    );
    // …it is resubmitted and closed.
    let (_, item) = step(
        &app,
        &liaison,
        &item,
        json!({"action": "request_close_out"}),
    )
    .await;
    let (s, item) = step(&app, &sup, &item, json!({"action": "close"})).await;
    assert_eq!(s, StatusCode::OK, "{item}");
    assert_eq!(
        (
            item["status"].as_str(),
            item["light"].as_str(),
            item["timeliness"].as_str()
        ),
        (Some("closed"), Some("green"), Some("closed_on_time"))
    );
    let actions: Vec<&str> = item["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        vec![
            "create",
            "add_evidence",
            "request_close_out",
            "send_back",
            "request_close_out",
            "close"
        ]
    );
    assert_eq!(item["events"][3]["reason"], "佐证材料不完整");
    assert_eq!(
        item["allowed"],
        json!(["reopen"]),
        "a re-check is not due yet"
    );

    // The ledger shows it green and closed, and the transport department's roll-up counts it.
    let (_, list) = json(
        liaison
            .get(app.url("/api/v1/items?light=green&status=closed"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert!(list["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|i| i["id"] == id));
    let dept = app.org_id("D-TRANSPORT").await;
    let (_, roll) = json(
        liaison
            .get(app.url(&format!("/api/v1/orgs/{dept}/rollup")))
            .send()
            .await
            .expect("rollup"),
    )
    .await;
    assert_eq!(
        (
            roll["total"].as_i64(),
            roll["by_status"]["closed"].as_i64(),
            roll["on_time_rate"].as_f64()
        ),
        (Some(1), Some(1), Some(1.0))
    );
    let root = app.org_id("210000").await;
    let (_, roll) = json(
        sup.get(app.url(&format!("/api/v1/orgs/{root}/rollup")))
            .send()
            .await
            .expect("rollup"),
    )
    .await;
    assert_eq!(roll["by_light"]["green"], 1);
}

#[tokio::test]
async fn the_person_responsible_never_reviews_their_own_close_out() {
    let app = TestApp::seeded().await;
    // A supervisor of the archives who works there is also named as the responsible person
    // (a responsible person is always someone of the unit).
    let cli = luodi_service::Actor::cli();
    let archives = app.org_id("D-ARCHIVES").await;
    let (acct, _) = luodi_service::accounts::create(
        &app.svc,
        &cli,
        luodi_service::accounts::NewAccount {
            username: "archives_sup".into(),
            display_name: "档案馆督导".into(),
            org_id: Some(archives),
            password: Some(PW.into()),
        },
    )
    .await
    .expect("account");
    luodi_service::accounts::grant_by_code(
        &app.svc,
        &cli,
        "archives_sup",
        "supervisor",
        Some("D-ARCHIVES"),
    )
    .await
    .expect("grant");
    let c = app.demo("archives_sup").await;
    let new = "Kettle#2027-sup";
    let r = c
        .post(app.url("/api/v1/me/password"))
        .json(&json!({ "current_password": PW, "new_password": new }))
        .send()
        .await
        .expect("change");
    assert!(r.status().is_success());
    let sup = c;
    let item = new_item(
        &app,
        &sup,
        "D-ARCHIVES",
        "2099-06-30",
        json!({"responsible_user_id": acct.user.id, "issue": true}),
    )
    .await;
    assert_eq!(
        item["status"], "assigned",
        "a supervisor's item issued at once"
    );
    let liaison = app.demo("archives_liaison").await;
    let (_, item) = step(&app, &liaison, &item, json!({"action": "sign_off"})).await;
    let id = item["id"].as_i64().expect("id");
    upload(&app, &liaison, id, "材料.pdf", PDF).await;
    let item = get(&app, &liaison, id).await;
    let (_, item) = step(
        &app,
        &liaison,
        &item,
        json!({"action": "request_close_out"}),
    )
    .await;
    for action in ["close", "start_review", "send_back"] {
        let (s, v) = step(&app, &sup, &item, json!({"action": action, "reason": "x"})).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("own_review")),
            "{action}"
        );
    }
    let office = app.demo("office").await;
    let (s, item) = step(&app, &office, &item, json!({"action": "close"})).await;
    assert_eq!(
        (s, item["status"].as_str()),
        (StatusCode::OK, Some("closed"))
    );
}

#[tokio::test]
async fn evidence_is_checked_by_content_and_never_served_inline() {
    let app = TestApp::seeded().await;
    let liaison = app.demo("liaison").await;
    let item = new_item(&app, &liaison, "D-TRANSPORT", "2099-12-31", json!({})).await;
    let id = item["id"].as_i64().expect("id");
    let (s, v) = upload(
        &app,
        &liaison,
        id,
        "报告.pdf",
        b"<html><script>alert(1)</script></html>",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, _) = upload(
        &app,
        &liaison,
        id,
        "照片.pdf",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(get(&app, &liaison, id).await["evidence_count"], 0);
    let (s, a) = upload(&app, &liaison, id, "整改报告.pdf", PDF).await;
    assert_eq!(s, StatusCode::CREATED);
    let aid = a["id"].as_i64().expect("id");
    let r = liaison
        .get(app.url(&format!("/api/v1/attachments/{aid}")))
        .send()
        .await
        .expect("download");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap_or("")
        .starts_with("attachment;"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.expect("bytes").as_ref(), PDF);
    // The file is on disk under its hash, outside the database.
    assert!(
        app.svc
            .files
            .exists(a["sha256"].as_str().expect("sha"))
            .await
    );

    // Outside the subtree: not found, whatever the step.
    for who in ["dalian_liaison", "shenyang_office"] {
        let c = app.demo(who).await;
        assert_eq!(
            c.get(app.url(&format!("/api/v1/attachments/{aid}")))
                .send()
                .await
                .expect("get")
                .status(),
            StatusCode::NOT_FOUND,
            "{who}"
        );
        assert_eq!(
            c.get(app.url(&format!("/api/v1/items/{id}")))
                .send()
                .await
                .expect("get")
                .status(),
            StatusCode::NOT_FOUND,
            "{who}"
        );
        let (s, _) = step(
            &app,
            &c,
            &item,
            json!({"action": "withdraw", "reason": "越权"}),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{who}");
        let (s, _) = upload(&app, &c, id, "x.pdf", PDF).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{who}");
        let r = c
            .post(app.url(&format!("/api/v1/items/{id}/notes")))
            .json(&json!({"text": "x", "version": 1}))
            .send()
            .await
            .expect("note");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}");
        let (_, list) = json(
            c.get(app.url("/api/v1/items?per_page=500"))
                .send()
                .await
                .expect("list"),
        )
        .await;
        assert!(
            list["items"]
                .as_array()
                .expect("items")
                .iter()
                .all(|i| i["id"] != id),
            "{who}: the ledger leaked it"
        );
        let dept = app.org_id("D-TRANSPORT").await;
        assert_eq!(
            c.get(app.url(&format!("/api/v1/orgs/{dept}/rollup")))
                .send()
                .await
                .expect("rollup")
                .status(),
            StatusCode::NOT_FOUND
        );
        let r = c.post(app.url("/api/v1/items")).json(&json!({"campaign_id": 1, "kind": "task", "title": "越权", "phase": "study", "source": "inspection", "item_type": "immediate", "lead_org_id": dept, "responsible_person": "x", "due_on": "2099-01-01"})).send().await.expect("create");
        assert!(
            matches!(r.status().as_u16(), 403 | 404 | 422),
            "{who}: {}",
            r.status()
        );
    }
}

#[tokio::test]
async fn two_steps_from_one_version_one_wins() {
    let app = TestApp::seeded().await;
    let liaison = app.demo("liaison").await;
    let sup = app.demo("supervisor").await;
    let item = new_item(&app, &liaison, "D-TRANSPORT", "2099-12-31", json!({})).await;
    let a = step(
        &app,
        &sup,
        &item,
        json!({"action": "suspend", "reason": "暂缓"}),
    );
    let b = step(
        &app,
        &sup,
        &item,
        json!({"action": "withdraw", "reason": "撤销"}),
    );
    let ((sa, _), (sb, _)) = tokio::join!(a, b);
    let mut codes = vec![sa.as_u16(), sb.as_u16()];
    codes.sort();
    assert_eq!(codes, vec![200, 409]);
    let now = get(&app, &sup, item["id"].as_i64().expect("id")).await;
    assert_eq!(now["version"], 2);
    assert_eq!(
        now["events"].as_array().map(Vec::len),
        Some(2),
        "exactly one step recorded after create"
    );
}

#[tokio::test]
async fn roll_ups_follow_items_and_org_moves() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    for (lead, due) in [
        ("D-TRANSPORT-HWY", "2099-01-01"),
        ("D-TRANSPORT-HWY", "2099-02-01"),
        ("D-ARCHIVES", "2099-03-01"),
    ] {
        new_item(&app, &office, lead, due, json!({"issue": true})).await;
    }
    let rollup = |code: &'static str| {
        let app = &app;
        let office = &office;
        async move {
            let id = app.org_id(code).await;
            json(
                office
                    .get(app.url(&format!("/api/v1/orgs/{id}/rollup")))
                    .send()
                    .await
                    .expect("rollup"),
            )
            .await
            .1
        }
    };
    assert_eq!(rollup("210000").await["total"], 3);
    assert_eq!(rollup("D-TRANSPORT").await["total"], 2);
    assert_eq!(rollup("D-TRANSPORT").await["by_status"]["assigned"], 2);
    assert_eq!(rollup("D-ARCHIVES").await["total"], 1);
    // Move the expressway administration under the archives: its two items move with it.
    let hwy = app.org_id("D-TRANSPORT-HWY").await;
    let r = office
        .post(app.url(&format!("/api/v1/orgs/{hwy}/move")))
        .json(&json!({"parent_id": app.org_id("D-ARCHIVES").await, "version": 1}))
        .send()
        .await
        .expect("move");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(rollup("D-TRANSPORT").await["total"], 0);
    assert_eq!(rollup("D-ARCHIVES").await["total"], 3);
    assert_eq!(rollup("210000").await["total"], 3);
    let (_, list) = json(
        office
            .get(app.url(&format!(
                "/api/v1/items?within={}",
                app.org_id("D-ARCHIVES").await
            )))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(list["total"], 3, "the ledger scope follows the move too");
}

#[tokio::test]
async fn lights_change_with_the_clock_and_on_time_uses_the_original_deadline() {
    // 2026-10-01 09:00 in Shanghai.
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 10, 1, 1, 0, 0)
            .single()
            .expect("t"),
    ));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let liaison = app.demo("liaison").await;
    let item = new_item(&app, &liaison, "D-TRANSPORT", "2026-10-20", json!({})).await;
    let id = item["id"].as_i64().expect("id");
    let dept = app.org_id("D-TRANSPORT").await;
    // Moving the clock by days ends sessions (idle timeout), so each look signs in afresh.
    let light = || async { get(&app, &app.demo("liaison").await, id).await };
    let reds = || async {
        json(
            app.demo("liaison")
                .await
                .get(app.url(&format!("/api/v1/orgs/{dept}/rollup")))
                .send()
                .await
                .expect("rollup"),
        )
        .await
        .1
    };
    assert_eq!(light().await["light"], "green");
    // Progress noted, so only the deadline matters.
    json(
        liaison
            .post(app.url(&format!("/api/v1/items/{id}/notes")))
            .json(&json!({"text": "进展顺利", "progress_percent": 80, "version": 1}))
            .send()
            .await
            .expect("note"),
    )
    .await;
    clock.set(
        Utc.with_ymd_and_hms(2026, 10, 17, 1, 0, 0)
            .single()
            .expect("t"),
    );
    let v = light().await;
    assert_eq!(
        (v["light"].as_str(), v["timeliness"].as_str()),
        (Some("yellow"), Some("due_soon"))
    );
    assert_eq!(reds().await["due_soon"], 1);
    // The deadline passes at midnight in Shanghai, not in UTC.
    clock.set(
        Utc.with_ymd_and_hms(2026, 10, 20, 15, 59, 0)
            .single()
            .expect("t"),
    );
    assert_eq!(light().await["light"], "yellow");
    clock.set(
        Utc.with_ymd_and_hms(2026, 10, 20, 16, 0, 0)
            .single()
            .expect("t"),
    );
    let v = light().await;
    assert_eq!(
        (v["light"].as_str(), v["timeliness"].as_str()),
        (Some("red"), Some("overdue"))
    );
    let r = reds().await;
    assert_eq!(
        (
            r["by_light"]["red"].as_i64(),
            r["overdue"].as_i64(),
            r["due_so_far"].as_i64()
        ),
        (Some(1), Some(1), Some(1))
    );
    // An approved extension moves the deadline in force: no longer overdue.
    let liaison = app.demo("liaison").await;
    let sup = app.demo("supervisor").await;
    let (s, v) = step(&app, &liaison, &v, json!({"action": "request_extension", "new_due_on": "2026-11-30", "reason": "需协调省级部门"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = step(&app, &sup, &v, json!({"action": "approve_extension"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["light"].as_str(),
            v["due_on"].as_str(),
            v["original_due_on"].as_str()
        ),
        (Some("green"), Some("2026-11-30"), Some("2026-10-20"))
    );
    assert_eq!(v["revisions"][0]["old_due_on"], "2026-10-20");
    assert_eq!(v["revisions"][0]["approved_by"], "supervisor");
    // Closed after the original deadline: late, whatever the extension.
    upload(&app, &liaison, id, "材料.pdf", PDF).await;
    let v = get(&app, &liaison, id).await;
    let (_, v) = step(&app, &liaison, &v, json!({"action": "request_close_out"})).await;
    let (s, v) = step(&app, &sup, &v, json!({"action": "close"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["timeliness"], "closed_late");
    let r = reds().await;
    assert_eq!(
        (
            r["closed_late"].as_i64(),
            r["on_time_rate"].as_f64(),
            r["by_light"]["green"].as_i64()
        ),
        (Some(1), Some(0.0), Some(1))
    );
}

async fn upload_ledger(
    app: &TestApp,
    c: &Client,
    campaign: i64,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    json(
        c.post(app.url(&format!("/api/v1/items/import?campaign_id={campaign}")))
            .multipart(form)
            .send()
            .await
            .expect("import"),
    )
    .await
}

#[tokio::test]
async fn the_ledger_goes_out_to_excel_and_comes_back() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let cid = campaign(&app, &office).await;
    new_item(
        &app,
        &office,
        "D-TRANSPORT-HWY",
        "2099-01-01",
        json!({"issue": true}),
    )
    .await;
    new_item(
        &app,
        &office,
        "D-ARCHIVES",
        "2099-02-01",
        json!({"issue": true, "title": "档案数字化进度滞后", "measures": ["制定数字化计划"]}),
    )
    .await;
    let r = office
        .get(app.url("/api/v1/items/export.xlsx"))
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap_or("")
        .starts_with("attachment"));
    let xlsx = r.bytes().await.expect("bytes").to_vec();
    let parsed = luodi_office::ledger::parse(&xlsx, "t.xlsx", &Default::default())
        .expect("the export parses as an import");
    assert_eq!(parsed.len(), 2);
    let hwy = parsed
        .iter()
        .find(|p| p.org_code == "D-TRANSPORT-HWY")
        .expect("row");
    assert_eq!(
        hwy.measures,
        vec!["优化省界站区交通组织方案", "增设电子标志与诱导屏"],
        "two measures, in order, from merged rows"
    );
    assert_eq!(
        (hwy.person.as_str(), hwy.due_on.to_string().as_str()),
        ("孙伟", "2099-01-01")
    );

    // Importing the export adds the same items again.
    let before = json(
        office
            .get(app.url("/api/v1/items"))
            .send()
            .await
            .expect("list"),
    )
    .await
    .1["total"]
        .as_i64();
    let (s, v) = upload_ledger(&app, &office, cid, "台账.xlsx", xlsx.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["created"], 2);
    let (_, list) = json(
        office
            .get(app.url("/api/v1/items?q=档案数字化"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["status"], "assigned");
    let root = app.org_id("210000").await;
    let (_, roll) = json(
        office
            .get(app.url(&format!("/api/v1/orgs/{root}/rollup")))
            .send()
            .await
            .expect("rollup"),
    )
    .await;
    assert_eq!(
        roll["total"].as_i64(),
        before.map(|b| b + 2),
        "counters include imported items"
    );

    // A liaison's export holds only its own subtree.
    let liaison = app.demo("archives_liaison").await;
    let xlsx = liaison
        .get(app.url("/api/v1/items/export.xlsx"))
        .send()
        .await
        .expect("export")
        .bytes()
        .await
        .expect("bytes")
        .to_vec();
    let mine = luodi_office::ledger::parse(&xlsx, "t.xlsx", &Default::default()).expect("parse");
    assert!(
        !mine.is_empty() && mine.iter().all(|p| p.org_code == "D-ARCHIVES"),
        "{:?}",
        mine.iter().map(|p| &p.org_code).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_bad_ledger_imports_nothing_and_says_where() {
    let app = TestApp::seeded().await;
    let c = app.demo("shenyang_office").await;
    let cid = campaign(&app, &c).await;
    let before = app.snapshot().await;
    let count = || async {
        json(
            app.demo("office")
                .await
                .get(app.url("/api/v1/items"))
                .send()
                .await
                .expect("list"),
        )
        .await
        .1["total"]
            .as_i64()
    };
    let n0 = count().await;
    let csv = "序号,类型,问题来源,问题描述,整改措施,责任单位编码,责任人,完成时限\n\
               1,整改事项,自查自纠,科技项目服务不到位,建立项目专员制度,210100-SCITECH,马丽,2026-12-31\n\
               ,,,,完善服务台账,,,\n\
               2,整改事项,自查自纠,审批时限过长,压缩审批时限,210100-SCITECH,马丽,2026-13-45\n\
               3,整改事项,自查自纠,外市事项,越权登记,210200-BIZENV,郑敏,2026-12-31\n\
               4,整改事项,自查自纠,编码错误,整改,NOPE-1,张三,2026-12-31\n";
    let (s, v) = upload_ledger(&app, &c, cid, "台账.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let rows = v["details"]["rows"].as_array().expect("rows");
    assert!(
        rows.iter()
            .any(|r| r["row"] == 4 && r["column"] == "H" && r["code"] == "bad_date"),
        "{v}"
    );
    // The field check fails first; fixed, the org check names the foreign and the unknown unit.
    let csv = csv.replace("2026-13-45", "2026-12-31");
    let (s, v) = upload_ledger(&app, &c, cid, "台账.csv", csv.into_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let rows = v["details"]["rows"].as_array().expect("rows");
    assert!(
        rows.iter()
            .any(|r| r["row"] == 5 && r["column"] == "F" && r["code"] == "unknown_org"),
        "a foreign unit reads as unknown: {v}"
    );
    assert!(
        rows.iter()
            .any(|r| r["row"] == 6 && r["column"] == "F" && r["code"] == "unknown_org"),
        "{v}"
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(count().await, n0, "nothing imported");
    assert_eq!(app.snapshot().await, before);
    // A file that is no workbook at all.
    let (s, _) = upload_ledger(
        &app,
        &c,
        cid,
        "台账.xlsx",
        b"PK\x03\x04 not really a zip".to_vec(),
    )
    .await;
    assert!(s.is_client_error());
    assert_eq!(count().await, n0);
}

#[tokio::test]
async fn the_demo_ledger_shows_every_state_and_light() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let (_, list) = json(
        office
            .get(app.url("/api/v1/items?per_page=500"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let items = list["items"].as_array().expect("items");
    assert!(items.len() >= 30, "{}", items.len());
    for status in [
        "assigned",
        "returned",
        "in_progress",
        "close_out_requested",
        "under_review",
        "closed",
        "verified",
        "suspended",
    ] {
        assert!(
            items.iter().any(|i| i["status"] == status),
            "a demo item is {status}"
        );
    }
    for light in ["green", "yellow", "red"] {
        assert!(
            items.iter().any(|i| i["light"] == light),
            "a demo item is {light}"
        );
    }
    assert!(items.iter().any(|i| i["timeliness"] == "closed_late"));
    assert!(items
        .iter()
        .any(|i| i["title"] == "推进100个高频事项“最多跑一次”"));
    assert!(items.iter().any(|i| i["title"] == "取消高速公路省界收费站"));
    // The province's roll-up agrees with the list, counted by hand.
    let root = app.org_id("210000").await;
    let (_, roll) = json(
        office
            .get(app.url(&format!("/api/v1/orgs/{root}/rollup")))
            .send()
            .await
            .expect("rollup"),
    )
    .await;
    let by = |l: &str| items.iter().filter(|i| i["light"] == l).count() as i64;
    assert_eq!(
        (
            roll["by_light"]["red"].as_i64(),
            roll["by_light"]["yellow"].as_i64(),
            roll["by_light"]["green"].as_i64()
        ),
        (Some(by("red")), Some(by("yellow")), Some(by("green")))
    );
    assert_eq!(
        roll["total"].as_i64(),
        Some(items.iter().filter(|i| i["status"] != "withdrawn").count() as i64)
    );
    assert_eq!(
        roll["overdue"].as_i64(),
        Some(
            items
                .iter()
                .filter(|i| i["timeliness"] == "overdue")
                .count() as i64
        )
    );
}

#[tokio::test]
async fn a_task_progresses_with_its_subtasks() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let owner = app.demo("owner").await;
    let task = new_item(
        &app,
        &office,
        "D-TRANSPORT-HWY",
        "2099-12-31",
        json!({"kind": "task", "title": "取消高速公路省界收费站", "measures": [], "issue": true}),
    )
    .await;
    let tid = task["id"].as_i64().expect("id");
    let mut subs = Vec::new();
    for t in ["拆除万家省界收费站", "ETC门架系统联调"] {
        let s = new_item(
            &app,
            &office,
            "D-TRANSPORT-HWY",
            "2099-06-30",
            json!({"kind": "task", "title": t, "measures": [], "issue": true, "parent_id": tid}),
        )
        .await;
        let (_, s) = step(&app, &owner, &s, json!({"action": "sign_off"})).await;
        subs.push(s);
    }
    assert_eq!(
        get(&app, &office, tid).await["children"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    for (i, s) in subs.iter().enumerate() {
        let id = s["id"].as_i64().expect("id");
        upload(&app, &owner, id, "完成情况.pdf", PDF).await;
        let s = get(&app, &owner, id).await;
        let (_, s) = step(&app, &owner, &s, json!({"action": "request_close_out"})).await;
        let (st, _) = step(&app, &office, &s, json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::OK);
        let parent = get(&app, &office, tid).await;
        assert_eq!(
            parent["progress_percent"],
            [50, 100][i],
            "by count: {} of 2 subtasks done",
            i + 1
        );
    }
}

async fn patch(app: &TestApp, c: &Client, item: &Value, body: Value) -> (StatusCode, Value) {
    let id = item["id"].as_i64().expect("id");
    let mut b = body;
    b["version"] = item["version"].clone();
    json(
        c.patch(app.url(&format!("/api/v1/items/{id}")))
            .json(&b)
            .send()
            .await
            .expect("patch"),
    )
    .await
}

#[tokio::test]
async fn items_are_edited_within_the_rules_and_reassigned_after_a_return() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let liaison = app.demo("liaison").await;
    let item = new_item(
        &app,
        &office,
        "D-TRANSPORT",
        "2099-05-31",
        json!({"milestones": [{"title": "完成方案", "due_on": "2099-03-01"}]}),
    )
    .await;
    assert_eq!(item["status"], "draft");
    // A draft's deadline may move; the measures and fields change; a rectification item keeps measures.
    let (s, item) = patch(&app, &office, &item, json!({"due_on": "2099-06-30", "title": "省界站撤除后交通组织不畅（修订）", "measures": ["优化交通组织方案"]})).await;
    assert_eq!(s, StatusCode::OK, "{item}");
    assert_eq!(
        (
            item["due_on"].as_str(),
            item["original_due_on"].as_str(),
            item["measures"].as_array().map(Vec::len)
        ),
        (Some("2099-06-30"), Some("2099-06-30"), Some(1))
    );
    let (s, v) = patch(&app, &office, &item, json!({"measures": []})).await;
    assert_eq!(
        (s, v["details"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("measures"))
    );
    // Issued: the deadline is fixed (extensions only), and the unit may only mark milestones done.
    let (_, item) = step(&app, &office, &item, json!({"action": "assign"})).await;
    let (s, v) = patch(&app, &office, &item, json!({"due_on": "2099-12-31"})).await;
    assert_eq!(
        (s, v["details"]["fields"][0]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("deadline_needs_extension")
        )
    );
    let (s, v) = patch(&app, &liaison, &item, json!({"title": "改标题"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_supervisor"))
    );
    let (s, item) = patch(&app, &liaison, &item, json!({"milestones": [{"title": "完成方案", "due_on": "2099-03-01", "done_on": "2099-02-20"}]})).await;
    assert_eq!(s, StatusCode::OK, "{item}");
    assert_eq!(item["milestones"][0]["done_on"], "2099-02-20");
    // Returned as not ours: the office gives it to another unit, and reassigns it.
    let (_, item) = step(
        &app,
        &liaison,
        &item,
        json!({"action": "return_not_ours", "reason": "属港航管理处职责"}),
    )
    .await;
    assert_eq!(item["status"], "returned");
    let port = app.org_id("D-TRANSPORT-PORT").await;
    let (s, item) = patch(&app, &office, &item, json!({"lead_org_id": port, "responsible_person": "港航联络员", "responsible_user_id": null})).await;
    assert_eq!(s, StatusCode::OK, "{item}");
    assert_eq!(
        (
            item["lead_org_code"].as_str(),
            item["responsible_user_id"].is_null()
        ),
        (Some("D-TRANSPORT-PORT"), true)
    );
    let (s, item) = step(&app, &office, &item, json!({"action": "reassign"})).await;
    assert_eq!(
        (s, item["status"].as_str()),
        (StatusCode::OK, Some("assigned"))
    );
    let (_, roll) = json(
        office
            .get(app.url(&format!("/api/v1/orgs/{port}/rollup")))
            .send()
            .await
            .expect("rollup"),
    )
    .await;
    assert_eq!(roll["total"], 1, "counters moved with the unit");
    // Someone outside cannot edit at all.
    let dalian = app.demo("dalian_liaison").await;
    let (s, _) = patch(&app, &dalian, &item, json!({"title": "越权"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let edits: Vec<&str> = item["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| *a == "edit")
        .collect();
    assert_eq!(edits.len(), 3, "every edit is on the timeline");
}

#[tokio::test]
async fn a_special_programme_counts_its_measures_by_area() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let (s, list) = json(
        office
            .get(app.url("/api/v1/programmes"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let pid = list[0]["id"].as_i64().expect("the demo programme");
    let (_, p) = json(
        office
            .get(app.url(&format!("/api/v1/programmes/{pid}")))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(p["name"], "营商环境建设突出问题专项整治");
    let areas = p["areas"].as_array().expect("areas");
    assert_eq!(areas.len(), 4, "four areas (整治内容)");
    assert!(
        areas.iter().all(|a| a["total"] == 5),
        "five measures each: {p}"
    );
    let done: i64 = areas.iter().filter_map(|a| a["done"].as_i64()).sum();
    assert!(done >= 4, "closed measures counted: {p}");
    let area = areas[0]["id"].as_i64().expect("area");
    let (_, items) = json(
        office
            .get(app.url(&format!("/api/v1/items?programme_area_id={area}")))
            .send()
            .await
            .expect("items"),
    )
    .await;
    assert_eq!(items["total"], 5);
    // Dalian's unit sees its programme; another city does not.
    let dalian = app.demo("dalian_liaison").await;
    assert_eq!(
        dalian
            .get(app.url(&format!("/api/v1/programmes/{pid}")))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::OK
    );
    let shenyang = app.demo("shenyang_office").await;
    assert_eq!(
        shenyang
            .get(app.url(&format!("/api/v1/programmes/{pid}")))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, theirs) = json(
        shenyang
            .get(app.url("/api/v1/programmes"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert!(theirs
        .as_array()
        .expect("list")
        .iter()
        .all(|p| p["id"] != pid));
    // An item of another campaign cannot be a measure of this programme.
    let root = app.org_id("210000").await;
    let (s, other) = json(office.post(app.url("/api/v1/campaigns")).json(&json!({"owner_org_id": root, "name": "另一项专项行动", "starts_on": "2026-01-01", "ends_on": "2026-12-31"})).send().await.expect("campaign")).await;
    assert_eq!(s, StatusCode::CREATED);
    let body = json!({"campaign_id": other["id"], "kind": "task", "title": "x", "phase": "study", "source": "inspection", "item_type": "immediate",
        "lead_org_id": app.org_id("210200-BIZENV").await, "responsible_person": "郑敏", "due_on": "2099-01-01", "programme_area_id": area});
    let (s, v) = json(
        office
            .post(app.url("/api/v1/items"))
            .json(&body)
            .send()
            .await
            .expect("create"),
    )
    .await;
    assert_eq!(
        (s, v["details"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("programme_area_id"))
    );
    // Creating one needs areas, and the right to supervise the owner.
    let (s, _) = json(office.post(app.url("/api/v1/programmes")).json(&json!({"campaign_id": other["id"], "owner_org_id": root, "name": "空", "areas": []})).send().await.expect("create")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let liaison = app.demo("dalian_liaison").await;
    let (s, _) = json(liaison.post(app.url("/api/v1/programmes")).json(&json!({"campaign_id": other["id"], "owner_org_id": app.org_id("210200-BIZENV").await, "name": "x", "areas": ["a"]})).send().await.expect("create")).await;
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{s}"
    );
}

#[tokio::test]
async fn large_imports_run_as_jobs_with_progress() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let cid = campaign(&app, &office).await;
    let mut csv = String::from("问题描述,整改措施,责任单位编码,责任人,完成时限,问题来源\n");
    for i in 0..2000 {
        csv.push_str(&format!(
            "第{i}号问题,整改措施{i},D-TRANSPORT,刘洋,2099-12-31,调研发现\n"
        ));
    }
    let form = Form::new().part(
        "file",
        Part::bytes(csv.clone().into_bytes()).file_name("big.csv"),
    );
    let (s, v) = json(
        office
            .post(app.url(&format!(
                "/api/v1/items/import?campaign_id={cid}&async=true"
            )))
            .multipart(form)
            .send()
            .await
            .expect("import"),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let job = v["job_id"].as_u64().expect("job id");
    let mut last = Value::Null;
    for _ in 0..600 {
        let (s, j) = json(
            office
                .get(app.url(&format!("/api/v1/jobs/{job}")))
                .send()
                .await
                .expect("job"),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        last = j;
        if last["phase"] == "done" || last["phase"] == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        (
            last["phase"].as_str(),
            last["result"]["created"].as_u64(),
            last["total"].as_u64()
        ),
        (Some("done"), Some(2000), Some(2000)),
        "{last}"
    );
    // Only its owner sees a job.
    let other = app.demo("liaison").await;
    assert_eq!(
        other
            .get(app.url(&format!("/api/v1/jobs/{job}")))
            .send()
            .await
            .expect("job")
            .status(),
        StatusCode::NOT_FOUND
    );

    // Through the page: the upload lands on the job's page, which ends with the errors by row.
    let bad = csv.replace(
        "第7号问题,整改措施7,D-TRANSPORT,刘洋,2099-12-31",
        "第7号问题,整改措施7,D-TRANSPORT,刘洋,2099-02-30",
    );
    let form = Form::new()
        .text("campaign_id", cid.to_string())
        .part("file", Part::bytes(bad.into_bytes()).file_name("bad.csv"));
    let r = office
        .post(app.url("/ledger/import"))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(page.starts_with("/jobs/"), "{page}");
    let mut html = String::new();
    for _ in 0..600 {
        html = office
            .get(app.url(&page))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        if !html.contains("http-equiv=\"refresh\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        html.contains("id=\"job-error\"") && html.contains("id=\"ledger-import-errors\""),
        "{html}"
    );
    assert!(
        html.contains("<td class=\"num\">9</td>"),
        "the bad date's row (9) is named"
    );
}

#[tokio::test]
async fn light_rules_are_set_per_campaign() {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 10, 1, 1, 0, 0)
            .single()
            .expect("t"),
    ));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let item = new_item(
        &app,
        &office,
        "D-TRANSPORT",
        "2026-10-06",
        json!({"issue": true}),
    )
    .await;
    assert_eq!(
        item["light"], "green",
        "5 days left: green under the default 3-day rule"
    );
    let cid = item["campaign_id"].as_i64().expect("campaign");
    let (_, c) = json(
        office
            .get(app.url(&format!("/api/v1/campaigns/{cid}")))
            .send()
            .await
            .expect("campaign"),
    )
    .await;
    assert_eq!(c["rules"]["due_soon_days"], 3);
    let mut body = json!({
        "owner_org_id": c["owner_org_id"], "name": c["name"], "requirements": c["requirements"], "fundamental_task": c["fundamental_task"],
        "time_zone": c["time_zone"], "starts_on": c["starts_on"], "ends_on": c["ends_on"], "goals": c["goals"], "phases": c["phases"],
        "scope_org_ids": c["scope"].as_array().expect("scope").iter().map(|s| s["org_id"].clone()).collect::<Vec<_>>(),
        "version": c["version"],
        "rules": {"due_soon_days": 70, "lagging_numerator": 2, "lagging_denominator": 3, "little_progress_percent": 50, "recheck_after_days": 30, "progress_rule": "by_count"},
    });
    let (s, v) = json(
        office
            .put(app.url(&format!("/api/v1/campaigns/{cid}")))
            .json(&body)
            .send()
            .await
            .expect("put"),
    )
    .await;
    assert_eq!(
        (s, v["details"]["fields"][0]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("rules.due_soon_days")
        ),
        "{v}"
    );
    body["rules"]["due_soon_days"] = json!(7);
    let (s, v) = json(
        office
            .put(app.url(&format!("/api/v1/campaigns/{cid}")))
            .json(&body)
            .send()
            .await
            .expect("put"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["rules"]["due_soon_days"], 7);
    let now = get(&app, &office, item["id"].as_i64().expect("id")).await;
    assert_eq!(
        (now["light"].as_str(), now["timeliness"].as_str()),
        (Some("yellow"), Some("due_soon")),
        "re-derived under the new rule"
    );
}

/// A ledger list's total comes from the roll-up counters when the filter is one of theirs;
/// it must be the number the items themselves give (asked with a condition the counters do not
/// know, `due_from` far in the past, which matches every item).
#[tokio::test]
async fn ledger_totals_from_counters_match_the_items() {
    let app = TestApp::seeded().await;
    let cid = campaign(&app, &app.demo("office").await).await;
    let transport = app.org_id("D-TRANSPORT").await;
    for who in ["office", "liaison", "supervisor"] {
        let c = app.demo(who).await;
        for filter in [
            String::new(),
            format!("campaign_id={cid}"),
            "light=red".into(),
            "status=open".into(),
            "status=in_progress,closed&kind=rectification".into(),
            "timeliness=overdue&phase=rectification".into(),
            format!("within={transport}&light=green"),
            format!("within={transport}&status=withdrawn"),
            "within=1".into(),
        ] {
            let total = |q: String| {
                let c = c.clone();
                let url = app.url(&format!("/api/v1/items?{q}"));
                async move {
                    let (s, v) = json(c.get(url).send().await.expect("list")).await;
                    (s, v["total"].as_i64())
                }
            };
            let fast = total(filter.clone()).await;
            let counted = total(format!("{filter}&due_from=1900-01-01")).await;
            assert_eq!(fast, counted, "{who}: {filter}");
            assert!(
                who != "office" || fast.0 == StatusCode::OK,
                "{filter}: {fast:?}"
            );
        }
    }
}

/// A large scope's ledger page is found by walking the campaign's items in deadline order
/// (chosen from the roll-up counters), a small one's by sorting the scope's; with a filter the
/// counters cannot answer (`person`) the walk is never chosen. Every page is the same either
/// way, ties on the deadline in id order.
#[tokio::test]
async fn ledger_pages_are_the_same_whichever_way_they_are_found() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let cid = campaign(&app, &office).await;
    let mut csv = String::from("问题描述,整改措施,责任单位编码,责任人,完成时限,问题来源\n");
    for i in 0..3000 {
        // 30 past deadlines (red), every tenth in the future (not red); ~90 items a day.
        let org = if i % 7 == 0 {
            "D-ARCHIVES"
        } else {
            "D-TRANSPORT"
        };
        let due = if i % 10 == 9 {
            "2099-06-30".to_owned()
        } else {
            format!("2020-03-{:02}", 1 + (i * 13) % 30)
        };
        csv.push_str(&format!("第{i}号问题,措施{i},{org},刘洋,{due},调研发现\n"));
    }
    let form = Form::new().part("file", Part::bytes(csv.into_bytes()).file_name("big.csv"));
    let (s, v) = json(
        office
            .post(app.url(&format!("/api/v1/items/import?campaign_id={cid}")))
            .multipart(form)
            .send()
            .await
            .expect("import"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ids = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect())
            .unwrap_or_default()
    };
    for code in ["D-TRANSPORT", "D-ARCHIVES"] {
        let within = app.org_id(code).await;
        for sort in ["due_on", "-due_on"] {
            for page in [1, 2, 7] {
                let base = format!(
                    "/api/v1/items?within={within}&campaign_id={cid}&light=red&status=assigned&sort={sort}&per_page=50&page={page}"
                );
                let (s, walked) =
                    json(office.get(app.url(&base)).send().await.expect("list")).await;
                assert_eq!(s, StatusCode::OK, "{walked}");
                let (_, sorted) = json(
                    office
                        .get(app.url(&format!("{base}&person=刘洋")))
                        .send()
                        .await
                        .expect("list"),
                )
                .await;
                assert_eq!(walked["total"], sorted["total"], "{code} {sort} {page}");
                assert_eq!(ids(&walked), ids(&sorted), "{code} {sort} page {page}");
                let dues: Vec<(String, i64)> = walked["items"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|i| {
                                (
                                    i["due_on"].as_str().unwrap_or("").to_owned(),
                                    i["id"].as_i64().unwrap_or(0),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let mut expected = dues.clone();
                expected.sort();
                if sort == "-due_on" {
                    expected.reverse();
                }
                assert_eq!(
                    dues, expected,
                    "{code} {sort} page {page}: deadline, then id"
                );
                if code == "D-TRANSPORT" && page == 1 {
                    assert_eq!(dues.len(), 50);
                    assert!(walked["items"]
                        .as_array()
                        .is_some_and(|a| a.iter().all(|i| i["light"] == "red")));
                }
            }
        }
    }
}

/// The responsible person of an item is an account of its responsible unit (or below): an
/// account elsewhere, even an existing one, is refused exactly like an id that is no account,
/// on creation and on edit.
#[tokio::test]
async fn a_responsible_person_outside_the_unit_is_refused_like_a_missing_one() {
    let app = TestApp::seeded().await;
    let liaison = app.demo("liaison").await;
    let cid = campaign(&app, &liaison).await;
    let body = |uid: Value| {
        json!({
            "campaign_id": cid, "kind": "rectification", "title": "责任人须为本单位人员",
            "phase": "rectification", "source": "self_examination", "item_type": "time_limited",
            "due_on": "2099-12-31", "measures": ["措施"], "responsible_person": "某人",
            "responsible_user_id": uid,
        })
    };
    let transport = app.org_id("D-TRANSPORT").await;
    let mut answers = Vec::new();
    for uid in [
        json!(app.user_id("dalian_owner").await),
        json!(app.user_id("sysadmin").await),
        json!(987_654),
    ] {
        let mut b = body(uid);
        b["lead_org_id"] = json!(transport);
        let (s, v) = json(
            liaison
                .post(app.url("/api/v1/items"))
                .json(&b)
                .send()
                .await
                .expect("post"),
        )
        .await;
        answers.push((s, v["details"]["fields"][0]["code"].clone()));
    }
    for a in &answers {
        assert_eq!(
            (a.0, a.1.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("not_in_unit")),
            "{answers:?}"
        );
    }
    // Someone of the unit (the highway bureau is below the department) is taken, and an edit
    // cannot then name someone elsewhere.
    let mut b = body(json!(app.user_id("owner").await));
    b["lead_org_id"] = json!(transport);
    let (s, item) = json(
        liaison
            .post(app.url("/api/v1/items"))
            .json(&b)
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{item}");
    let id = item["id"].as_i64().expect("id");
    let office = app.demo("office").await;
    let (s, v) = json(
        office
            .patch(app.url(&format!("/api/v1/items/{id}")))
            .json(&json!({"responsible_user_id": app.user_id("dalian_owner").await, "version": item["version"]}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["details"]["fields"][0]["code"], "not_in_unit");
}
