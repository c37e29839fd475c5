//! 账号申请 (account requests) inside 三员: the campaign office asks, the system administrator
//! creates the account (the one-time password shown once, on a sheet), the security
//! administrator grants the role; the new person signs in, changes the password and sees their
//! to-do. The office cannot create or grant; a city office cannot ask for another city's unit;
//! a business role's scope is always chosen; every step is audited.

use crate::helpers::{json, TestApp, PW};
use luodi::config::Layer;
use luodi_domain::totp;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The demo data with the administrators' second factor required and set up (the printed
/// demo secret).
async fn app_with_totp() -> TestApp {
    let clock = Arc::new(luodi_domain::FixedClock::new(chrono::Utc::now()));
    let app = TestApp::spawn_with(
        clock,
        Layer {
            totp_for_admins: Some(true),
            ..Default::default()
        },
    )
    .await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    luodi::tools::demo::enrol_admins(&app.svc)
        .await
        .expect("enrol");
    app
}

/// An administrator signed in with the password and then the code.
async fn admin(app: &TestApp, who: &str) -> Client {
    let (c, r) = app.sign_in(who, PW).await;
    assert!(location(&r).starts_with("/login/totp"), "{who}: {r:?}");
    let bytes = totp::from_base32(luodi::tools::demo::DEMO_TOTP_SECRET).expect("base32");
    let code = totp::code(
        &bytes,
        totp::step_at(app.svc.now().timestamp()),
        totp::DIGITS,
    );
    let r = c
        .post(app.url("/login/totp"))
        .form(&[("code", code)])
        .send()
        .await
        .expect("code");
    assert_eq!(location(&r), "/", "{who}");
    c
}

/// How many audit records of `action` name request (or account) `id`.
async fn audited(app: &TestApp, action: &str, id: i64) -> i64 {
    let mut c = app.svc.db().read().await.expect("read");
    luodi_store::db::scalar_i64(
        c.conn(),
        luodi_store::Sql::new("SELECT COUNT(*) FROM audit_log WHERE action = ")
            .arg(action)
            .push(" AND object_id = ")
            .arg(id.to_string())
            .push(" AND actor_id IS NOT NULL"),
    )
    .await
    .expect("count")
}

async fn page(app: &TestApp, c: &Client, path: &str) -> (StatusCode, String) {
    let r = c.get(app.url(path)).send().await.expect("get");
    (r.status(), r.text().await.expect("body"))
}

