//! Signing in and out, the first administrator, the language switch, the cross-site guard, and
//! the endpoints for operators (OpenAPI, health, metrics).

use crate::helpers::{json, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::json;

#[tokio::test]
async fn first_start_admin_must_change_the_one_time_password() {
    let app = TestApp::spawn().await;
    let (user, pw) = luodi_service::auth::bootstrap_admin(&app.svc)
        .await
        .expect("bootstrap")
        .expect("created on an empty database");
    assert!(
        luodi_service::auth::bootstrap_admin(&app.svc)
            .await
            .expect("again")
            .is_none(),
        "only once"
    );
    let c = app.login(&user, &pw).await;
    let (s, v) = json(c.get(app.url("/api/v1/orgs")).send().await.expect("send")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    let r = c.get(app.url("/orgs")).send().await.expect("page");
    assert_eq!(r.headers()["location"], "/password");
    // A weak new password is refused with the reason; a good one unlocks the account.
    let (s, v) = json(
        c.post(app.url("/api/v1/me/password"))
            .json(&json!({"current_password": pw, "new_password": "password"}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["details"]["fields"][0]["field"], "new_password");
    let r = c
        .post(app.url("/api/v1/me/password"))
        .json(&json!({"current_password": pw, "new_password": "Xin@Mima2026"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, me) = json(c.get(app.url("/api/v1/me")).send().await.expect("me")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["roles"][0]["role"], "system_admin");
    // The stored password is an argon2id hash, never the password.
    let mut conn = app.svc.db().read().await.expect("read");
    let u = luodi_store::users::get_by_username(conn.conn(), &user)
        .await
        .expect("query")
        .expect("user");
    assert!(u.password_hash.starts_with("$argon2id$") && !u.password_hash.contains(&pw));
}

#[tokio::test]
async fn login_sets_a_safe_cookie_and_logout_ends_the_session() {
    let app = TestApp::seeded().await;
    let c = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "leader"), ("password", crate::helpers::PW)])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("luodi_session="))
        .expect("session cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let token = cookie
        .trim_start_matches("luodi_session=")
        .split(';')
        .next()
        .expect("value")
        .to_owned();
    let me = |t: String| {
        let c = c.clone();
        let url = app.url("/api/v1/me");
        async move {
            c.get(url)
                .header("cookie", format!("luodi_session={t}"))
                .send()
                .await
                .expect("me")
                .status()
        }
    };
    assert_eq!(me(token.clone()).await, StatusCode::OK);
    let r = c
        .post(app.url("/logout"))
        .header("cookie", format!("luodi_session={token}"))
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        me(token).await,
        StatusCode::UNAUTHORIZED,
        "the session is gone from the database"
    );

    let r = c
        .post(app.url("/login"))
        .form(&[("username", "leader"), ("password", "nope")])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.expect("html").contains("用户名或密码错误"));
}

#[tokio::test]
async fn language_choice_is_remembered_per_user() {
    let app = TestApp::seeded().await;
    let c = app.demo("liaison").await;
    let html = c
        .get(app.url("/"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("html");
    assert!(html.contains("待办") && html.contains("lang=\"zh-CN\""));
    let r = c
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("back", "/")])
        .send()
        .await
        .expect("lang");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = c
        .get(app.url("/"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Dashboard") && html.contains("lang=\"en\""));
    // A new browser for the same account starts in the account's language.
    let c2 = app.demo("liaison").await;
    let html = c2
        .get(app.url("/"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("html");
    assert!(html.contains("lang=\"en\""), "remembered on the account");
    let (_, me) = json(c2.get(app.url("/api/v1/me")).send().await.expect("me")).await;
    assert_eq!(me["locale"], "en");
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = TestApp::seeded().await;
    let c = app.demo("office").await;
    let root = app.org_id("210000").await;
    let before = app.snapshot().await;
    for (h, v) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "http://evil.example"),
    ] {
        let r = c
            .post(app.url("/api/v1/orgs"))
            .header(h, v)
            .json(&json!({"code": "CSRF-1", "name": "x", "kind": "unit", "parent_id": root}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{h}");
    }
    assert_eq!(app.snapshot().await, before);
    let r = c
        .post(app.url("/api/v1/orgs"))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"code": "CSRF-2", "name": "x", "kind": "unit", "parent_id": root}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn operators_endpoints_answer() {
    let app = TestApp::seeded().await;
    let c = app.anon();
    let (s, h) = json(c.get(app.url("/healthz")).send().await.expect("health")).await;
    assert_eq!((s, h["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, doc) = json(
        c.get(app.url("/api/openapi.json"))
            .send()
            .await
            .expect("openapi"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    for p in [
        "/orgs",
        "/orgs/{id}",
        "/orgs/{id}/move",
        "/orgs/import",
        "/users",
        "/users/{id}/roles",
        "/campaigns",
        "/audit",
        "/me/tokens",
    ] {
        assert!(doc["paths"].get(p).is_some(), "OpenAPI documents {p}");
    }
    let r = c.get(app.url("/api/docs/")).send().await.expect("docs");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("swagger") && !html.contains("https://"),
        "Swagger UI is served offline"
    );
    let _ = app.demo("office").await.get(app.url("/orgs")).send().await;
    let m = c
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        m.contains("luodi_http_requests_total{method=\"GET\",route=\"/orgs\",status=\"200\"}"),
        "{m}"
    );
    assert!(m.contains("luodi_db_up 1"));
    let r = c.get(app.url("/")).send().await.expect("home");
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
    ] {
        assert!(r.headers().contains_key(h), "{h}");
    }
    // Every asset is in the binary.
    for a in [
        "/assets/luodi.css",
        "/assets/luodi.js",
        "/assets/favicon.svg",
    ] {
        assert_eq!(
            c.get(app.url(a)).send().await.expect("asset").status(),
            StatusCode::OK,
            "{a}"
        );
    }
}

/// Principals are reused for a moment between requests; a revocation or a disabled account
/// still takes effect at the very next request.
#[tokio::test]
async fn a_revoked_token_or_a_disabled_account_is_refused_at_the_next_request() {
    let app = TestApp::seeded().await;
    let c = app.demo("liaison").await;
    let me = |b: &Client| {
        let r = b.get(app.url("/api/v1/me")).send();
        async move { r.await.expect("me").status() }
    };
    let (b, tid) = app.bearer(&c, "cli").await;
    assert_eq!(me(&b).await, StatusCode::OK);
    assert_eq!(me(&b).await, StatusCode::OK);
    let r = c
        .delete(app.url(&format!("/api/v1/me/tokens/{tid}")))
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&b).await, StatusCode::UNAUTHORIZED, "revoked token");

    let (b, _) = app.bearer(&c, "cli").await;
    assert_eq!(me(&b).await, StatusCode::OK);
    let (_, who) = json(c.get(app.url("/api/v1/me")).send().await.expect("me")).await;
    let id = who["id"].as_i64().expect("id");
    let sys = app.demo("sysadmin").await;
    let r = sys
        .post(app.url(&format!("/api/v1/users/{id}/disable")))
        .json(&json!({}))
        .send()
        .await
        .expect("disable");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        me(&b).await,
        StatusCode::UNAUTHORIZED,
        "disabled account, token"
    );
    assert_eq!(
        me(&c).await,
        StatusCode::UNAUTHORIZED,
        "disabled account, session"
    );
}

/// Five wrong passwords in a row lock an account for 30 minutes: the right password is then
/// refused too, with a message that says why. The lock ends on time, a good sign-in clears the
/// count, and a password reset by the system administrator ends a lock at once. Each lock is
/// audited.
#[tokio::test]
async fn five_failed_sign_ins_lock_an_account_for_thirty_minutes() {
    let clock = std::sync::Arc::new(luodi_domain::FixedClock::new(chrono::Utc::now()));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let c = app.anon();
    let sign_in = |pw: &'static str| {
        let c = c.clone();
        let url = app.url("/login");
        async move {
            let r = c
                .post(url)
                .form(&[("username", "leader"), ("password", pw)])
                .send()
                .await
                .expect("login");
            (r.status(), r.text().await.unwrap_or_default())
        }
    };
    let pw = crate::helpers::PW;
    for _ in 0..5 {
        assert_eq!(sign_in("wrong-password").await.0, StatusCode::UNAUTHORIZED);
    }
    let (status, page) = sign_in(pw).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "locked: the right password is refused"
    );
    assert!(page.contains("连续登录失败"), "the page says why");
    let leader = app.user_id("leader").await;
    let mut conn = app.svc.db().read().await.expect("read");
    let locks = luodi_store::db::scalar_i64(
        conn.conn(),
        luodi_store::Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'account.lock' AND object_id = ",
        )
        .arg(leader.to_string()),
    )
    .await
    .expect("audit");
    drop(conn);
    assert_eq!(locks, 1, "the lock is audited");

    // Still locked a minute before the end; free at the end.
    clock.advance(chrono::Duration::minutes(29));
    assert!(sign_in(pw).await.1.contains("连续登录失败"));
    clock.advance(chrono::Duration::minutes(1));
    assert_eq!(
        sign_in(pw).await.0,
        StatusCode::SEE_OTHER,
        "the lock ran out"
    );

    // A good sign-in clears the count: four more failures do not lock.
    for _ in 0..4 {
        assert_eq!(sign_in("wrong-password").await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(sign_in(pw).await.0, StatusCode::SEE_OTHER);

    // Locked again; the system administrator's reset ends it at once.
    for _ in 0..5 {
        sign_in("wrong-password").await;
    }
    assert!(sign_in(pw).await.1.contains("连续登录失败"));
    let admin = app.demo("sysadmin").await;
    let (st, v) = json(
        admin
            .post(app.url(&format!("/api/v1/users/{leader}/reset-password")))
            .send()
            .await
            .expect("reset"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let new_pw = v["password"].as_str().expect("password").to_owned();
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "leader"), ("password", new_pw.as_str())])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "a reset ends the lock");
}

