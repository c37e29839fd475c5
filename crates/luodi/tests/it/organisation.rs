//! An org's organisation through the API and the page: the work plan is versioned (a stale save
//! is refused, nothing overwritten), carries attachments checked by content, the leading group
//! has one leader, a supervision team watches orgs below only; foreign subtrees are refused.

use crate::helpers::{json, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn send(
    app: &TestApp,
    c: &Client,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    json(
        c.request(method, app.url(path))
            .json(&body)
            .send()
            .await
            .expect("send"),
    )
    .await
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test]
async fn a_work_plan_is_versioned_and_the_organisation_kept_within_the_subtree() {
    use reqwest::Method;
    let app = TestApp::seeded().await;
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
    let org = app.org_id("D-TRANSPORT").await;
    let plan = |title: &str, version_no: i64| json!({"campaign_id": cid, "title": title, "body": "一、总体要求\n二、主要措施\n三、组织保障", "note": "初稿", "version_no": version_no});
    let (s, v) = send(
        &app,
        &liaison,
        Method::POST,
        &format!("/api/v1/orgs/{org}/plan"),
        plan("省交通运输厅主题教育实施方案", 0),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["plan"]["version_no"], 1);
    let (s, v) = send(
        &app,
        &liaison,
        Method::POST,
        &format!("/api/v1/orgs/{org}/plan"),
        plan("省交通运输厅主题教育实施方案（修订）", 1),
    )
    .await;
    assert_eq!(
        (s, v["plan"]["version_no"].as_i64()),
        (StatusCode::OK, Some(2))
    );
    // Saving from version 1 again: someone else's version 2 is not overwritten.
    let (s, v) = send(
        &app,
        &liaison,
        Method::POST,
        &format!("/api/v1/orgs/{org}/plan"),
        plan("覆盖", 1),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (_, v) = json(
        liaison
            .get(app.url(&format!(
                "/api/v1/orgs/{org}/organisation?campaign_id={cid}"
            )))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(v["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["plan"]["title"], "省交通运输厅主题教育实施方案（修订）");
    assert_eq!(
        v["versions"][1]["title"], "省交通运输厅主题教育实施方案",
        "the first version is kept"
    );

    // An attachment by content; a disguised one is refused.
    let upload = |name: &str, bytes: &'static [u8]| {
        let c = liaison.clone();
        let url = app.url(&format!(
            "/api/v1/orgs/{org}/plan/attachments?campaign_id={cid}"
        ));
        let form = Form::new().part(
            "file",
            Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
        async move { json(c.post(url).multipart(form).send().await.expect("upload")).await }
    };
    let (s, v) = upload("实施方案.pdf", PDF).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let aid = v["attachments"][0]["id"].as_i64().expect("attachment");
    let (s, _) = upload("方案.pdf", b"MZ\x90\x00 not a pdf").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let r = liaison
        .get(app.url(&format!("/api/v1/plan-attachments/{aid}")))
        .send()
        .await
        .expect("download");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .headers()
        .get("content-disposition")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .starts_with("attachment"));

    // The leading group has exactly one leader.
    let (s, v) = send(
        &app,
        &liaison,
        Method::PUT,
        &format!("/api/v1/orgs/{org}/leading-group"),
        json!({"campaign_id": cid, "members": [{"role": "deputy", "name": "李四"}]}),
    )
    .await;
    assert_eq!(
        (s, v["details"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("one_leader"))
    );
    let (s, v) = send(&app, &liaison, Method::PUT, &format!("/api/v1/orgs/{org}/leading-group"), json!({"campaign_id": cid, "members": [{"role": "leader", "name": "张三", "post": "厅长"}, {"role": "deputy", "name": "李四", "post": "副厅长"}, {"role": "member", "name": "王五", "post": "办公室主任"}]})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["members"].as_array().map(Vec::len), Some(3));

    // A supervision team watches orgs below, never above or beside.
    let (s, v) = send(&app, &liaison, Method::POST, &format!("/api/v1/orgs/{org}/working-bodies"), json!({"campaign_id": cid, "kind": "supervision_team", "name": "第一督导组", "head": "陈刚", "duties": "督导高速公路管理局、港航管理处"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let team = v["bodies"][0]["body"]["id"].as_i64().expect("body");
    let hwy = app.org_id("D-TRANSPORT-HWY").await;
    let (s, v) = send(
        &app,
        &liaison,
        Method::POST,
        &format!("/api/v1/working-bodies/{team}/watch"),
        json!({"org_id": hwy, "watch": true}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["bodies"][0]["watches"][0][0], hwy);
    let archives = app.org_id("D-ARCHIVES").await;
    let (s, _) = send(
        &app,
        &liaison,
        Method::POST,
        &format!("/api/v1/working-bodies/{team}/watch"),
        json!({"org_id": archives, "watch": true}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, v) = json(
        liaison
            .get(app.url(&format!(
                "/api/v1/orgs/{hwy}/organisation?campaign_id={cid}"
            )))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(v["watched_by"][0][1], "第一督导组");

    // The page shows it all.
    let html = liaison
        .get(app.url(&format!("/orgs/{org}/organisation?campaign_id={cid}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    for s in [
        "省交通运输厅主题教育实施方案（修订）",
        "第 2 版",
        "实施方案.pdf",
        "张三",
        "第一督导组",
        "辽宁省高速公路管理局",
    ] {
        assert!(html.contains(s), "{s}");
    }

    // Foreign subtrees: read nothing, write nothing.
    let dalian = app.demo("dalian_liaison").await;
    let audit = app.audit_count().await;
    for path in [
        format!("/api/v1/orgs/{org}/organisation?campaign_id={cid}"),
        format!("/api/v1/plan-attachments/{aid}"),
        format!("/orgs/{org}/organisation?campaign_id={cid}"),
    ] {
        let r = dalian.get(app.url(&path)).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    for (m, path, body) in [
        (
            Method::POST,
            format!("/api/v1/orgs/{org}/plan"),
            plan("x", 2),
        ),
        (
            Method::PUT,
            format!("/api/v1/orgs/{org}/leading-group"),
            json!({"campaign_id": cid, "members": [{"role": "leader", "name": "x"}]}),
        ),
        (
            Method::POST,
            format!("/api/v1/orgs/{org}/working-bodies"),
            json!({"campaign_id": cid, "kind": "office", "name": "x", "duties": "x"}),
        ),
        (
            Method::POST,
            format!("/api/v1/working-bodies/{team}/watch"),
            json!({"org_id": hwy, "watch": false}),
        ),
    ] {
        let (s, v) = send(&app, &dalian, m, &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {v}");
    }
    assert_eq!(app.audit_count().await, audit, "nothing written");
}
