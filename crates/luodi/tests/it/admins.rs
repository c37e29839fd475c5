//! The three administrators (三员分立): no account holds two of their roles, each has only its
//! own powers, and the audit administrator changes nothing.

use crate::helpers::{json, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn no_account_holds_two_administrator_roles() {
    let app = TestApp::seeded().await;
    let sys = app.demo("sysadmin").await;
    let before = app.snapshot().await;
    for (user, role) in [
        ("secadmin", "audit_admin"),
        ("auditor", "system_admin"),
        ("auditor", "security_admin"),
        ("sysadmin", "audit_admin"),
    ] {
        let id = app.user_id(user).await;
        let r = sys
            .post(app.url(&format!("/api/v1/users/{id}/roles")))
            .json(&json!({"role": role, "org_id": null}))
            .send()
            .await
            .expect("grant");
        assert!(
            r.status().is_client_error(),
            "{user} + {role}: {}",
            r.status()
        );
    }
    // Nor through the CLI path, which skips authorization but not the rule.
    let err = luodi_service::accounts::grant_by_code(
        &app.svc,
        &luodi_service::Actor::cli(),
        "secadmin",
        "audit_admin",
        None,
    )
    .await;
    assert!(
        matches!(err, Err(luodi_service::ServiceError::Validation(_))),
        "{err:?}"
    );
    // An administrator does no business work either.
    let id = app.user_id("leader").await;
    let (s, v) = json(
        sys.post(app.url(&format!("/api/v1/users/{id}/roles")))
            .json(&json!({"role": "audit_admin", "org_id": null}))
            .send()
            .await
            .expect("grant"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn each_administrator_has_only_its_own_powers() {
    let app = TestApp::seeded().await;
    let sys = app.demo("sysadmin").await;
    let sec = app.demo("secadmin").await;

    // The system administrator creates an account but cannot give it a business role…
    let (s, v) = json(sys.post(app.url("/api/v1/users")).json(&json!({"username": "zhangsan", "display_name": "张三", "org_id": app.org_id("D-ARCHIVES").await})).send().await.expect("create")).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(v["initial_password"].as_str().is_some_and(|p| p.len() >= 8));
    let new_id = v["user"]["id"].as_i64().expect("id");
    let r = sys
        .post(app.url(&format!("/api/v1/users/{new_id}/roles")))
        .json(&json!({"role": "unit_liaison", "org_id": app.org_id("D-ARCHIVES").await}))
        .send()
        .await
        .expect("grant");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // …which the security administrator can, while it cannot create accounts or read the audit.
    let r = sec
        .post(app.url(&format!("/api/v1/users/{new_id}/roles")))
        .json(&json!({"role": "unit_liaison", "org_id": app.org_id("D-ARCHIVES").await}))
        .send()
        .await
        .expect("grant");
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = sec
        .post(app.url("/api/v1/users"))
        .json(&json!({"username": "lisi", "display_name": "李四"}))
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    for c in [&sys, &sec] {
        assert_eq!(
            c.get(app.url("/api/v1/audit"))
                .send()
                .await
                .expect("audit")
                .status(),
            StatusCode::FORBIDDEN
        );
    }
    // Nobody grants themselves anything.
    let me = app.user_id("secadmin").await;
    let r = sec
        .post(app.url(&format!("/api/v1/users/{me}/roles")))
        .json(&json!({"role": "security_admin", "org_id": app.org_id("210000").await}))
        .send()
        .await
        .expect("grant");
    assert!(r.status().is_client_error());
}

#[tokio::test]
async fn the_audit_administrator_changes_nothing() {
    let app = TestApp::seeded().await;
    let a = app.demo("auditor").await;
    let org = app.org_id("D-ARCHIVES").await;
    let user = app.user_id("liaison").await;
    let before = app.snapshot().await;
    let attempts = [
        (
            Method::POST,
            "/api/v1/orgs".to_owned(),
            json!({"code": "A-1", "name": "x", "kind": "unit", "parent_id": org}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/orgs/{org}"),
            json!({"name": "x", "version": 1}),
        ),
        (
            Method::POST,
            format!("/api/v1/orgs/{org}/move"),
            json!({"parent_id": null, "version": 1}),
        ),
        (
            Method::POST,
            "/api/v1/users".to_owned(),
            json!({"username": "x1x", "display_name": "x"}),
        ),
        (
            Method::POST,
            format!("/api/v1/users/{user}/disable"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/users/{user}/reset-password"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/users/{user}/roles"),
            json!({"role": "leader", "org_id": org}),
        ),
        (
            Method::POST,
            "/api/v1/campaigns".to_owned(),
            json!({"owner_org_id": org, "name": "x", "starts_on": "2026-09-01", "ends_on": "2026-10-01"}),
        ),
    ];
    for (m, path, body) in attempts {
        let r = a
            .request(m.clone(), app.url(&path))
            .json(&body)
            .send()
            .await
            .expect("send");
        assert!(
            matches!(r.status().as_u16(), 403 | 404 | 422),
            "{m} {path}: {}",
            r.status()
        );
    }
    assert_eq!(app.snapshot().await, before);
    // It reads the trail, including the refused login below.
    let _ = app
        .anon()
        .post(app.url("/login"))
        .form(&[("username", "office"), ("password", "wrong")])
        .send()
        .await;
    let (s, v) = json(
        a.get(app.url("/api/v1/audit?action=login&outcome=refused"))
            .send()
            .await
            .expect("audit"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|r| r["actor_name"] == "office"),
        "{v}"
    );
}

/// 三员: the system administrator alone cannot take over another administrator. A reset of an
/// administrator's password or second factor is only a request until a security
/// administrator (neither the one who asked nor the holder) approves it; the one-time password
/// then goes to the one who asked, once. Nobody resets their own password. Every step is
/// audited; a business account is still reset at once.
#[tokio::test]
async fn resetting_an_administrators_credentials_takes_a_second_administrator() {
    let app = TestApp::seeded().await;
    let sys = app.demo("sysadmin").await;
    let sec = app.demo("secadmin").await;
    let auditor_id = app.user_id("auditor").await;
    let sys_id = app.user_id("sysadmin").await;
    let post = |c: &reqwest::Client, path: String| {
        let r = c.post(app.url(&path)).json(&json!({})).send();
        async move { json(r.await.expect("post")).await }
    };

    // Not one's own password.
    let (s, v) = post(&sys, format!("/api/v1/users/{sys_id}/reset-password")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("own_password")),
        "{v}"
    );

    // The auditor's second factor and password: requests, nothing reset yet.
    let (s, totp) = post(&sys, format!("/api/v1/users/{auditor_id}/totp/reset")).await;
    assert_eq!(
        (s, totp["status"].as_str()),
        (StatusCode::ACCEPTED, Some("pending")),
        "{totp}"
    );
    let (s, pw) = post(&sys, format!("/api/v1/users/{auditor_id}/reset-password")).await;
    assert_eq!(
        (s, pw["kind"].as_str()),
        (StatusCode::ACCEPTED, Some("password")),
        "{pw}"
    );
    assert!(pw.get("password").is_none(), "{pw}");
    let (s, v) = post(&sys, format!("/api/v1/users/{auditor_id}/reset-password")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("reset_already_requested"))
    );
    let auditor = app.demo("auditor").await;
    let r = auditor.get(app.url("/audit")).send().await.expect("audit");
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the auditor still signs in and works"
    );

    // Neither the one who asked, nor the holder, nor a business role approves.
    let rid = pw["id"].as_i64().expect("id");
    for (who, c) in [
        ("sysadmin", &sys),
        ("auditor", &auditor),
        ("office", &app.demo("office").await),
    ] {
        let (s, v) = post(c, format!("/api/v1/credential-resets/{rid}/approve")).await;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
            "{who}: {s} {v}"
        );
    }
    // The security administrator approves: the auditor's sessions end, the old password fails.
    let (s, v) = post(&sec, format!("/api/v1/credential-resets/{rid}/approve")).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{v}"
    );
    assert!(v["password_waiting"].as_bool().unwrap_or(false), "{v}");
    let r = auditor.get(app.url("/api/v1/me")).send().await.expect("me");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (_, r) = app.sign_in("auditor", crate::helpers::PW).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The approver never sees the password; the one who asked gets it once.
    let (s, v) = post(&sec, format!("/api/v1/credential-resets/{rid}/collect")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_reset_request"))
    );
    let (s, v) = post(&sys, format!("/api/v1/credential-resets/{rid}/collect")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let one_time = v["password"].as_str().expect("password").to_owned();
    let (s, v) = post(&sys, format!("/api/v1/credential-resets/{rid}/collect")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("reset_password_collected"))
    );
    let (_, r) = app.sign_in("auditor", &one_time).await;
    assert_eq!(
        r.headers()["location"],
        "/password",
        "a one-time password is changed first"
    );
    // The stored request keeps no password once collected.
    let mut c = app.svc.db().read().await.expect("read");
    let left = luodi_store::db::scalar_i64(
        c.conn(),
        luodi_store::Sql::new(
            "SELECT COUNT(*) FROM credential_resets WHERE password_enc IS NOT NULL",
        ),
    )
    .await
    .expect("count");
    assert_eq!(left, 0);
    // Refusing the other request changes nothing.
    let tid = totp["id"].as_i64().expect("id");
    let (s, v) = post(&sec, format!("/api/v1/credential-resets/{tid}/refuse")).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("refused")),
        "{v}"
    );
    let (s, v) = post(&sec, format!("/api/v1/credential-resets/{tid}/approve")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("reset_not_pending"))
    );

    // A request about the security administrator: it cannot approve it itself.
    let sec_id = app.user_id("secadmin").await;
    let (s, v) = post(&sys, format!("/api/v1/users/{sec_id}/reset-password")).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let (s, v) = post(
        &sec,
        format!("/api/v1/credential-resets/{}/approve", v["id"]),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("own_credentials"))
    );

    // Every step is in the audit trail.
    for action in [
        "reset.request",
        "reset.approve",
        "user.reset_password",
        "reset.collect",
        "reset.refuse",
    ] {
        let n = luodi_store::db::scalar_i64(
            c.conn(),
            luodi_store::Sql::new("SELECT COUNT(*) FROM audit_log WHERE action = ").arg(action),
        )
        .await
        .expect("count");
        assert!(n >= 1, "{action}");
    }
    drop(c);

    // A business account: reset at once, as before.
    let office_id = app.user_id("office").await;
    let (s, v) = post(&sys, format!("/api/v1/users/{office_id}/reset-password")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["password"].is_string());

    // The pages: the request shows on the account and in the approvals list.
    let page = sec
        .get(app.url("/admin/resets"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("resets-table") && page.contains("data-status=\"pending\""));
}