/// Behind a trusted reverse proxy the client is the address in `X-Forwarded-For`: it is what the
/// audit trail and the session record, and failed sign-ins are counted per such address, so that
/// one address trying many accounts is refused (429) while others sign in. From anyone else the
/// header is ignored.
#[tokio::test]
async fn failed_sign_ins_are_counted_per_client_address_behind_a_trusted_proxy() {
    let clock = std::sync::Arc::new(luodi_domain::FixedClock::new(chrono::Utc::now()));
    let app = TestApp::spawn_with(
        clock.clone(),
        luodi::config::Layer {
            address_attempts: Some(3),
            trusted_proxies: Some(vec!["127.0.0.1".into(), "::1".into()]),
            ..Default::default()
        },
    )
    .await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let c = app.anon();
    let sign_in = |user: &'static str, pw: &'static str, from: &'static str| {
        let c = c.clone();
        let url = app.url("/login");
        async move {
            let r = c
                .post(url)
                .header("x-forwarded-for", format!("1.2.3.4, {from}"))
                .form(&[("username", user), ("password", pw)])
                .send()
                .await
                .expect("login");
            (r.status(), r.text().await.unwrap_or_default())
        }
    };
    let pw = crate::helpers::PW;
    // Three accounts, one wrong password each, from one address.
    for user in ["leader", "office", "nobody-at-all"] {
        assert_eq!(
            sign_in(user, "wrong-password", "198.51.100.7").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, page) = sign_in("supervisor", pw, "198.51.100.7").await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the address is refused"
    );
    assert!(page.contains("登录失败次数过多"), "{page}");
    // Another address signs in, and is recorded as itself (not the proxy, not the forged hop).
    assert_eq!(
        sign_in("supervisor", pw, "198.51.100.8").await.0,
        StatusCode::SEE_OTHER
    );
    let mut conn = app.svc.db().read().await.expect("read");
    let ip_of = |action: &'static str, outcome: &'static str| {
        luodi_store::Sql::new("SELECT COALESCE(MAX(ip), '') FROM audit_log WHERE action = ")
            .arg(action)
            .push(" AND outcome = ")
            .arg(outcome)
    };
    let (ok,): (String,) = luodi_store::db::fetch_one(conn.conn(), ip_of("login", "ok"))
        .await
        .expect("audit");
    assert_eq!(ok, "198.51.100.8");
    let (throttled,): (String,) =
        luodi_store::db::fetch_one(conn.conn(), ip_of("login.throttled", "refused"))
            .await
            .expect("audit");
    assert_eq!(throttled, "198.51.100.7");
    drop(conn);
    // The refusal ends with the window.
    clock.advance(chrono::Duration::minutes(30));
    assert_eq!(
        sign_in("supervisor", pw, "198.51.100.7").await.0,
        StatusCode::SEE_OTHER
    );
}

