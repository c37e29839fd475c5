//! The second factor (TOTP): setting it up, signing in with it, a code working once, wrong
//! codes counting towards the lockout, the three administrators made to have one under
//! `dengbao3`, and its secret sealed at rest.

use crate::helpers::{json, TestApp, PW};
use luodi::config::Layer;
use luodi_domain::totp;
use reqwest::{Client, StatusCode};
use std::sync::Arc;

/// With the administrators' second factor required, as `dengbao3` has it by default.
async fn app_with(clock: Arc<luodi_domain::FixedClock>) -> TestApp {
    let app = TestApp::spawn_with(
        clock,
        Layer {
            totp_for_admins: Some(true),
            ..Default::default()
        },
    )
    .await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    app
}

fn clock() -> Arc<luodi_domain::FixedClock> {
    Arc::new(luodi_domain::FixedClock::new(chrono::Utc::now()))
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn code_now(app: &TestApp, secret: &str) -> String {
    let bytes = totp::from_base32(secret).expect("base32");
    totp::code(
        &bytes,
        totp::step_at(app.svc.now().timestamp()),
        totp::DIGITS,
    )
}

/// Sets up a second factor through the pages; returns the secret.
async fn enrol(app: &TestApp, c: &Client) -> String {
    let r = c
        .post(app.url("/account/totp/begin"))
        .send()
        .await
        .expect("begin");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = c
        .get(app.url("/account/totp"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("<svg"), "a QR code is drawn");
    let secret = page
        .split("id=\"totp-secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the secret is shown")
        .to_owned();
    // A wrong code does not switch it on.
    let r = c
        .post(app.url("/account/totp/confirm"))
        .form(&[("code", "000000")])
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .post(app.url("/account/totp/confirm"))
        .form(&[("code", code_now(app, &secret))])
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account/totp?ok=totp_enabled");
    secret
}

#[tokio::test]
async fn with_a_second_factor_a_sign_in_takes_the_password_and_then_a_code_once() {
    let clock = clock();
    let app = app_with(clock.clone()).await;
    let office = app.demo("office").await;
    let secret = enrol(&app, &office).await;

    // The secret is sealed at rest.
    let id = app.user_id("office").await;
    let mut c = app.svc.db().read().await.expect("read");
    let u = luodi_store::users::get(c.conn(), id)
        .await
        .expect("get")
        .expect("user");
    drop(c);
    let stored = u.totp_secret_enc.expect("stored");
    assert!(stored.starts_with("sm4gcm1:") && !stored.contains(&secret));

    clock.advance(chrono::Duration::seconds(60));
    let (c, r) = app.sign_in("office", PW).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login/totp"), "{}", location(&r));
    // Nothing but the code page is open yet.
    let (s, v) = json(c.get(app.url("/api/v1/me")).send().await.expect("me")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["code"], "second_factor_required");
    let r = c.get(app.url("/orgs")).send().await.expect("orgs");
    assert!(location(&r).starts_with("/login/totp"));

    // A wrong code: refused, and counted.
    let r = c
        .post(app.url("/login/totp"))
        .form(&[("code", "123456"), ("next", "/orgs")])
        .send()
        .await
        .expect("code");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.expect("text").contains("动态口令错误"));
    let code = code_now(&app, &secret);
    let r = c
        .post(app.url("/login/totp"))
        .form(&[("code", code.as_str()), ("next", "/orgs")])
        .send()
        .await
        .expect("code");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/orgs");
    let (s, v) = json(c.get(app.url("/api/v1/me")).send().await.expect("me")).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The same code does not open a second sign-in.
    let (c2, _) = app.sign_in("office", PW).await;
    let r = c2
        .post(app.url("/login/totp"))
        .form(&[("code", code.as_str())])
        .send()
        .await
        .expect("code");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a code works once");

    // Audited: the password step, the refused codes, the sign-in.
    let mut c = app.svc.db().read().await.expect("read");
    let n = luodi_store::db::scalar_i64(
        c.conn(),
        luodi_store::Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login.second_factor' AND outcome = 'refused'",
        ),
    )
    .await
    .expect("count");
    assert_eq!(n, 2);
}

