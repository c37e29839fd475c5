//! The page that edits an item: the supervising office changes the fields, the responsible unit
//! only the description and milestones; outsiders see nothing; a bad form comes back with its
//! field errors.

use crate::helpers::{json, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn new_item(app: &TestApp, office: &Client) -> Value {
    let (_, campaigns) = json(
        office
            .get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("campaigns"),
    )
    .await;
    let body = json!({
        "campaign_id": campaigns["items"][0]["id"].as_i64().expect("the demo campaign"),
        "kind": "rectification",
        "title": "高速公路省界收费站撤除后交通组织不畅",
        "phase": "rectification",
        "source": "self_examination",
        "item_type": "time_limited",
        "lead_org_id": app.org_id("D-TRANSPORT").await,
        "responsible_person": "孙伟",
        "responsible_user_id": app.user_id("owner").await,
        "due_on": "2099-05-31",
        "measures": ["优化省界站区交通组织方案"],
        "milestones": [{"title": "完成方案", "due_on": "2099-03-01"}],
    });
    let (s, v) = json(
        office
            .post(app.url("/api/v1/items"))
            .json(&body)
            .send()
            .await
            .expect("create"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn api_item(app: &TestApp, c: &Client, id: i64) -> Value {
    let (s, v) = json(
        c.get(app.url(&format!("/api/v1/items/{id}")))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn page(app: &TestApp, c: &Client, path: &str) -> (StatusCode, String) {
    let r = c.get(app.url(path)).send().await.expect("page");
    let s = r.status();
    (s, r.text().await.expect("body"))
}

/// The form as the office's page sends it: every field, with `changes` on top.
fn full_form(item: &Value, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let s = |k: &str| item[k].as_str().unwrap_or_default().to_owned();
    let mut f: Vec<(String, String)> = vec![
        ("title".into(), s("title")),
        ("description".into(), s("description")),
        ("category".into(), s("category")),
        ("phase".into(), s("phase")),
        ("source".into(), s("source")),
        ("item_type".into(), s("item_type")),
        ("lead_org_code".into(), s("lead_org_code")),
        ("responsible_person".into(), s("responsible_person")),
        ("responsible_username".into(), "owner".into()),
        ("due_on".into(), s("due_on")),
        (
            "measures".into(),
            item["measures"]
                .as_array()
                .map(|ms| {
                    ms.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\r\n")
                })
                .unwrap_or_default(),
        ),
        (
            "milestones".into(),
            item["milestones"]
                .as_array()
                .map(|ms| {
                    ms.iter()
                        .map(|m| {
                            format!(
                                "{} {}",
                                m["due_on"].as_str().unwrap_or_default(),
                                m["title"].as_str().unwrap_or_default()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\r\n")
                })
                .unwrap_or_default(),
        ),
        // Not in the API's item: the default.
        (
            "weight".into(),
            item["weight"].as_i64().unwrap_or(1).to_string(),
        ),
        ("version".into(), item["version"].to_string()),
    ];
    for (k, v) in changes {
        if let Some(slot) = f.iter_mut().find(|(name, _)| name == k) {
            slot.1 = (*v).to_owned();
        }
    }
    f
}

async fn post(app: &TestApp, c: &Client, id: i64, form: &[(String, String)]) -> reqwest::Response {
    c.post(app.url(&format!("/items/{id}/edit")))
        .form(form)
        .send()
        .await
        .expect("post")
}

/// Where a saved form redirects to; a form that came back fails with its errors.
async fn saved(r: reqwest::Response) -> String {
    let s = r.status();
    let to = r
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if s != StatusCode::SEE_OTHER {
        let body = r.text().await.unwrap_or_default();
        let errors: Vec<&str> = body.lines().filter(|l| l.contains("error")).collect();
        panic!("the form came back with {s}: {}", errors.join("\n"));
    }
    to
}

#[tokio::test]
async fn items_are_edited_through_the_page_within_the_rules() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let item = new_item(&app, &office).await;
    let id = item["id"].as_i64().expect("id");
    assert_eq!(item["status"], "draft");

    // The office opens the form, prefilled, from a button on the item page.
    let (s, html) = page(&app, &office, &format!("/items/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/items/{id}/edit\" id=\"item-edit\"")));
    let (s, html) = page(&app, &office, &format!("/items/{id}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"item-edit-form\""));
    assert!(html.contains("id=\"e-title\""));
    assert!(html.contains("高速公路省界收费站撤除后交通组织不畅"));
    assert!(html.contains("2099-03-01 完成方案"));

    // A changed title and measures are saved, and only they change.
    let form = full_form(
        &item,
        &[
            ("title", "省界站撤除后交通组织不畅（修订）"),
            ("measures", "优化交通组织方案\r\n增设电子标志与诱导屏\r\n"),
        ],
    );
    let r = post(&app, &office, id, &form).await;
    assert_eq!(saved(r).await, format!("/items/{id}?ok=item_saved"));
    let item = api_item(&app, &office, id).await;
    assert_eq!(item["title"], "省界站撤除后交通组织不畅（修订）");
    assert_eq!(
        item["measures"],
        json!(["优化交通组织方案", "增设电子标志与诱导屏"])
    );
    assert_eq!(
        (item["due_on"].as_str(), item["responsible_person"].as_str()),
        (Some("2099-05-31"), Some("孙伟"))
    );
    let (_, html) = page(&app, &office, &format!("/items/{id}?ok=item_saved")).await;
    assert!(html.contains("修改已保存。"));

    // An empty title comes back with its field error, and nothing is saved.
    let r = post(&app, &office, id, &full_form(&item, &[("title", " ")])).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("form-row has-error"));
    assert!(html.contains("<div class=\"field-error\">必填。</div>"));
    assert_eq!(
        api_item(&app, &office, id).await["version"],
        item["version"]
    );

    // Issued: the liaison of the responsible unit may mark milestones done, nothing else.
    let (s, v) = json(
        office
            .post(app.url(&format!("/api/v1/items/{id}/transitions")))
            .json(&json!({"action": "assign", "version": item["version"]}))
            .send()
            .await
            .expect("assign"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Issued, the deadline and the unit stay as they are on the office's form.
    let (s, html) = page(&app, &office, &format!("/items/{id}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"e-due-fixed\""));
    assert!(!html.contains("name=\"due_on\""));
    assert!(!html.contains("name=\"lead_org_code\""));
    let liaison = app.demo("liaison").await;
    let (s, html) = page(&app, &liaison, &format!("/items/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"item-edit\""));
    let (s, html) = page(&app, &liaison, &format!("/items/{id}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"item-edit-form\""));
    assert!(
        !html.contains("id=\"e-title\""),
        "no title field for the unit"
    );
    assert!(!html.contains("name=\"title\""));
    assert!(html.contains("id=\"e-milestones\""));
    assert!(html.contains("id=\"e-description\""));
    let form: Vec<(String, String)> = vec![
        ("description".into(), "已与高速交警联合制定方案".into()),
        (
            "milestones".into(),
            "2099-03-01 完成方案 | 2099-02-20".into(),
        ),
        // Not on the unit's form: a field slipped in is not sent on.
        ("title".into(), "改标题".into()),
        ("version".into(), v["version"].to_string()),
    ];
    let r = post(&app, &liaison, id, &form).await;
    assert_eq!(saved(r).await, format!("/items/{id}?ok=item_saved"));
    let item = api_item(&app, &liaison, id).await;
    assert_eq!(item["milestones"][0]["done_on"], "2099-02-20");
    assert_eq!(item["description"], "已与高速交警联合制定方案");
    assert_eq!(item["title"], "省界站撤除后交通组织不畅（修订）");

    // A stale form is refused with the reason on the form, not a bare error page.
    let mut stale = form.clone();
    stale[0].1 = "再次修改".into();
    let r = post(&app, &liaison, id, &stale).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.expect("body");
    assert!(html.contains("id=\"item-edit-error\""));
    assert!(html.contains("id=\"item-edit-form\""));

    // Someone outside the unit's tree does not see the item at all.
    let dalian = app.demo("dalian_liaison").await;
    let (s, _) = page(&app, &dalian, &format!("/items/{id}/edit")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let r = post(&app, &dalian, id, &full_form(&item, &[("title", "越权")])).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        api_item(&app, &office, id).await["title"],
        "省界站撤除后交通组织不畅（修订）"
    );
}