/// Without trusted proxies `X-Forwarded-For` is whatever the client wrote: it is ignored, and the
/// address recorded is the connection's.
#[tokio::test]
async fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored() {
    let app = TestApp::seeded().await;
    let r = app
        .anon()
        .post(app.url("/login"))
        .header("x-forwarded-for", "198.51.100.7")
        .form(&[("username", "leader"), ("password", crate::helpers::PW)])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut conn = app.svc.db().read().await.expect("read");
    let (ip,): (String,) = luodi_store::db::fetch_one(
        conn.conn(),
        luodi_store::Sql::new("SELECT COALESCE(MAX(ip), '') FROM sessions"),
    )
    .await
    .expect("session");
    assert!(ip == "127.0.0.1" || ip == "::1", "{ip}");
}

/// The `dengbao3` preset (the default): a common password is refused even when it mixes three
/// classes, and a password 90 days old must be changed at the next sign-in (audited).
#[tokio::test]
async fn dengbao3_refuses_common_passwords_and_expires_them_after_90_days() {
    let clock = std::sync::Arc::new(luodi_domain::FixedClock::new(chrono::Utc::now()));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let c = app.demo("leader").await;
    let change = |new: &'static str| change_password(&app, &c, crate::helpers::PW, new);
    let (st, v) = change("P@ssw0rd").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("password_too_common"), "{v}");

    // 89 days on: nothing asked; 90 days: the sign-in leads to the password page, and the API
    // refuses everything else until the password is changed.
    clock.advance(chrono::Duration::days(89));
    let (_, r) = app.sign_in("leader", crate::helpers::PW).await;
    assert_eq!(r.headers()["location"], "/");
    clock.advance(chrono::Duration::days(1));
    let (c, r) = app.sign_in("leader", crate::helpers::PW).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_ne!(r.headers()["location"], "/", "sent to change the password");
    let (st, v) = json(c.get(app.url("/api/v1/items")).send().await.expect("items")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(v["code"], "password_change_required", "{v}");
    let mut conn = app.svc.db().read().await.expect("read");
    let n = luodi_store::db::scalar_i64(
        conn.conn(),
        luodi_store::Sql::new("SELECT COUNT(*) FROM audit_log WHERE action = 'password.expired'"),
    )
    .await
    .expect("audit");
    assert_eq!(n, 1);
}