#[tokio::test]
async fn wrong_codes_lock_the_account_like_wrong_passwords() {
    let clock = clock();
    let app = app_with(clock.clone()).await;
    let office = app.demo("office").await;
    let secret = enrol(&app, &office).await;
    clock.advance(chrono::Duration::seconds(60));
    let (c, _) = app.sign_in("office", PW).await;
    for _ in 0..5 {
        c.post(app.url("/login/totp"))
            .form(&[("code", "000000")])
            .send()
            .await
            .expect("code");
    }
    // Locked: even the right code (and the right password) are refused now.
    c.post(app.url("/login/totp"))
        .form(&[("code", code_now(&app, &secret))])
        .send()
        .await
        .expect("code");
    let r = c.get(app.url("/api/v1/me")).send().await.expect("me");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (_, r) = app.sign_in("office", PW).await;
    assert!(r.text().await.expect("text").contains("锁定"));
}

#[tokio::test]
async fn under_dengbao3_the_administrators_must_set_up_a_second_factor_first() {
    let clock = clock();
    let app = app_with(clock.clone()).await;
    for who in ["sysadmin", "secadmin", "auditor"] {
        let c = app.demo(who).await;
        let r = c.get(app.url("/admin/users")).send().await.expect("page");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{who}");
        assert_eq!(location(&r), "/account/totp", "{who}");
        let (s, v) = json(c.get(app.url("/api/v1/orgs")).send().await.expect("api")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        assert_eq!(v["code"], "second_factor_setup_required");
        let page = c
            .get(app.url("/account/totp"))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("text");
        assert!(page.contains("id=\"totp-required\""), "{who}");
    }
    // Business roles are not made to.
    let office = app.demo("office").await;
    let r = office.get(app.url("/orgs")).send().await.expect("orgs");
    assert_eq!(r.status(), StatusCode::OK);

    // Once set up, the system administrator works, with a code at each sign-in.
    let sys = app.demo("sysadmin").await;
    let secret = enrol(&app, &sys).await;
    let r = sys.get(app.url("/admin/users")).send().await.expect("page");
    assert_eq!(r.status(), StatusCode::OK);

    // A lost authenticator: another administrator over the account resets it (never one's own).
    let sys_id = app.user_id("sysadmin").await;
    let r = sys
        .post(app.url(&format!("/admin/users/{sys_id}/totp/reset")))
        .send()
        .await
        .expect("reset");
    assert!(
        location(&r).contains("refused=own_second_factor"),
        "{}",
        location(&r)
    );
    let office_id = app.user_id("office").await;
    let secret_office = enrol(&app, &office).await;
    let r = sys
        .post(app.url(&format!("/admin/users/{office_id}/totp/reset")))
        .send()
        .await
        .expect("reset");
    assert_eq!(
        location(&r),
        format!("/admin/users/{office_id}?ok=totp_reset")
    );
    clock.advance(chrono::Duration::seconds(60));
    let (_, r) = app.sign_in("office", PW).await;
    assert_eq!(location(&r), "/", "no code asked after the reset");
    assert_ne!(secret, secret_office);
}

#[tokio::test]
async fn the_demo_administrators_sign_in_with_the_printed_secret() {
    let app = app_with(clock()).await;
    luodi::tools::demo::enrol_admins(&app.svc)
        .await
        .expect("enrol");
    let (c, r) = app.sign_in("auditor", PW).await;
    assert!(location(&r).starts_with("/login/totp"));
    let r = c
        .post(app.url("/login/totp"))
        .form(&[("code", code_now(&app, luodi::tools::demo::DEMO_TOTP_SECRET))])
        .send()
        .await
        .expect("code");
    assert_eq!(location(&r), "/");
    let r = c.get(app.url("/audit")).send().await.expect("audit");
    assert_eq!(r.status(), StatusCode::OK);
}

/// Follows redirects by hand (at most `max`), from `path`: the paths visited and the last
/// answer's status.
async fn follow(app: &TestApp, c: &Client, path: &str, max: usize) -> (Vec<String>, StatusCode) {
    let mut seen = vec![path.to_owned()];
    let mut r = c.get(app.url(path)).send().await.expect("get");
    while r.status() == StatusCode::SEE_OTHER && seen.len() <= max {
        let next = location(&r);
        seen.push(next.clone());
        r = c.get(app.url(&next)).send().await.expect("get");
    }
    (seen, r.status())
}

/// Day 91 under `dengbao3` for an administrator with a second factor: the sign-in asks for
/// the code first, then leads to the password page, which opens (it used to send the browser
/// between the two pages forever); after the change everything opens. The same after a reset
/// of the password.
#[tokio::test]
async fn a_second_factor_and_a_required_password_change_come_one_after_the_other() {
    let clock = clock();
    let app = app_with(clock.clone()).await;
    // After a reset of the password (here by the operator on the server), the same order.
    let office_id = app.user_id("office").await;
    let office = app.demo("office").await;
    let office_secret = enrol(&app, &office).await;
    luodi_service::resets::reset_password(
        &app.svc,
        &luodi_service::Actor::cli(),
        office_id,
        Some("Temp#2027-kettle".into()),
    )
    .await
    .expect("reset");
    clock.advance(chrono::Duration::seconds(60));
    let (c, r) = app.sign_in("office", "Temp#2027-kettle").await;
    assert!(location(&r).starts_with("/login/totp"), "{}", location(&r));
    let r = c
        .post(app.url("/login/totp"))
        .form(&[
            ("code", code_now(&app, &office_secret).as_str()),
            ("next", "/ledger"),
        ])
        .send()
        .await
        .expect("code");
    assert_eq!(location(&r), "/password");
    let (seen, status) = follow(&app, &c, "/password", 5).await;
    assert_eq!((seen.len(), status), (1, StatusCode::OK), "{seen:?}");

    // Day 91: the password has expired.
    let sys = app.demo("sysadmin").await;
    let secret = enrol(&app, &sys).await;

    clock.advance(chrono::Duration::days(91));
    let (c, r) = app.sign_in("sysadmin", PW).await;
    assert!(location(&r).starts_with("/login/totp"), "{}", location(&r));
    // Before the code, the password page is not open: it leads to the code page, which opens.
    let (seen, status) = follow(&app, &c, "/password", 5).await;
    assert_eq!(status, StatusCode::OK, "{seen:?}");
    assert!(
        seen.last().is_some_and(|p| p.starts_with("/login/totp")),
        "{seen:?}"
    );
    let r = c
        .post(app.url("/login/totp"))
        .form(&[
            ("code", code_now(&app, &secret).as_str()),
            ("next", "/admin/users"),
        ])
        .send()
        .await
        .expect("code");
    assert_eq!(location(&r), "/password");
    let (seen, status) = follow(&app, &c, "/admin/users", 5).await;
    assert_eq!(seen, ["/admin/users", "/password"]);
    assert_eq!(status, StatusCode::OK);
    let (s, v) = json(c.get(app.url("/api/v1/orgs")).send().await.expect("api")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    let new = "Kettle#2027-sys";
    let r = c
        .post(app.url("/password"))
        .form(&[
            ("current_password", PW),
            ("new_password", new),
            ("confirm_password", new),
        ])
        .send()
        .await
        .expect("change");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (seen, status) = follow(&app, &c, "/admin/users", 5).await;
    assert_eq!((seen.len(), status), (1, StatusCode::OK), "{seen:?}");
}