/// The request filed through the office's form: its id (the newest row of the list).
async fn file_request(app: &TestApp, office: &Client, name: &str, unit: &str) -> i64 {
    let r = office
        .post(app.url("/onboarding"))
        .form(&[
            ("display_name", name),
            ("org_code", unit),
            ("phone", "13912345678"),
            ("email", ""),
            ("role", "unit_liaison"),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/onboarding?ok=onboarding_requested");
    let (s, v) = json(
        office
            .get(app.url("/api/v1/account-requests"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let first = &v["items"][0];
    assert_eq!(first["display_name"], name);
    assert_eq!(first["status"], "requested");
    first["id"].as_i64().expect("id")
}

fn group<'a>(todo: &'a Value, kind: &str) -> Option<&'a Value> {
    todo["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["kind"] == kind)
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

#[tokio::test]
async fn an_office_request_becomes_an_account_with_its_role_in_two_administrator_steps() {
    let app = app_with_totp().await;
    let office = app.demo("office").await;
    let sys = admin(&app, "sysadmin").await;
    let sec = admin(&app, "secadmin").await;

    // The office sees the way in the side navigation and on the page.
    let (s, body) = page(&app, &office, "/onboarding").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("id=\"nav-onboarding\""));
    assert!(body.contains("id=\"onboarding-form\""));
    assert!(body.contains("data-picker=\"org\""));
    // The accounts list tells the office this is the way to add people.
    let (_, users) = page(&app, &office, "/admin/users").await;
    assert!(users.contains("id=\"users-request-hint\""), "{users}");
    assert!(!users.contains("id=\"user-new\""));
    let id = file_request(&app, &office, "钱进", "D-ARCHIVES").await;
    assert_eq!(audited(&app, "account_request.create", id).await, 1);

    // The system administrator has it to do, and creates it in one step (the username
    // proposed, editable), landing on the sheet with the one-time password, once.
    let t = todo(&app, &sys).await;
    let g = group(&t, "onboarding_to_create").expect("to create");
    assert_eq!(
        (g["count"].as_i64(), g["path"].as_str()),
        (Some(1), Some("/onboarding"))
    );
    let (_, body) = page(&app, &sys, "/onboarding").await;
    assert!(body.contains(&format!("id=\"ob-create-{id}\"")), "{body}");
    assert!(
        !body.contains("id=\"onboarding-form\""),
        "admins file no requests"
    );
    let r = sys
        .post(app.url(&format!("/onboarding/{id}/create")))
        .form(&[("username", "qianjin")])
        .send()
        .await
        .expect("create");
    assert_eq!(location(&r), format!("/onboarding/sheet?ids={id}"));
    let r = sys
        .get(app.url(&format!("/onboarding/sheet?ids={id}")))
        .send()
        .await
        .expect("sheet");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let sheet = r.text().await.expect("sheet");
    assert!(sheet.contains("钱进") && sheet.contains("qianjin") && sheet.contains("/login"));
    let pw = sheet
        .split("class=\"sheet-password\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("password on the sheet")
        .to_owned();
    assert!(pw.len() >= 12, "{pw}");
    // Shown once: a second look is refused, and the password is nowhere else.
    let r = sys
        .get(app.url(&format!("/onboarding/sheet?ids={id}")))
        .send()
        .await
        .expect("again");
    assert!(
        location(&r).contains("refused=account_request_password_collected"),
        "{}",
        location(&r)
    );
    let (_, listed) = page(&app, &sys, "/onboarding").await;
    assert!(!listed.contains(&pw));
    let user_id = app.user_id("qianjin").await;
    assert_eq!(audited(&app, "account_request.create_account", id).await, 1);
    assert_eq!(audited(&app, "user.create", user_id).await, 1);
    assert_eq!(audited(&app, "account_request.collect", id).await, 1);

    // The security administrator grants the requested role on the unit, in one step.
    let t = todo(&app, &sec).await;
    assert_eq!(
        group(&t, "onboarding_to_grant").and_then(|g| g["count"].as_i64()),
        Some(1)
    );
    let r = sec
        .post(app.url(&format!("/onboarding/{id}/grant")))
        .send()
        .await
        .expect("grant");
    assert_eq!(location(&r), "/onboarding?ok=onboarding_granted");
    assert_eq!(audited(&app, "account_request.grant", id).await, 1);
    assert_eq!(audited(&app, "role.grant", user_id).await, 1);
    let (_, v) = json(
        office
            .get(app.url("/api/v1/account-requests"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(v["items"][0]["status"], "granted");
    assert_eq!(v["items"][0]["username"], "qianjin");
    assert_eq!(v["items"][0]["password_waiting"], false);
    // Nothing waits on the administrators any more.
    assert!(group(&todo(&app, &sec).await, "onboarding_to_grant").is_none());

    // The new person signs in with the one-time password, must change it, then works.
    let c = app.login("qianjin", &pw).await;
    let r = c.get(app.url("/")).send().await.expect("home");
    assert_eq!(location(&r), "/password");
    let r = c
        .post(app.url("/password"))
        .form(&[
            ("current_password", pw.as_str()),
            ("new_password", "Qian#Jin-2026x"),
            ("confirm_password", "Qian#Jin-2026x"),
        ])
        .send()
        .await
        .expect("change");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let (s, me) = json(c.get(app.url("/api/v1/me")).send().await.expect("me")).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["roles"][0]["role"], "unit_liaison");
    assert_eq!(me["roles"][0]["org_id"], app.org_id("D-ARCHIVES").await);
    let (s, _) = json(
        c.get(app.url("/api/v1/me/todo"))
            .send()
            .await
            .expect("todo"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // The home page is their to-do.
    let (s, _) = page(&app, &c, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["phone"], "13912345678");
}

#[tokio::test]
async fn the_office_asks_only_within_its_subtree_and_creates_or_grants_nothing() {
    let app = TestApp::seeded().await;
    let shenyang = app.demo("shenyang_office").await;
    let before = app.snapshot().await;

    // Another city's unit: refused under the unit's field, nothing filed.
    let r = shenyang
        .post(app.url("/onboarding"))
        .form(&[
            ("display_name", "越界"),
            ("org_code", "210200-BIZENV"),
            ("phone", "13912345678"),
            ("role", "unit_liaison"),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = json(
        shenyang
            .post(app.url("/api/v1/account-requests"))
            .json(&json!({"display_name": "越界", "org_id": app.org_id("210200-BIZENV").await, "phone": "13912345678", "role": "unit_liaison"}))
            .send()
            .await
            .expect("api"),
    )
    .await;
    assert!(s.is_client_error(), "{s} {v}");
    // An administrator role is never requested.
    let (s, v) = json(
        shenyang
            .post(app.url("/api/v1/account-requests"))
            .json(&json!({"display_name": "管理员", "org_code": "210100", "phone": "13912345678", "role": "system_admin"}))
            .send()
            .await
            .expect("api"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (_, v) = json(
        shenyang
            .get(app.url("/api/v1/account-requests"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(0));

    // Its own city's unit is fine; but creating or granting is not the office's.
    let id = file_request(&app, &shenyang, "孙七", "210102").await;
    for step in ["create", "grant"] {
        let (s, v) = json(
            shenyang
                .post(app.url(&format!("/api/v1/account-requests/{id}/{step}")))
                .json(&json!({}))
                .send()
                .await
                .expect("step"),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{step}: {v}");
    }
    // Nor directly, through the accounts API.
    let r = shenyang
        .post(app.url("/api/v1/users"))
        .json(&json!({"username": "sunqi", "display_name": "孙七", "org_id": app.org_id("210102").await}))
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The Dalian liaison sees no requests at all.
    let dalian = app.demo("dalian_liaison").await;
    let r = dalian
        .get(app.url("/api/v1/account-requests"))
        .send()
        .await
        .expect("list");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot().await, before, "no account, no role");

    // Through the API: the system administrator creates (password once, in the answer), a
    // refusal needs a reason, the security administrator grants.
    let sys = app.demo("sysadmin").await;
    let sec = app.demo("secadmin").await;
    let (s, v) = json(
        sec.post(app.url(&format!("/api/v1/account-requests/{id}/grant")))
            .send()
            .await
            .expect("early grant"),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = json(
        sys.post(app.url(&format!("/api/v1/account-requests/{id}/create")))
            .json(&json!({}))
            .send()
            .await
            .expect("create"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["initial_password"]
        .as_str()
        .is_some_and(|p| p.len() >= 12));
    assert_eq!(v["request"]["status"], "created");
    assert_eq!(v["request"]["password_waiting"], false);
    let username = v["request"]["username"]
        .as_str()
        .expect("username")
        .to_owned();
    assert!(username.starts_with("210102-"), "{username}");
    let (s, _) = json(
        sec.post(app.url(&format!("/api/v1/account-requests/{id}/refuse")))
            .json(&json!({"reason": " "}))
            .send()
            .await
            .expect("refuse"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = json(
        sec.post(app.url(&format!("/api/v1/account-requests/{id}/grant")))
            .send()
            .await
            .expect("grant"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "granted");

    // A second request, refused by the system administrator with a reason.
    let id2 = file_request(&app, &shenyang, "周八", "210103").await;
    let (s, v) = json(
        sys.post(app.url(&format!("/api/v1/account-requests/{id2}/refuse")))
            .json(&json!({"reason": "此人已调离"}))
            .send()
            .await
            .expect("refuse"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["refusal_reason"].as_str()),
        (Some("refused"), Some("此人已调离"))
    );
    assert_eq!(audited(&app, "account_request.refuse", id2).await, 1);
    let (s, _) = json(
        sys.post(app.url(&format!("/api/v1/account-requests/{id2}/create")))
            .json(&json!({}))
            .send()
            .await
            .expect("create"),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_business_role_is_granted_on_a_chosen_scope_only() {
    let app = TestApp::seeded().await;
    let sec = app.demo("secadmin").await;
    let sys = app.demo("sysadmin").await;
    let (s, v) = json(
        sys.post(app.url("/api/v1/users"))
            .json(&json!({"username": "wuscope", "display_name": "吴范围", "org_id": app.org_id("D-ARCHIVES").await}))
            .send()
            .await
            .expect("create"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["user"]["id"].as_i64().expect("id");
    let before = app.snapshot().await;
    // The API: a blank scope is a field error, not the whole tree.
    let (s, v) = json(
        sec.post(app.url(&format!("/api/v1/users/{id}/roles")))
            .json(&json!({"role": "leader", "org_id": null}))
            .send()
            .await
            .expect("grant"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["details"]["fields"][0]["field"], "org_id");
    assert_eq!(v["details"]["fields"][0]["code"], "scope_required");
    // The page: the message under the scope field.
    let r = sec
        .post(app.url(&format!("/admin/users/{id}/roles")))
        .form(&[("role", "leader"), ("org_code", "")])
        .send()
        .await
        .expect("grant form");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("body");
    assert!(body.contains("请选择角色的范围组织"), "{body}");
    assert_eq!(app.snapshot().await, before);
    // With a scope it is granted.
    let r = sec
        .post(app.url(&format!("/admin/users/{id}/roles")))
        .form(&[("role", "leader"), ("org_code", "D-ARCHIVES")])
        .send()
        .await
        .expect("grant form");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_new_child_org_kind_follows_its_parent() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let dept = app.org_id("D-TRANSPORT").await;
    let (s, body) = page(&app, &office, &format!("/orgs/{dept}")).await;
    assert_eq!(s, StatusCode::OK);
    let select = body
        .split("id=\"child-kind\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .expect("child kind");
    assert!(select.contains("value=\"unit\" selected"), "{select}");
    let city = app.org_id("210200").await;
    let (_, body) = page(&app, &office, &format!("/orgs/{city}")).await;
    let select = body
        .split("id=\"child-kind\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .expect("child kind");
    assert!(select.contains("value=\"county\" selected"), "{select}");
}

#[tokio::test]
async fn one_sheet_hands_out_a_batch_of_one_time_passwords_once() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let sys = app.demo("sysadmin").await;
    let a = file_request(&app, &office, "甲一", "D-ARCHIVES").await;
    let b = file_request(&app, &office, "乙二", "D-TRANSPORT").await;
    for id in [a, b] {
        let r = sys
            .post(app.url(&format!("/onboarding/{id}/create")))
            .form(&[("username", "")])
            .send()
            .await
            .expect("create");
        assert_eq!(location(&r), format!("/onboarding/sheet?ids={id}"));
    }
    // Both wait for the sheet; the page offers them together.
    let (_, body) = page(&app, &sys, "/onboarding").await;
    let all = format!("/onboarding/sheet?ids={b},{a}");
    assert!(body.contains(&all), "{body}");
    // Only the administrator who created them collects them.
    let other = app.demo("secadmin").await;
    let r = other.get(app.url(&all)).send().await.expect("sheet");
    assert!(
        location(&r).contains("refused=not_your_account_request"),
        "{}",
        location(&r)
    );
    let (s, sheet) = page(&app, &sys, &all).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sheet.matches("class=\"sheet-password\"").count(), 2);
    assert!(sheet.contains("甲一") && sheet.contains("乙二"));
    assert!(
        sheet.contains("d-archives-") && sheet.contains("d-transport-"),
        "proposed usernames"
    );
    let r = sys.get(app.url(&all)).send().await.expect("again");
    assert!(location(&r).contains("refused=account_request_password_collected"));
    let (_, body) = page(&app, &sys, "/onboarding").await;
    assert!(!body.contains("id=\"onboarding-sheet-all\""));
}
