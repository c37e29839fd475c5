//! HTTP hardening: the security headers on every kind of answer (CSP without inline script,
//! frame-ancestors 'none', nosniff, Referrer-Policy, HSTS only behind TLS), no inline script or
//! event handler on any page, cross-site state changes refused, and request bodies over the
//! limit refused before they are read whole.

use crate::helpers::{json, TestApp};
use luodi::config::Layer;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_no_page_runs_inline_script() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let anon = app.anon();
    let answers = [
        office.get(app.url("/")).send().await.expect("page"),
        office
            .get(app.url("/api/v1/orgs"))
            .send()
            .await
            .expect("api"),
        anon.get(app.url("/login")).send().await.expect("login"),
        anon.get(app.url("/assets/luodi.css"))
            .send()
            .await
            .expect("asset"),
        office
            .get(app.url("/no/such/page"))
            .send()
            .await
            .expect("404"),
        anon.get(app.url("/api/v1/me")).send().await.expect("401"),
    ];
    for r in &answers {
        let csp = header(r, "content-security-policy");
        let script = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap_or_default();
        assert_eq!(script, "script-src 'self'", "{}: {csp}", r.url());
        assert!(csp.contains("frame-ancestors 'none'"), "{}: {csp}", r.url());
        assert_eq!(
            header(r, "x-content-type-options"),
            "nosniff",
            "{}",
            r.url()
        );
        assert_eq!(header(r, "x-frame-options"), "DENY", "{}", r.url());
        assert_eq!(header(r, "referrer-policy"), "same-origin", "{}", r.url());
        // Plain HTTP (no TLS configured): no HSTS, which would lock browsers out.
        assert!(r.headers().get("strict-transport-security").is_none());
    }
    // No page carries inline script or an inline event handler (CSP would block them).
    let pages = crate::attacks::crawl(&app, &office, 200).await;
    assert!(pages.len() > 30);
    for (path, body) in &pages {
        for chunk in body.split("<script").skip(1) {
            let tag = chunk.split('>').next().unwrap_or_default();
            assert!(tag.contains("src="), "{path}: inline <script{tag}>");
        }
        let lower = body.to_ascii_lowercase();
        for handler in [
            " onclick=",
            " onload=",
            " onsubmit=",
            " onchange=",
            " onerror=",
            "javascript:",
        ] {
            assert!(!lower.contains(handler), "{path}: {handler}");
        }
    }
}

#[tokio::test]
async fn behind_tls_cookies_are_secure_and_hsts_is_sent() {
    let app = TestApp::spawn_with(
        Arc::new(luodi_domain::SystemClock),
        Layer {
            secure_cookies: Some(true),
            ..Default::default()
        },
    )
    .await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let (_, r) = app.sign_in("office", crate::helpers::PW).await;
    assert!(header(&r, "strict-transport-security").starts_with("max-age="));
    let cookie = header(&r, "set-cookie");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite"),
        "{cookie}"
    );
}

