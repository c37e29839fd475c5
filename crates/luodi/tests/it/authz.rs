//! Everyone sees and changes only their own subtree. A unit liaison of the Dalian business-
//! environment bureau tries every org-scoped read and write on orgs, accounts and campaigns
//! outside its subtree — by session and by API token — and gets 403 or 404, with nothing changed
//! and no foreign row in any list.

use crate::helpers::{json, TestApp};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

struct Probe {
    method: Method,
    path: String,
    body: Option<Value>,
    /// The foreign org an HTML form names, if any.
    form_org: String,
}

fn probe(method: Method, path: String, body: Option<Value>) -> Probe {
    Probe {
        method,
        path,
        body,
        form_org: String::new(),
    }
}

fn form_on(path: &str, org: i64) -> Probe {
    Probe {
        method: Method::POST,
        path: path.to_owned(),
        body: None,
        form_org: org.to_string(),
    }
}

async fn foreign_campaign(app: &TestApp) -> i64 {
    let c = app.demo("shenyang_office").await;
    let owner = app.org_id("210100-OFFICE").await;
    let (s, v) = json(
        c.post(app.url("/api/v1/campaigns"))
            .json(&json!({"owner_org_id": owner, "name": "沈阳市科技创新专项整改", "starts_on": "2026-09-01", "ends_on": "2026-12-31", "scope_org_ids": [app.org_id("210100").await]}))
            .send()
            .await
            .expect("create"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_i64().expect("id")
}

async fn probes(app: &TestApp, campaign: i64) -> Vec<Probe> {
    let own = app.org_id("210200-BIZENV").await;
    let mut out = Vec::new();
    for code in ["D-TRANSPORT", "210100", "210000", "210200"] {
        let f = app.org_id(code).await;
        out.push(probe(Method::GET, format!("/api/v1/orgs/{f}"), None));
        out.push(probe(
            Method::GET,
            format!("/api/v1/orgs/{f}/children"),
            None,
        ));
        out.push(probe(Method::GET, format!("/api/v1/orgs?within={f}"), None));
        out.push(probe(
            Method::PATCH,
            format!("/api/v1/orgs/{f}"),
            Some(json!({"name": "篡改", "version": 1})),
        ));
        out.push(probe(
            Method::PATCH,
            format!("/api/v1/orgs/{f}"),
            Some(json!({"disabled": true, "version": 1})),
        ));
        out.push(probe(
            Method::POST,
            format!("/api/v1/orgs/{f}/move"),
            Some(json!({"parent_id": own, "version": 1})),
        ));
        out.push(probe(
            Method::POST,
            format!("/api/v1/orgs/{own}/move"),
            Some(json!({"parent_id": f, "version": 1})),
        ));
        out.push(probe(
            Method::POST,
            "/api/v1/orgs".into(),
            Some(json!({"code": "EVIL-1", "name": "越权单位", "kind": "unit", "parent_id": f})),
        ));
        out.push(probe(
            Method::POST,
            "/api/v1/users".into(),
            Some(json!({"username": "evil", "display_name": "越权", "org_id": f})),
        ));
        out.push(probe(Method::POST, "/api/v1/campaigns".into(), Some(json!({"owner_org_id": f, "name": "越权", "starts_on": "2026-09-01", "ends_on": "2026-10-01"}))));
        // Pages.
        out.push(probe(Method::GET, format!("/orgs/{f}"), None));
        out.push(probe(Method::GET, format!("/orgs/tree?parent={f}"), None));
        out.push(probe(Method::POST, format!("/orgs/{f}/edit"), None));
        out.push(probe(Method::POST, format!("/orgs/{f}/disable"), None));
        out.push(probe(Method::POST, format!("/orgs/{f}/enable"), None));
        out.push(probe(Method::POST, format!("/orgs/{f}/move"), None));
        out.push(form_on("/orgs", f));
        out.push(form_on("/campaigns", f));
        out.push(form_on("/scope", f));
    }
    for user in ["liaison", "shenyang_office", "sysadmin", "auditor"] {
        let u = app.user_id(user).await;
        out.push(probe(Method::GET, format!("/api/v1/users/{u}"), None));
        out.push(probe(
            Method::POST,
            format!("/api/v1/users/{u}/disable"),
            None,
        ));
        out.push(probe(
            Method::POST,
            format!("/api/v1/users/{u}/enable"),
            None,
        ));
        out.push(probe(
            Method::POST,
            format!("/api/v1/users/{u}/reset-password"),
            None,
        ));
        out.push(probe(
            Method::POST,
            format!("/api/v1/users/{u}/roles"),
            Some(json!({"role": "leader", "org_id": null})),
        ));
        out.push(probe(Method::GET, format!("/admin/users/{u}"), None));
        for action in ["roles", "disable", "enable", "reset-password"] {
            out.push(probe(
                Method::POST,
                format!("/admin/users/{u}/{action}"),
                None,
            ));
        }
    }
    let mut c = app.svc.db().read().await.expect("read");
    for b in luodi_store::users::bindings(c.conn(), app.user_id("liaison").await)
        .await
        .expect("bindings")
    {
        out.push(probe(
            Method::DELETE,
            format!("/api/v1/roles/{}", b.id),
            None,
        ));
    }
    out.push(probe(
        Method::GET,
        format!("/api/v1/campaigns/{campaign}"),
        None,
    ));
    out.push(probe(Method::PUT, format!("/api/v1/campaigns/{campaign}"), Some(json!({"owner_org_id": app.org_id("210100-OFFICE").await, "name": "x", "starts_on": "2026-09-01", "ends_on": "2026-10-01", "version": 1}))));
    out.push(probe(Method::GET, format!("/campaigns/{campaign}"), None));
    out.push(probe(
        Method::GET,
        format!("/campaigns/{campaign}/edit"),
        None,
    ));
    out.push(form_on(
        &format!("/campaigns/{campaign}/edit"),
        app.org_id("210100-OFFICE").await,
    ));
    out.push(form_on("/admin/users", app.org_id("210100").await));
    // Another user's API token.
    let other = app.token_client("liaison").await;
    let (_, tokens) = json(
        other
            .get(app.url("/api/v1/me/tokens"))
            .send()
            .await
            .expect("tokens"),
    )
    .await;
    let tid = tokens[0]["id"].as_i64().expect("token id");
    out.push(probe(
        Method::DELETE,
        format!("/api/v1/me/tokens/{tid}"),
        None,
    ));
    out.push(probe(
        Method::POST,
        format!("/account/tokens/{tid}/revoke"),
        None,
    ));
    out.push(probe(Method::GET, "/api/v1/audit".into(), None));
    out.push(probe(Method::GET, "/api/v1/users".into(), None));
    out.push(probe(Method::GET, "/audit".into(), None));
    out.push(probe(Method::GET, "/api/v1/audit/verify".into(), None));
    out.push(probe(Method::GET, "/api/v1/audit/purges".into(), None));
    out.push(probe(
        Method::POST,
        "/api/v1/audit/purges".into(),
        Some(json!({"before": "2020-01-01T00:00:00Z"})),
    ));
    out.push(probe(
        Method::GET,
        "/api/v1/audit/purges/1/archive".into(),
        None,
    ));
    out.push(probe(Method::GET, "/audit/chain".into(), None));
    out.push(probe(Method::POST, "/audit/chain/purge".into(), None));
    // Account requests (账号申请): none filed for a foreign unit, none acted on.
    for code in ["D-TRANSPORT", "210100", "210200-BIZENV"] {
        let f = app.org_id(code).await;
        out.push(probe(
            Method::POST,
            "/api/v1/account-requests".into(),
            Some(json!({"display_name": "越权", "org_id": f, "phone": "13912345678", "role": "unit_liaison"})),
        ));
    }
    out.push(form_on("/onboarding", own));
    let request = foreign_request(app).await;
    for step in ["create", "grant", "refuse"] {
        // (grant takes no body: an empty object is accepted and ignored)
        out.push(probe(
            Method::POST,
            format!("/api/v1/account-requests/{request}/{step}"),
            Some(if step == "refuse" {
                json!({"reason": "越权"})
            } else {
                json!({})
            }),
        ));
        out.push(probe(
            Method::POST,
            format!("/onboarding/{request}/{step}"),
            None,
        ));
    }
    out.push(probe(
        Method::GET,
        format!("/onboarding/sheet?ids={request}"),
        None,
    ));
    out
}

/// An account request the Shenyang office filed for one of its units.
async fn foreign_request(app: &TestApp) -> i64 {
    let c = app.demo("shenyang_office").await;
    let (s, v) = json(
        c.post(app.url("/api/v1/account-requests"))
            .json(&json!({"display_name": "沈阳新人", "org_code": "210102", "phone": "13912345678", "role": "unit_liaison"}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_i64().expect("id")
}

async fn assert_all_refused(app: &TestApp, c: &Client, who: &str, probes: &[Probe]) {
    let before = app.snapshot().await;
    for p in probes {
        let mut rb = c
            .request(p.method.clone(), app.url(&p.path))
            .header("accept", "application/json");
        if let Some(b) = &p.body {
            rb = rb.json(b);
        } else if p.method == Method::POST && !p.path.starts_with("/api/") {
            // A complete form, so that only authorization can refuse it.
            rb = rb.form(&[
                ("name", "篡改"),
                ("kind", "unit"),
                ("version", "1"),
                ("code", "EVIL-2"),
                ("parent_code", "210200-BIZENV"),
                ("parent_id", p.form_org.as_str()),
                ("org_id", p.form_org.as_str()),
                ("owner_org_id", p.form_org.as_str()),
                ("org_code", "210200-BIZENV"),
                ("username", "evil2"),
                ("display_name", "越权"),
                ("password", ""),
                ("role", "leader"),
                ("user_id", "1"),
                ("requirements", ""),
                ("fundamental_task", ""),
                ("starts_on", "2026-09-01"),
                ("ends_on", "2026-10-01"),
                ("time_zone", "Asia/Shanghai"),
                ("goals", ""),
                ("scope_codes", ""),
                ("before", "2020-01-01"),
            ]);
        }
        let r = rb.send().await.expect("send");
        let s = r.status();
        let body = r.text().await.unwrap_or_default();
        // A foreign org named in a body is answered like one that does not exist.
        let unknown = s == StatusCode::UNPROCESSABLE_ENTITY
            && (body.contains("\"unknown_org\"")
                || body.contains("\"unknown_parent\"")
                || body.contains("不在您的管理范围内"));
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND || unknown,
            "{who}: {} {} answered {s}: {body}",
            p.method,
            p.path
        );
    }
    assert_eq!(
        app.snapshot().await,
        before,
        "{who}: refused requests changed nothing"
    );
}

async fn own_subtree_codes(app: &TestApp) -> Vec<String> {
    let org =
        luodi_service::orgs::get_by_code(&app.svc, &luodi_service::Actor::cli(), "210200-BIZENV")
            .await
            .expect("org");
    let mut c = app.svc.db().read().await.expect("read");
    let f = luodi_store::orgs::OrgFilter {
        scopes: vec![org.path],
        include_disabled: true,
        ..Default::default()
    };
    luodi_store::orgs::list(c.conn(), &f, luodi_store::Page::new(1, 500))
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|n| n.org.code)
        .collect()
}

async fn assert_lists_stay_inside(app: &TestApp, c: &Client, who: &str, campaign: i64) {
    let own = own_subtree_codes(app).await;
    let (s, v) = json(
        c.get(app.url("/api/v1/orgs?per_page=500&include_disabled=true"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let codes: Vec<String> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|o| o["code"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        v["total"].as_i64(),
        Some(own.len() as i64),
        "{who}: total counts only its subtree"
    );
    for code in &codes {
        assert!(own.contains(code), "{who}: org list leaked {code}");
    }
    for q in ["辽宁省", "沈阳", "交通"] {
        let (_, v) = json(
            c.get(app.url(&format!("/api/v1/orgs?q={q}")))
                .send()
                .await
                .expect("search"),
        )
        .await;
        for o in v["items"].as_array().expect("items") {
            assert!(
                own.iter().any(|c| Some(c.as_str()) == o["code"].as_str()),
                "{who}: search {q} leaked {o}"
            );
        }
    }
    // The province campaign covers Dalian, so it is visible; Shenyang's own campaign is not.
    let (_, v) = json(
        c.get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("campaigns"),
    )
    .await;
    let ids: Vec<i64> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    assert!(
        !ids.contains(&campaign),
        "{who}: campaign list leaked Shenyang's campaign"
    );
    assert_eq!(ids.len(), 1);
    // Pages: the tree browser and the list show nothing from outside.
    let html = c
        .get(app.url("/orgs?per_page=500"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        !html.contains("辽宁省交通运输厅") && !html.contains("沈阳市科技局"),
        "{who}: org page leaked foreign names"
    );
    assert!(html.contains("大连市营商环境建设局"));
}

#[tokio::test]
async fn unit_liaison_cannot_reach_outside_its_subtree() {
    let app = TestApp::seeded().await;
    let campaign = foreign_campaign(&app).await;
    let probes = probes(&app, campaign).await;
    let session = app.demo("dalian_liaison").await;
    assert_all_refused(&app, &session, "session", &probes).await;
    assert_lists_stay_inside(&app, &session, "session", campaign).await;
    let token = app.token_client("dalian_liaison").await;
    assert_all_refused(&app, &token, "token", &probes).await;
    assert_lists_stay_inside(&app, &token, "token", campaign).await;
}

#[tokio::test]
async fn city_office_manages_its_city_only() {
    let app = TestApp::seeded().await;
    let c = app.demo("shenyang_office").await;
    let dalian = app.org_id("210200").await;
    let before = app.snapshot().await;
    for (m, path, body) in [
        (
            Method::PATCH,
            format!("/api/v1/orgs/{dalian}"),
            json!({"name": "x", "version": 1}),
        ),
        (
            Method::POST,
            "/api/v1/orgs".into(),
            json!({"code": "SY-X", "name": "x", "kind": "unit", "parent_id": dalian}),
        ),
    ] {
        let r = c
            .request(m, app.url(&path))
            .json(&body)
            .send()
            .await
            .expect("send");
        assert!(
            matches!(r.status().as_u16(), 403 | 404 | 422),
            "{path}: {}",
            r.status()
        );
    }
    assert_eq!(app.snapshot().await, before);
    // Inside its city it may act.
    let r = c.post(app.url("/api/v1/orgs")).json(&json!({"code": "SY-OK", "name": "沈阳市新设单位", "kind": "unit", "parent_id": app.org_id("210100").await})).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::CREATED);
    // A leader reads but changes nothing, even inside its scope.
    let leader = app.demo("leader").await;
    let id = app.org_id("210100").await;
    let r = leader
        .get(app.url(&format!("/api/v1/orgs/{id}")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let r = leader
        .patch(app.url(&format!("/api/v1/orgs/{id}")))
        .json(&json!({"name": "x", "version": 1}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signed_out_requests_are_refused() {
    let app = TestApp::seeded().await;
    let c = app.anon();
    for path in [
        "/api/v1/orgs",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/campaigns",
        "/api/v1/audit",
        "/api/v1/audit/verify",
        "/api/v1/audit/purges",
    ] {
        let (s, v) = json(c.get(app.url(path)).send().await.expect("send")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(v["code"], "unauthenticated");
    }
    let r = c.get(app.url("/orgs")).send().await.expect("page");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap_or("")
            .starts_with("/login?next=%2Forgs")
            || r.headers()["location"]
                .to_str()
                .unwrap_or("")
                .starts_with("/login?next=/orgs")
    );
    let bad = Client::new();
    let r = bad
        .get(app.url("/api/v1/me"))
        .bearer_auth("ldt_notatoken")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