/// The `asvs` preset: 12 characters at least, no composition rule, common passwords refused,
/// no forced change.
#[tokio::test]
async fn asvs_wants_length_not_composition_and_never_expires() {
    let clock = std::sync::Arc::new(luodi_domain::FixedClock::new(chrono::Utc::now()));
    let app = TestApp::spawn_with(
        clock.clone(),
        luodi::config::Layer {
            password_policy: Some("asvs".into()),
            ..Default::default()
        },
    )
    .await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let c = app.demo("leader").await;
    let change = |current: &'static str, new: &'static str| change_password(&app, &c, current, new);
    let pw = crate::helpers::PW;
    let (st, v) = change(pw, "Xy7#kLm2pQ").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "10 characters: {v}");
    assert!(v.to_string().contains("password_too_short_asvs"), "{v}");
    let (st, v) = change(pw, "1qaz2wsx3edc").await;
    assert!(v.to_string().contains("password_too_common"), "{st} {v}");
    let (st, v) = change(pw, "tea kettle under the stairs").await;
    assert!(st.is_success(), "lowercase words are enough: {st} {v}");
    clock.advance(chrono::Duration::days(400));
    let (_, r) = app.sign_in("leader", "tea kettle under the stairs").await;
    assert_eq!(r.headers()["location"], "/", "no forced change under asvs");
}

/// Under `dengbao3` a new password must differ from the account's last five.
#[tokio::test]
async fn the_last_five_passwords_are_not_reused() {
    let app = TestApp::seeded().await;
    let c = app.demo("leader").await;
    let mut current = crate::helpers::PW.to_owned();
    for i in 1..=4 {
        let new = format!("Kettle#204{i}x");
        let (st, v) = change_password(&app, &c, &current, &new).await;
        assert!(st.is_success(), "{i}: {st} {v}");
        current = new;
    }
    // The last five are the current one, three Kettles and the demo password: the demo
    // password and a Kettle are refused.
    let (st, v) = change_password(&app, &c, &current, crate::helpers::PW).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("password_reused"), "{v}");
    let (_, v) = change_password(&app, &c, &current, "Kettle#2042x").await;
    assert!(v.to_string().contains("password_reused"), "{v}");
    // One more change, and the demo password has dropped out of the last five.
    let (st, _) = change_password(&app, &c, &current, "Kettle#2045x").await;
    assert!(st.is_success());
    let (st, v) = change_password(&app, &c, "Kettle#2045x", crate::helpers::PW).await;
    assert!(st.is_success(), "six back may be used again: {st} {v}");
}

/// Changes the signed-in account's password through the API: the status and the answer.
async fn change_password(
    app: &TestApp,
    c: &Client,
    current: &str,
    new: &str,
) -> (StatusCode, serde_json::Value) {
    json(
        c.post(app.url("/api/v1/me/password"))
            .json(&json!({ "current_password": current, "new_password": new }))
            .send()
            .await
            .expect("change"),
    )
    .await
}