#[tokio::test]
async fn cross_site_state_changes_are_refused_and_change_nothing() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let root = app.org_id(luodi::tools::demo::data::ROOT_CODE).await;
    let before = app.snapshot().await;
    let form = [("code", "CSRF-1"), ("name", "跨站"), ("kind", "unit")];
    for (name, value) in [
        ("Origin", "http://evil.example"),
        ("Sec-Fetch-Site", "cross-site"),
    ] {
        let r = office
            .post(app.url("/orgs"))
            .header(name, value)
            .form(&form)
            .query(&[("parent_id", root)])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        let (s, v) = json(
            office
                .post(app.url("/api/v1/orgs"))
                .header(name, value)
                .json(&json!({"code": "CSRF-2", "name": "跨站", "kind": "unit", "parent_id": root}))
                .send()
                .await
                .expect("post"),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(v["code"], "cross_site_request");
    }
    // An `Authorization` header does not turn the check off unless it is a valid API token
    // sent without the session cookie: browsers add `Basic …` by themselves behind an
    // authenticating proxy, and a made-up bearer proves nothing.
    for auth in ["Basic dXNlcjpwYXNz", "Bearer ldt_made_up", "Negotiate abc"] {
        let r = office
            .post(app.url("/orgs"))
            .header("Origin", "http://evil.example")
            .header("Authorization", auth)
            .form(&form)
            .query(&[("parent_id", root)])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{auth}");
    }
    assert_eq!(app.snapshot().await, before);
    // A script with a valid token and no cookie is not a browser: it passes.
    let (script, _) = app.bearer(&office, "script").await;
    let (s, v) = json(
        script
            .post(app.url("/api/v1/orgs"))
            .header("Origin", "http://evil.example")
            .json(&json!({"code": "TOKEN-1", "name": "脚本", "kind": "unit", "parent_id": root}))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // The same request from the site itself goes through.
    let (s, v) = json(
        office
            .post(app.url("/api/v1/orgs"))
            .header("Origin", app.base.clone())
            .json(&json!({"code": "SAME-1", "name": "同站", "kind": "unit", "parent_id": root}))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let app = TestApp::spawn_with(
        Arc::new(luodi_domain::SystemClock),
        Layer {
            max_upload_mb: Some(1),
            ..Default::default()
        },
    )
    .await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let before = app.snapshot().await;
    let big = "长".repeat(1024 * 1024);
    let r = office
        .post(app.url("/api/v1/orgs"))
        .json(&json!({"code": "BIG", "name": big, "kind": "unit", "parent_id": 1}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let r = office
        .post(app.url("/orgs"))
        .form(&[("code", "BIG"), ("name", big.as_str()), ("kind", "unit")])
        .send()
        .await
        .expect("post");
    let s = r.status();
    assert_eq!(
        s,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        r.text()
            .await
            .unwrap_or_default()
            .chars()
            .take(2000)
            .collect::<String>()
    );
    assert_eq!(app.snapshot().await, before);
}

/// `/metrics` lists every route and how busy it is: only the addresses the operator lists
/// (`metrics_allow`, loopback by default) or a scraper with `metrics_token` may read it. Behind
/// a trusted proxy the client, not the proxy, is judged.
#[tokio::test]
async fn metrics_are_served_only_to_listed_addresses_or_with_the_token() {
    let token = "scraper-token-0123456789";
    let app = TestApp::spawn_with(
        Arc::new(luodi_domain::SystemClock),
        Layer {
            metrics_allow: Some(vec!["10.9.9.0/24".into()]),
            metrics_token: Some(token.into()),
            trusted_proxies: Some(vec!["127.0.0.1".into()]),
            ..Default::default()
        },
    )
    .await;
    let c = app.anon();
    let (s, v) = json(
        c.get(app.url("/metrics"))
            .header("Accept", "application/json")
            .send()
            .await
            .expect("metrics"),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("metrics_not_allowed"))
    );
    for wrong in ["Bearer wrong-token-000000000", "Basic c2NyYXBlcjp4"] {
        let r = c
            .get(app.url("/metrics"))
            .header("Authorization", wrong)
            .send()
            .await
            .expect("metrics");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{wrong}");
    }
    let r = c
        .get(app.url("/metrics"))
        .bearer_auth(token)
        .send()
        .await
        .expect("metrics");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .text()
        .await
        .expect("text")
        .contains("luodi_http_requests_total"));
    // Through the proxy, from a listed address.
    let r = c
        .get(app.url("/metrics"))
        .header("X-Forwarded-For", "10.9.9.7")
        .send()
        .await
        .expect("metrics");
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .get(app.url("/metrics"))
        .header("X-Forwarded-For", "203.0.113.5")
        .send()
        .await
        .expect("metrics");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// Every refusal has the one error body `{code, message, details}` (or the error page), in
/// the reader's language with nothing left untranslated, and never echoes where a parser
/// stopped in the input.
#[tokio::test]
async fn every_refusal_has_the_error_body_and_echoes_nothing() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let cases: Vec<(reqwest::RequestBuilder, StatusCode)> = vec![
        (
            office.get(app.url("/api/v1/items?page=abc")),
            StatusCode::BAD_REQUEST,
        ),
        (
            office.get(app.url("/api/v1/items/not-a-number")),
            StatusCode::BAD_REQUEST,
        ),
        (
            office.get(app.url("/api/v1/no-such-thing")),
            StatusCode::NOT_FOUND,
        ),
        (
            office.delete(app.url("/api/v1/orgs")),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            office
                .post(app.url("/api/v1/orgs"))
                .header("content-type", "application/json")
                .body("{\"code\": \"X1\",\n  \"name\": 5, \"kind\": \"unit\"}"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            office
                .post(app.url("/api/v1/orgs"))
                .header("content-type", "application/json")
                .body("{\"code\": "),
            StatusCode::BAD_REQUEST,
        ),
        (
            office.post(app.url("/api/v1/orgs")).body("code=x"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ];
    for (req, want) in cases {
        let r = req.send().await.expect("send");
        let status = r.status();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = r.text().await.expect("body");
        assert_eq!(status, want, "{body}");
        assert!(ct.starts_with("application/json"), "{status}: {ct} {body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        assert!(
            v["code"].is_string() && v["message"].is_string() && v["details"].is_object(),
            "{body}"
        );
        for leak in ["{$", "$what", " line ", " column "] {
            assert!(!body.contains(leak), "{leak:?} in {body}");
        }
    }
    // Pages too: a page that does not exist says so in words.
    let r = office
        .get(app.url("/no/such/page"))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = r.text().await.expect("html");
    assert!(!html.contains("{$") && html.contains("页面"), "{html}");
}

/// Reads from a raw connection until the server closes it (or `limit` passes, which fails the
/// test): what the server wrote.
async fn until_closed(s: &mut tokio::net::TcpStream, limit: std::time::Duration) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return out,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => panic!(
                "the server kept the connection open: {}",
                String::from_utf8_lossy(&out)
            ),
        }
    }
}

/// Slow clients cannot hold the server's sockets: headers trickled in are cut off at the
/// header timeout, a declared body that never comes at the body timeout (408), and one
/// address holds at most `connections_per_address` connections; the server answers others
/// meanwhile.
#[tokio::test]
async fn slow_clients_are_cut_off_and_connections_per_address_are_capped() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn_with(
        Arc::new(luodi_domain::SystemClock),
        Layer {
            header_timeout_seconds: Some(1),
            body_timeout_seconds: Some(1),
            ..Default::default()
        },
    )
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    // Headers, one line at a time, never finished.
    let mut slow: Vec<tokio::net::TcpStream> = Vec::new();
    for _ in 0..20 {
        let mut s = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("write");
        slow.push(s);
    }
    let trickle = async {
        for i in 0..15 {
            for s in slow.iter_mut() {
                let _ = s.write_all(format!("X-Slow-{i}: 1\r\n").as_bytes()).await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    };
    // Meanwhile the server answers everyone else.
    let (_, health) = tokio::join!(trickle, async {
        app.anon()
            .get(app.url("/healthz"))
            .send()
            .await
            .expect("health")
            .status()
    });
    assert_eq!(health, StatusCode::OK);
    for s in slow.iter_mut() {
        let wrote = until_closed(s, std::time::Duration::from_secs(60)).await;
        assert!(
            !String::from_utf8_lossy(&wrote).contains("200 OK"),
            "never answered"
        );
    }
    // A declared body that never comes.
    let mut s = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    s.write_all(
        b"POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n{",
    )
    .await
    .expect("write");
    let wrote = until_closed(&mut s, std::time::Duration::from_secs(60)).await;
    let text = String::from_utf8_lossy(&wrote);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");

    // Connections per address.
    let capped = TestApp::spawn_with(
        Arc::new(luodi_domain::SystemClock),
        Layer {
            connections_per_address: Some(4),
            ..Default::default()
        },
    )
    .await;
    let addr = capped.base.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(
            tokio::net::TcpStream::connect(&addr)
                .await
                .expect("connect"),
        );
    }
    let mut fifth = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let _ = fifth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let wrote = until_closed(&mut fifth, std::time::Duration::from_secs(60)).await;
    assert!(
        wrote.is_empty(),
        "the fifth is closed unanswered: {}",
        String::from_utf8_lossy(&wrote)
    );
    drop(held.pop());
    // Once the server has seen one close, another may connect.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let mut s = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        let _ = s
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await;
        let wrote = until_closed(&mut s, std::time::Duration::from_secs(60)).await;
        if String::from_utf8_lossy(&wrote).starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no room freed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
