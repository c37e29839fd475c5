//! Search through the API and the page: a Chinese word finds the item that holds it; results are
//! cut to the reader's scope (a unit never finds another unit's items); an edit is searchable at
//! once; reports are found by their text. Runs on both databases (`LUODI_TEST_BACKEND`).

use crate::helpers::{json, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn search(app: &TestApp, c: &Client, q: &str) -> Value {
    let (s, v) = json(
        c.get(app.url("/api/v1/search"))
            .query(&[("q", q), ("per_page", "100")])
            .send()
            .await
            .expect("search"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn titles(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h["title"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_chinese_word_finds_the_item_and_nobody_finds_what_they_may_not_read() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");

    let office = app.demo("office").await;
    let found = search(&app, &office, "收费站").await;
    let v = found.clone();
    let hit = v["items"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|h| h["title"] == "取消高速公路省界收费站" && h["kind"] == "item")
        })
        .cloned()
        .unwrap_or_else(|| panic!("the key work is found: {v}"));
    assert_eq!(v["terms"], json!(["收费站"]));
    // Ranked: items named by the word come before reports that merely mention it.
    let rank = titles(&v)
        .iter()
        .position(|t| t == "取消高速公路省界收费站");
    assert!(rank.is_some_and(|r| r < 3), "{:?}", titles(&v));
    let href = hit["href"].as_str().expect("href");
    assert!(href.starts_with("/items/"), "{href}");
    let r = office.get(app.url(href)).send().await.expect("open");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .text()
        .await
        .expect("page")
        .contains("取消高速公路省界收费站"));

    // The transport liaison finds it too; the highway bureau lies in its subtree.
    let liaison = app.demo("liaison").await;
    assert!(titles(&search(&app, &liaison, "收费站").await)
        .contains(&"取消高速公路省界收费站".to_owned()));

    // Other units find nothing of the transport department's, not even a count.
    for other in [
        "archives_liaison",
        "dalian_liaison",
        "shenyang_keji_liaison",
    ] {
        let c = app.demo(other).await;
        let v = search(&app, &c, "收费站").await;
        assert_eq!(v["total"], 0, "{other}: {v}");
        assert_eq!(v["items"], json!([]), "{other}");
    }
    // …while each finds its own: the Dalian bureau's measures.
    let dalian = app.demo("dalian_liaison").await;
    let own = search(&app, &dalian, "最多跑一次").await;
    assert!(own["total"].as_i64().unwrap_or(0) > 0, "{own}");
    for h in own["items"].as_array().expect("items") {
        let id = h["id"].as_i64().expect("id");
        let r = dalian
            .get(app.url(&format!("/api/v1/items/{id}")))
            .send()
            .await
            .expect("item");
        assert_eq!(r.status(), StatusCode::OK, "a found item is readable");
    }
    let archives = app.demo("archives_liaison").await;
    assert_eq!(search(&app, &archives, "最多跑一次").await["total"], 0);

    // Situation reports are found by their text, by those who may read them.
    let reports = search(&app, &office, "走流程").await;
    let report = reports["items"]
        .as_array()
        .and_then(|a| a.iter().find(|h| h["kind"] == "report"))
        .cloned()
        .unwrap_or_else(|| panic!("a demo report is found: {reports}"));
    assert!(report["href"]
        .as_str()
        .unwrap_or("")
        .starts_with("/reports/"));
    let r = liaison
        .get(app.url(report["href"].as_str().unwrap_or("/")))
        .send()
        .await
        .expect("report page");
    assert_eq!(r.status(), StatusCode::OK);
    let v = search(&app, &app.demo("archives_liaison").await, "走流程").await;
    assert_eq!(v["total"], 0, "{v}");

    // Several words: all must occur.
    let both = titles(&search(&app, &office, "省界 收费站").await);
    assert!(
        both.contains(&"取消高速公路省界收费站".to_owned()),
        "{both:?}"
    );
    assert!(!both.iter().any(|t| t == "四好农村路建设"), "{both:?}");

    // Punctuation alone finds nothing; an unknown kind is refused; those without item rights are refused.
    assert_eq!(search(&app, &office, "，。！").await["total"], 0);
    let (s, v) = json(
        office
            .get(app.url("/api/v1/search?q=a&kind=bogus"))
            .send()
            .await
            .expect("bad kind"),
    )
    .await;
    assert_eq!(
        (s, v["details"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("kind"))
    );
    let sysadmin = app.demo("sysadmin").await;
    let r = sysadmin
        .get(app.url("/api/v1/search?q=收费站"))
        .send()
        .await
        .expect("sysadmin");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .anon()
        .get(app.url("/api/v1/search?q=收费站"))
        .send()
        .await
        .expect("anon");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // The page marks the words and links to the item.
    let html = office
        .get(app.url("/search?q=收费站"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("<mark>收费站</mark>"), "marked");
    assert!(
        html.contains(&format!("href=\"{href}\"")),
        "linked: {:?}",
        found["items"].as_array().map(|a| a
            .iter()
            .map(|h| format!("{} {}", h["title"], h["score"]))
            .collect::<Vec<_>>())
    );
    let html = archives
        .get(app.url("/search?q=收费站"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("id=\"search-none\"") && !html.contains("省界收费站"));
}

#[tokio::test]
async fn an_edit_is_searchable_at_once() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let (_, campaigns) = json(
        office
            .get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("campaigns"),
    )
    .await;
    let (s, item) = json(
        office
            .post(app.url("/api/v1/items"))
            .json(&json!({
                "campaign_id": campaigns["items"][0]["id"],
                "kind": "rectification",
                "title": "港口资源整合推进迟缓",
                "phase": "rectification",
                "source": "self_examination",
                "item_type": "time_limited",
                "lead_org_id": app.org_id("D-TRANSPORT").await,
                "responsible_person": "刘洋",
                "due_on": "2099-06-30",
                "measures": ["制定港口整合时间表"],
            }))
            .send()
            .await
            .expect("create"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{item}");
    let id = item["id"].as_i64().expect("id");
    // Title and measures are found as soon as the item exists.
    for q in ["港口", "时间表"] {
        let v = search(&app, &office, q).await;
        assert!(
            v["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|h| h["id"] == id),
            "{q}: {v}"
        );
    }
    assert_eq!(search(&app, &office, "集装箱").await["total"], 0);

    let (s, item) = json(
        office
            .patch(app.url(&format!("/api/v1/items/{id}")))
            .json(&json!({"version": item["version"], "title": "集装箱码头整合推进迟缓", "measures": ["组建省港口集团"]}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{item}");
    let v = search(&app, &office, "集装箱").await;
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["items"][0]["title"], "集装箱码头整合推进迟缓");
    assert_eq!(
        search(&app, &office, "时间表").await["total"],
        0,
        "the old measure is gone"
    );
    assert_eq!(search(&app, &office, "港口集团").await["total"], 1);
}
