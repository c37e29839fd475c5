//! The org tree through the API: create, read, rename, move, disable, list, and no lost updates.

use crate::helpers::{json, TestApp};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn office_builds_and_reshapes_its_tree() {
    let app = TestApp::seeded().await;
    let c = app.demo("shenyang_office").await;
    let shenyang = app.org_id("210100").await;

    let (s, a) = json(c.post(app.url("/api/v1/orgs")).json(&json!({"code": "SY-T1", "name": "沈阳市测试局", "kind": "department", "parent_id": shenyang})).send().await.expect("send")).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let a_id = a["id"].as_i64().expect("id");
    let (s, b) = json(c.post(app.url("/api/v1/orgs")).json(&json!({"code": "SY-T1-B", "name": "测试党支部", "kind": "支部", "parent_id": a_id})).send().await.expect("send")).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["kind"], "branch");
    assert_eq!(b["depth"], 3);

    // Rename with the version read; the ETag is that version.
    let r = c
        .get(app.url(&format!("/api/v1/orgs/{a_id}")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.headers()["etag"], "\"1\"");
    let (s, renamed) = json(
        c.patch(app.url(&format!("/api/v1/orgs/{a_id}")))
            .header("If-Match", "\"1\"")
            .json(&json!({"name": "沈阳市测试二局"}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["name"], "沈阳市测试二局");
    assert_eq!(renamed["version"], 2);

    // A stale If-Match is refused with 412, a stale body version with 409; nothing changes.
    let r = c
        .patch(app.url(&format!("/api/v1/orgs/{a_id}")))
        .header("If-Match", "\"1\"")
        .json(&json!({"name": "X"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    let (s, e) = json(
        c.patch(app.url(&format!("/api/v1/orgs/{a_id}")))
            .json(&json!({"name": "X", "version": 1}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["code"], "stale_version");
    let r = c
        .patch(app.url(&format!("/api/v1/orgs/{a_id}")))
        .json(&json!({"name": "X"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), StatusCode::PRECONDITION_REQUIRED);

    // Move the department (and its branch) under a district; depths follow.
    let heping = app.org_id("210102").await;
    let (s, moved) = json(
        c.post(app.url(&format!("/api/v1/orgs/{a_id}/move")))
            .json(&json!({"parent_id": heping, "version": 2}))
            .send()
            .await
            .expect("move"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert_eq!(moved["parent_id"], heping);
    let (_, b2) = json(
        c.get(app.url(&format!("/api/v1/orgs/{}", b["id"])))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(b2["depth"], 4);
    let (_, within) = json(
        c.get(app.url(&format!("/api/v1/orgs?within={heping}&per_page=500")))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let codes: Vec<&str> = within["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|o| o["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"SY-T1") && codes.contains(&"SY-T1-B"),
        "{codes:?}"
    );

    // A parent with active children cannot be disabled; a leaf can.
    let (s, e) = json(
        c.patch(app.url(&format!("/api/v1/orgs/{a_id}")))
            .json(&json!({"disabled": true, "version": 3}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("has_active_children"))
    );
    // A move rewrites the descendants' paths but not their versions: nobody edited them.
    let (s, d) = json(
        c.patch(app.url(&format!("/api/v1/orgs/{}", b["id"])))
            .json(&json!({"disabled": true, "version": 1}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["disabled"], true);
    let (_, kids) = json(
        c.get(app.url(&format!("/api/v1/orgs?parent_id={a_id}")))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(kids["total"], 0, "disabled orgs are hidden by default");
    let (_, kids) = json(
        c.get(app.url(&format!(
            "/api/v1/orgs?parent_id={a_id}&include_disabled=true"
        )))
        .send()
        .await
        .expect("list"),
    )
    .await;
    assert_eq!(kids["total"], 1);

    // Every change left an audit record with before and after.
    let auditor = app.demo("auditor").await;
    let (s, trail) = json(
        auditor
            .get(app.url("/api/v1/audit?action=org.move"))
            .send()
            .await
            .expect("audit"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let rec = &trail["items"][0];
    assert_eq!(rec["actor_name"], "shenyang_office");
    assert_eq!(rec["object_id"], a_id.to_string());
    assert_eq!(rec["before"]["parent_id"], shenyang);
    assert_eq!(rec["after"]["parent_id"], heping);
}

#[tokio::test]
async fn lists_page_and_filter_on_the_server() {
    let app = TestApp::seeded().await;
    let c = app.demo("office").await;
    let (_, p1) = json(
        c.get(app.url("/api/v1/orgs?per_page=20&page=1"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let (_, p2) = json(
        c.get(app.url("/api/v1/orgs?per_page=20&page=2"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(p1["items"].as_array().map(Vec::len), Some(20));
    assert_eq!(p1["total"], p2["total"]);
    assert_ne!(p1["items"][0]["id"], p2["items"][0]["id"]);
    let (_, cities) = json(
        c.get(app.url("/api/v1/orgs?kind=city&per_page=100"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(cities["total"], 14);
    let (_, q) = json(
        c.get(app.url(&format!("/api/v1/orgs?q={}", "交通运输厅")))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert!(q["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|o| o["code"] == "D-TRANSPORT"));
    let (s, _) = json(
        c.get(app.url("/api/v1/orgs?kind=planet"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn two_concurrent_renames_from_one_version_one_wins() {
    let app = TestApp::seeded().await;
    let c = app.demo("office").await;
    let id = app.org_id("D-ARCHIVES").await;
    let url = app.url(&format!("/api/v1/orgs/{id}"));
    let a = c
        .patch(&url)
        .header("If-Match", "\"1\"")
        .json(&json!({"name": "辽宁省档案馆（甲）"}))
        .send();
    let b = c
        .patch(&url)
        .header("If-Match", "\"1\"")
        .json(&json!({"name": "辽宁省档案馆（乙）"}))
        .send();
    let (ra, rb) = tokio::join!(a, b);
    let mut codes = vec![
        ra.expect("a").status().as_u16(),
        rb.expect("b").status().as_u16(),
    ];
    codes.sort();
    assert_eq!(codes, vec![200, 412]);
    let (_, org) = json(c.get(&url).send().await.expect("get")).await;
    assert_eq!(org["version"], 2);
}