/// `next=` and `back=` lead only to a path of this site: a tab, a newline, a backslash or a
/// second slash (which browsers read as another host) sends the browser home instead, and a
/// newline no longer answers 500 after the session was made.
#[tokio::test]
async fn next_and_back_lead_only_to_a_path_of_this_site() {
    let app = TestApp::seeded().await;
    for (next, want) in [
        ("/\t/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("//evil.example", "/"),
        ("/a\nSet-Cookie: x=1", "/"),
        ("https://evil.example/", "/"),
        ("/ledger?light=red", "/ledger?light=red"),
    ] {
        let c = app.anon();
        let r = c
            .post(app.url("/login"))
            .form(&[
                ("username", "office"),
                ("password", crate::helpers::PW),
                ("next", next),
            ])
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.headers()["location"], want, "{next:?}");
        let r = c
            .post(app.url("/lang"))
            .form(&[("lang", "en"), ("back", next)])
            .send()
            .await
            .expect("lang");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.headers()["location"], want, "{next:?}");
    }
    let page = app
        .anon()
        .get(app.url("/login?next=/%09/evil.example"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        !page.contains("evil.example"),
        "the form does not carry it on"
    );
}

/// Changing one's own password ends the account's other sessions (this one goes on); a reset
/// by the system administrator, or disabling, also revokes the account's API tokens, which do
/// not come back when the account is enabled again.
#[tokio::test]
async fn a_password_change_ends_other_sessions_and_a_reset_or_disable_revokes_tokens() {
    let app = TestApp::seeded().await;
    let me = |c: &Client| {
        let r = c.get(app.url("/api/v1/me")).send();
        async move { r.await.expect("me").status() }
    };
    let here = app.demo("liaison").await;
    let elsewhere = app.demo("liaison").await;
    let (script, _) = app.bearer(&here, "script").await;
    let (st, v) = change_password(&app, &here, crate::helpers::PW, "Kettle#2027-new").await;
    assert!(st.is_success(), "{st} {v}");
    assert_eq!(
        me(&here).await,
        StatusCode::OK,
        "the session that changed it"
    );
    assert_eq!(
        me(&elsewhere).await,
        StatusCode::UNAUTHORIZED,
        "another session"
    );
    assert_eq!(
        me(&script).await,
        StatusCode::OK,
        "a token is not a password"
    );

    let id = app.user_id("liaison").await;
    let sys = app.demo("sysadmin").await;
    let r = sys
        .post(app.url(&format!("/api/v1/users/{id}/disable")))
        .json(&json!({}))
        .send()
        .await
        .expect("disable");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = sys
        .post(app.url(&format!("/api/v1/users/{id}/enable")))
        .json(&json!({}))
        .send()
        .await
        .expect("enable");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        me(&script).await,
        StatusCode::UNAUTHORIZED,
        "not back after enabling"
    );

    let c = app.login("liaison", "Kettle#2027-new").await;
    let (script, _) = app.bearer(&c, "script").await;
    assert_eq!(me(&script).await, StatusCode::OK);
    luodi_service::resets::reset_password(&app.svc, &luodi_service::Actor::cli(), id, None)
        .await
        .expect("reset");
    assert_eq!(
        me(&script).await,
        StatusCode::UNAUTHORIZED,
        "revoked by the reset"
    );
    assert_eq!(
        me(&c).await,
        StatusCode::UNAUTHORIZED,
        "signed out by the reset"
    );
}

/// A wrong password under a name that is no account costs the same password check as under an
/// account, and such a name is locked after five tries as an account is: neither the answers
/// nor the work behind them tell which usernames exist.
#[tokio::test]
async fn unknown_names_are_answered_as_accounts_are() {
    use std::sync::atomic::Ordering;
    let app = TestApp::seeded().await;
    let checks = || app.svc.password_checks.load(Ordering::Relaxed);
    let before = checks();
    let mut answers = Vec::new();
    for name in ["office", "ghost_of_nobody"] {
        for _ in 0..6 {
            let (_, r) = app.sign_in(name, "Wrong#2027-pass").await;
            let status = r.status();
            let page = r.text().await.expect("page");
            let locked = page.contains("锁定");
            answers.push((name, status, locked));
        }
    }
    // Five checks each; the sixth attempt is refused as locked before any check.
    assert_eq!(checks() - before, 10, "{answers:?}");
    let (office, ghost) = answers.split_at(6);
    for (a, b) in office.iter().zip(ghost) {
        assert_eq!((a.1, a.2), (b.1, b.2), "{answers:?}");
    }
    assert!(office[5].2, "the sixth is answered as locked: {answers:?}");
}
