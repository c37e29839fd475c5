//! The to-do page (待办) and the inbox (站内消息): what waits on each person is counted as the
//! ledger counts it, only within their own subtree; an urge reaches the person's to-do and inbox
//! at once, and the urging office sees when it was read; a step that hands an item back tells
//! its unit.

use crate::helpers::{json, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// The demo with its items, reports and history.
async fn full() -> TestApp {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    app
}

async fn page(app: &TestApp, c: &Client, path: &str) -> (StatusCode, String) {
    let r = c.get(app.url(path)).send().await.expect("page");
    let s = r.status();
    (s, r.text().await.expect("body"))
}

async fn todo(app: &TestApp, c: &Client) -> Value {
    let (s, v) = json(
        c.get(app.url("/api/v1/me/todo"))
            .send()
            .await
            .expect("todo"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn group<'a>(todo: &'a Value, kind: &str) -> Option<&'a Value> {
    todo["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["kind"] == kind)
}

fn count(todo: &Value, kind: &str) -> i64 {
    group(todo, kind).map_or(0, |g| g["count"].as_i64().expect("count"))
}

async fn total(app: &TestApp, c: &Client, query: &str) -> i64 {
    let (s, v) = json(
        c.get(app.url(&format!("/api/v1/items?{query}")))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["total"].as_i64().expect("total")
}

#[tokio::test]
async fn each_role_sees_what_waits_on_it_and_only_in_its_subtree() {
    let app = full().await;

    // A liaison: the unit's items to sign off, as the ledger counts them, each linked.
    let dalian = app.demo("dalian_liaison").await;
    let t = todo(&app, &dalian).await;
    let sign_off = count(&t, "sign_off");
    assert!(sign_off > 0, "{t}");
    assert_eq!(sign_off, total(&app, &dalian, "status=assigned").await);
    let g = group(&t, "sign_off").expect("group");
    assert_eq!(g["path"], "/ledger?status=assigned");
    assert!(g["label"].as_str().is_some_and(|l| !l.is_empty()));
    let first = g["entries"][0]["path"].as_str().expect("entry");
    assert!(first.starts_with("/items/"), "{g}");
    // The page it leads to shows exactly those items.
    let (s, html) = page(&app, &dalian, "/ledger?status=assigned").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("href=\"{first}\"")),
        "the entry is listed"
    );

    // Nothing of another city reaches the liaison: every entry is in their ledger.
    let mine = total(&app, &dalian, "status=open").await;
    for kind in ["overdue", "due_soon", "sign_off"] {
        assert!(count(&t, kind) <= mine, "{kind}: {t}");
    }
    let shenyang = app.demo("shenyang_keji_liaison").await;
    let other = todo(&app, &shenyang).await;
    for g in other["groups"].as_array().expect("groups") {
        for e in g["entries"].as_array().expect("entries") {
            let path = e["path"].as_str().expect("path");
            let (s, _) = page(&app, &dalian, path).await;
            if path.starts_with("/items/") {
                assert_eq!(s, StatusCode::NOT_FOUND, "{path} is Shenyang's");
            }
        }
    }

    // The office: close-outs to review, as the ledger counts them.
    let office = app.demo("office").await;
    let t = todo(&app, &office).await;
    assert_eq!(
        count(&t, "close_out"),
        total(&app, &office, "status=close_out_requested,under_review").await
    );
    assert!(count(&t, "close_out") > 0, "{t}");
    assert!(
        group(&t, "sign_off").is_none(),
        "the office signs nothing off"
    );
    // The city office sees less than the province's.
    let city = app.demo("shenyang_office").await;
    let ct = todo(&app, &city).await;
    assert!(count(&ct, "close_out") <= count(&t, "close_out"));
    assert_eq!(
        count(&ct, "close_out"),
        total(&app, &city, "status=close_out_requested,under_review").await
    );

    // A leader: the red items under them.
    let leader = app.demo("leader").await;
    let t = todo(&app, &leader).await;
    assert_eq!(
        count(&t, "red"),
        total(&app, &leader, "status=open&light=red").await
    );

    // The page: every group with its count and link, the count in the top bar; in English too.
    let (s, html) = page(&app, &dalian, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"todo-sign_off\""), "the group is shown");
    assert!(
        html.contains("id=\"todo-badge\""),
        "the count in the top bar"
    );
    assert!(html.contains("待签收事项"));
    let r = dalian
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("back", "/")])
        .send()
        .await
        .expect("lang");
    assert!(r.status().is_redirection());
    let (_, html) = page(&app, &dalian, "/").await;
    assert!(html.contains("Items to sign off"), "in English");
    assert!(!html.contains("todo-sign_off-hint"), "no raw keys");

    // Signed out: no to-do.
    let r = app
        .anon()
        .get(app.url("/api/v1/me/todo"))
        .send()
        .await
        .expect("todo");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_urge_reaches_the_liaison_at_once_and_the_office_sees_it_read() {
    let app = full().await;
    let office = app.demo("office").await;
    let dalian = app.demo("dalian_liaison").await;
    let before = count(&todo(&app, &dalian).await, "notices");

    let (_, list) = json(
        office
            .get(app.url("/api/v1/items?light=red&q=一网通办"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let id = list["items"][0]["id"].as_i64().expect("a red Dalian item");
    let r = office
        .post(app.url(&format!("/api/v1/items/{id}/urge")))
        .json(&json!({ "note": "请本周内报送进展" }))
        .send()
        .await
        .expect("urge");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // The liaison's to-do and inbox have it at once.
    let t = todo(&app, &dalian).await;
    assert_eq!(count(&t, "notices"), before + 1, "{t}");
    let (_, html) = page(&app, &dalian, "/").await;
    assert!(html.contains("id=\"todo-notices\""));
    assert!(html.contains("id=\"nav-inbox-count\""), "the unread count");
    let (s, inbox) = page(&app, &dalian, "/inbox").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        inbox.contains("请本周内报送进展"),
        "the note is in the inbox"
    );
    assert!(inbox.contains("催办"), "named in words, not a code");
    let (_, list) = json(
        dalian
            .get(app.url("/api/v1/me/inbox"))
            .send()
            .await
            .expect("inbox"),
    )
    .await;
    let notice = list
        .as_array()
        .expect("inbox")
        .iter()
        .find(|n| n["kind"] == "urge" && n["body"]["item_id"] == id)
        .cloned()
        .expect("the urge");
    let nid = notice["id"].as_i64().expect("id");
    assert_eq!(notice["read"], false);

    // The office sees who was told, not yet read.
    let (_, item) = page(&app, &office, &format!("/items/{id}")).await;
    assert!(
        item.contains("id=\"item-told\""),
        "the office sees the urge"
    );
    assert!(item.contains("未读"));

    // Nobody else can open the liaison's notice.
    let r = office
        .post(app.url(&format!("/inbox/{nid}/open")))
        .send()
        .await
        .expect("open");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Opening it leads to the item and marks it read; the office sees when.
    let r = dalian
        .post(app.url(&format!("/inbox/{nid}/open")))
        .send()
        .await
        .expect("open");
    assert!(r.status().is_redirection());
    assert_eq!(r.headers()["location"], format!("/items/{id}"));
    assert_eq!(count(&todo(&app, &dalian).await, "notices"), before);
    let (_, item) = page(&app, &office, &format!("/items/{id}")).await;
    let told = item.split("id=\"item-told\"").nth(1).expect("told card");
    let told = told.split("</table>").next().expect("table");
    let urge_row = told
        .split("<tr>")
        .find(|r| r.contains("<td>催办</td>"))
        .expect("the urge's row");
    assert!(!urge_row.contains("未读"), "read now: {urge_row}");

    // Marking all read clears the count.
    let r = dalian
        .post(app.url("/inbox/read-all"))
        .send()
        .await
        .expect("read all");
    assert!(r.status().is_redirection());
    assert_eq!(count(&todo(&app, &dalian).await, "notices"), 0);
}

#[tokio::test]
async fn an_item_sent_back_tells_its_unit() {
    let app = full().await;
    let office = app.demo("office").await;
    let (_, list) = json(
        office
            .get(app.url("/api/v1/items?status=close_out_requested"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let it = list["items"][0].clone();
    let id = it["id"].as_i64().expect("an item awaiting close-out");
    let version = it["version"].as_i64().expect("version");
    let (s, v) = json(
        office
            .post(app.url(&format!("/api/v1/items/{id}/transitions")))
            .header("If-Match", version.to_string())
            .json(&json!({ "action": "send_back", "reason": "佐证材料不全，请补充会议纪要" }))
            .send()
            .await
            .expect("send back"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let who = it["responsible_user_id"]
        .as_i64()
        .expect("a responsible person");
    let (_, users) = json(
        office
            .get(app.url(&format!("/api/v1/users/{who}")))
            .send()
            .await
            .expect("user"),
    )
    .await;
    let username = users["username"].as_str().expect("username").to_owned();
    let person = app.demo(&username).await;
    let (_, inbox) = page(&app, &person, "/inbox").await;
    assert!(
        inbox.contains("佐证材料不全，请补充会议纪要"),
        "the reason reaches {username}"
    );
    assert!(inbox.contains("退回整改"));
}

/// The side navigation of every role, in both languages: no label twice, none untranslated.
#[tokio::test]
async fn every_menu_reads_once_in_each_language() {
    let app = TestApp::seeded().await;
    for user in [
        "office",
        "supervisor",
        "liaison",
        "owner",
        "leader",
        "sysadmin",
        "secadmin",
        "auditor",
    ] {
        let c = app.demo(user).await;
        for lang in ["zh-CN", "en"] {
            let r = c
                .post(app.url("/lang"))
                .form(&[("lang", lang), ("back", "/")])
                .send()
                .await
                .expect("lang");
            assert!(r.status().is_redirection());
            let (s, html) = page(&app, &c, "/").await;
            assert_eq!(s, StatusCode::OK, "{user}");
            let nav = html
                .split("<nav class=\"nav\"")
                .nth(1)
                .and_then(|n| n.split("</nav>").next())
                .expect("the side navigation");
            let mut labels: Vec<String> = Vec::new();
            for part in nav.split("class=\"nav-item").skip(1) {
                let text = part
                    .split_once('>')
                    .map(|(_, rest)| rest)
                    .and_then(|rest| rest.split("</a>").next())
                    .expect("a label");
                // The label without a count badge.
                let label = text.split("<span").next().unwrap_or("").trim().to_owned();
                assert!(!label.is_empty(), "{user} {lang}: an empty entry");
                assert!(
                    !label.contains("nav-") && !label.contains('{'),
                    "{user} {lang}: untranslated {label}"
                );
                if lang == "en" {
                    assert!(
                        !label
                            .chars()
                            .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
                        "{user}: Chinese in the English menu: {label}"
                    );
                }
                assert!(
                    !labels.contains(&label),
                    "{user} {lang}: {label} twice in the menu"
                );
                labels.push(label);
            }
            assert!(labels.len() >= 3, "{user} {lang}: {labels:?}");
        }
    }
}
