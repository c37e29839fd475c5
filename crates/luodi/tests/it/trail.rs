//! The audit trail of requests: every refusal once (capped per account, the rest counted),
//! refused uploads, refusals shown on a page or after a redirect, and every file that leaves.

use crate::helpers::{json, TestApp};
use luodi_domain::FixedClock;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    let mut c = app.svc.db().read().await.expect("read");
    luodi_store::db::scalar_i64(c.conn(), luodi_store::Sql::new(sql))
        .await
        .expect("count")
}

async fn rows(app: &TestApp, sql: &'static str) -> Vec<(String, Option<String>, Option<String>)> {
    let mut c = app.svc.db().read().await.expect("read");
    luodi_store::db::fetch_all(c.conn(), luodi_store::Sql::new(sql))
        .await
        .expect("rows")
}

/// A unit liaison probing another city: every refusal is in the trail, a scan is capped at 30 a
/// minute and the rest counted in one record when the minute is over; an anonymous mistyped
/// address is not a refusal of anyone.
#[tokio::test]
async fn refusals_are_recorded_once_and_a_scan_is_counted() {
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let liaison = app.demo("liaison").await;
    let dalian = app.org_id("210200-BIZENV").await;
    let dalian_user = app.user_id("dalian_liaison").await;
    let refused = || {
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'request.refused'",
        )
    };
    let before = refused().await;
    // A foreign org through the API and the page, a foreign account, a forbidden action.
    for path in [
        format!("/api/v1/orgs/{dalian}"),
        format!("/orgs/{dalian}"),
        format!("/api/v1/users/{dalian_user}"),
    ] {
        let r = liaison.get(app.url(&path)).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let r = liaison
        .get(app.url("/api/v1/audit"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(refused().await - before, 4, "each refusal once");
    let anon = app.anon();
    let r = anon
        .get(app.url("/api/v1/no-such-route"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        refused().await - before,
        4,
        "a mistyped address is nobody's refusal"
    );

    // A scan: 100 more foreign reads within the minute.
    for _ in 0..100 {
        let r = liaison
            .get(app.url(&format!("/api/v1/orgs/{dalian}")))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(refused().await - before, 30, "30 a minute are written");
    clock.advance(chrono::Duration::seconds(61));
    luodi_service::audit::flush_refusals(&app.svc)
        .await
        .expect("flush");
    let mut c = app.svc.db().read().await.expect("read");
    let more: Vec<(String, Option<String>)> = luodi_store::db::fetch_all(
        c.conn(),
        luodi_store::Sql::new(
            "SELECT actor_name, after_json FROM audit_log WHERE action = 'request.refused.more'",
        ),
    )
    .await
    .expect("more");
    drop(c);
    assert_eq!(more.len(), 1, "{more:?}");
    let counted: Value = serde_json::from_str(more[0].1.as_deref().unwrap_or("{}")).expect("json");
    assert_eq!(counted["count"], 74, "{more:?}");
    assert!(more[0].0.starts_with("liaison"), "{more:?}");
    // A new minute writes again.
    liaison
        .get(app.url(&format!("/api/v1/orgs/{dalian}")))
        .send()
        .await
        .expect("get");
    assert_eq!(refused().await - before, 31);
}

/// Refusals a page shows itself, or says after a redirect, and refused uploads are recorded;
/// every export and download is recorded with its file, before it is handed out.
#[tokio::test]
async fn page_refusals_uploads_and_every_download_are_recorded() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let liaison = app.demo("liaison").await;
    let office = app.demo("office").await;
    // A step the liaison may not take, through the item page: shown again on the page (403).
    let mut c = app.svc.db().read().await.expect("read");
    let (item, version): (i64, i64) = luodi_store::db::fetch_optional(
        c.conn(),
        luodi_store::Sql::new(
            "SELECT i.id, i.version FROM items i WHERE i.status = 'close_out_requested' AND i.lead_org_path LIKE (SELECT path FROM orgs WHERE code = 'D-TRANSPORT') || '%' ORDER BY i.id LIMIT 1",
        ),
    )
    .await
    .expect("item")
    .expect("an item waiting for the office");
    drop(c);
    let r = liaison
        .post(app.url(&format!("/items/{item}/transitions")))
        .form(&[("action", "close"), ("version", &version.to_string())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // An upload that is not what its name says, to an item in progress.
    let mut c = app.svc.db().read().await.expect("read");
    let working = luodi_store::db::scalar_i64(
        c.conn(),
        luodi_store::Sql::new(
            "SELECT MIN(i.id) FROM items i WHERE i.status = 'in_progress' AND i.lead_org_path LIKE (SELECT path FROM orgs WHERE code = 'D-TRANSPORT') || '%'",
        ),
    )
    .await
    .expect("item");
    drop(c);
    let form = Form::new().part(
        "file",
        Part::bytes(b"<html><script>alert(1)</script></html>".to_vec()).file_name("报告.pdf"),
    );
    let (s, v) = json(
        liaison
            .post(app.url(&format!("/api/v1/items/{working}/evidence")))
            .multipart(form)
            .send()
            .await
            .expect("upload"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let refusals = rows(&app, "SELECT object_id, after_json, actor_name FROM audit_log WHERE action = 'request.refused' ORDER BY id").await;
    let texts: Vec<String> = refusals
        .iter()
        .map(|(o, a, _)| format!("{o} {}", a.as_deref().unwrap_or("")))
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&format!("POST /items/{item}/transitions"))),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("evidence") && t.contains("file_type_not_allowed")),
        "{texts:?}"
    );

    // Downloads: the ledger, a bulletin, a briefing, an evidence file.
    let (_, bulletins) = json(
        office
            .get(app.url("/api/v1/bulletins"))
            .send()
            .await
            .expect("b"),
    )
    .await;
    let bid = bulletins
        .as_array()
        .and_then(|a| a.iter().find(|b| b["status"] == "published"))
        .and_then(|b| b["id"].as_i64())
        .expect("a published bulletin");
    let (_, briefings) = json(
        office
            .get(app.url("/api/v1/briefings"))
            .send()
            .await
            .expect("b"),
    )
    .await;
    let brid = briefings
        .as_array()
        .and_then(|a| a.first())
        .and_then(|b| b["id"].as_i64())
        .expect("a briefing");
    let mut c = app.svc.db().read().await.expect("read");
    let attachment: i64 = luodi_store::db::scalar_i64(
        c.conn(),
        luodi_store::Sql::new("SELECT MIN(id) FROM attachments"),
    )
    .await
    .expect("attachment");
    drop(c);
    let before = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'data.export'",
    )
    .await;
    for path in [
        "/api/v1/items/export.xlsx".to_owned(),
        "/ledger/export.xlsx".to_owned(),
        format!("/api/v1/bulletins/{bid}/export.docx"),
        format!("/api/v1/bulletins/{bid}/export.xlsx"),
        format!("/api/v1/briefings/{brid}/export.docx"),
        format!("/api/v1/attachments/{attachment}"),
    ] {
        let r = office.get(app.url(&path)).send().await.expect("download");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let exports = rows(&app, "SELECT object_id, after_json, actor_name FROM audit_log WHERE action = 'data.export' ORDER BY id").await;
    assert_eq!(exports.len() as i64 - before, 6, "{exports:?}");
    for (object, after, who) in exports.iter().rev().take(6) {
        assert!(
            who.as_deref().is_some_and(|w| w.starts_with("office")),
            "{who:?}"
        );
        let after: Value = serde_json::from_str(after.as_deref().unwrap_or("{}")).expect("json");
        assert!(
            after["file_name"].as_str().is_some_and(|f| !f.is_empty()),
            "{object} {after}"
        );
        assert!(
            after["bytes"].as_u64().is_some_and(|n| n > 0),
            "{object} {after}"
        );
    }
}
