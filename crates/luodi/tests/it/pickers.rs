//! The lookups behind the pickers (`/api/v1/orgs/lookup`, `/api/v1/users/lookup`): what they
//! find, that they stay inside the caller's subtree, and their limits; and a form that still
//! takes a typed code when no script runs.

use crate::helpers::{json, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|h| h["name"].as_str().expect("name").to_owned())
        .collect()
}

fn codes(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|h| h["code"].as_str().expect("code").to_owned())
        .collect()
}

#[tokio::test]
async fn org_lookup_finds_by_name_code_and_place_and_tells_namesakes_apart() {
    let app = TestApp::seeded().await;
    let c = app.demo("office").await;
    let get = |q: &str| {
        c.get(app.url("/api/v1/orgs/lookup"))
            .query(&[("q", q)])
            .send()
    };

    // Part of a name: every hit holds it, with the ancestors that tell namesakes apart.
    let (s, v) = json(get("党支部").await.expect("send")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let hits = v.as_array().expect("array");
    assert_eq!(hits.len(), 20, "the default limit");
    for h in hits {
        assert!(h["name"].as_str().expect("name").contains("党支部"), "{h}");
        assert_eq!(h["kind"], "branch", "{h}");
        let path = h["path_names"].as_array().expect("path_names");
        assert_eq!(path.first().and_then(Value::as_str), Some("辽宁省"), "{h}");
        assert_eq!(path.last(), Some(&h["parent_name"]), "{h}");
    }

    // An exact code comes first; a code prefix finds the subtree's codes.
    let (_, v) = json(get("210102").await.expect("send")).await;
    assert_eq!(codes(&v).first().map(String::as_str), Some("210102"), "{v}");
    let (_, v) = json(get("d-transport-hwy").await.expect("send")).await;
    assert_eq!(codes(&v)[0], "D-TRANSPORT-HWY", "{v}");
    assert!(
        codes(&v).iter().all(|c| c.starts_with("D-TRANSPORT-HWY")),
        "{v}"
    );

    // A place name run into a unit's name, and the province's name before a short name.
    let (_, v) = json(get("沈阳市和平区").await.expect("send")).await;
    assert_eq!(codes(&v)[0], "210102", "{v}");
    let (_, v) = json(get("辽宁省交通运输厅").await.expect("send")).await;
    assert_eq!(names(&v)[0], "辽宁省交通运输厅", "{v}");
    assert!(
        names(&v)
            .iter()
            .any(|n| n.starts_with("省交通运输厅厅机关")),
        "the department's branches go by its short name: {v}"
    );

    // Limits: asked for, capped at 50, at least 1; nothing matches nothing.
    let (_, v) = json(
        c.get(app.url("/api/v1/orgs/lookup"))
            .query(&[("q", "党支部"), ("limit", "3")])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(v.as_array().map(Vec::len), Some(3));
    let (_, v) = json(
        c.get(app.url("/api/v1/orgs/lookup"))
            .query(&[("q", ""), ("limit", "500")])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(v.as_array().map(Vec::len), Some(50));
    let (_, v) = json(
        c.get(app.url("/api/v1/orgs/lookup"))
            .query(&[("q", "党支部"), ("limit", "0")])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    let (_, v) = json(get("没有这样的单位").await.expect("send")).await;
    assert_eq!(v, serde_json::json!([]));

    // Under an org: only its subtree.
    let dalian = app.org_id("210200").await;
    let (_, v) = json(
        c.get(app.url("/api/v1/orgs/lookup"))
            .query(&[("q", "党支部"), ("under", &dalian.to_string())])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert!(!codes(&v).is_empty());
    assert!(codes(&v).iter().all(|c| c.starts_with("2102")), "{v}");
}

#[tokio::test]
async fn org_lookup_stays_inside_the_callers_subtree() {
    let app = TestApp::seeded().await;
    let c = app.demo("shenyang_office").await;
    let shenyang = app.org_id("210100").await;
    let dalian = app.org_id("210200").await;

    // Shenyang's office finds Shenyang's branches, never Dalian's, and no ancestor above its
    // own scope is named.
    for q in ["党支部", "大连", "210200", "营商环境建设局"] {
        let (s, v) = json(
            c.get(app.url("/api/v1/orgs/lookup"))
                .query(&[("q", q), ("limit", "50")])
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        for h in v.as_array().expect("array") {
            let code = h["code"].as_str().expect("code");
            assert!(code.starts_with("2101"), "{q}: {h}");
            assert!(
                !h["path_names"]
                    .as_array()
                    .expect("path")
                    .contains(&Value::from("辽宁省")),
                "{h}"
            );
        }
    }
    let (_, v) = json(
        c.get(app.url("/api/v1/orgs/lookup"))
            .query(&[("q", "沈阳市")])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(codes(&v)[0], "210100", "{v}");
    assert_eq!(
        v[0]["parent_name"],
        Value::Null,
        "the province lies outside: {v}"
    );

    // Another city's subtree as `under` is "not found", as any org outside is.
    let r = c
        .get(app.url("/api/v1/orgs/lookup"))
        .query(&[("q", ""), ("under", &dalian.to_string())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c
        .get(app.url("/api/v1/orgs/lookup"))
        .query(&[("q", ""), ("under", &shenyang.to_string())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);

    // Signed out: refused.
    let r = app
        .anon()
        .get(app.url("/api/v1/orgs/lookup?q=x"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn person_lookup_offers_the_units_own_people_first_and_nobody_outside() {
    let app = TestApp::seeded().await;
    let hwy = app.org_id("D-TRANSPORT-HWY").await;
    let transport = app.org_id("D-TRANSPORT").await;

    // The transport department's liaison records items (no account management) and picks
    // a responsible person in the expressway administration.
    let c = app.demo("liaison").await;
    let (s, v) = json(
        c.get(app.url("/api/v1/users/lookup"))
            .query(&[("org_id", hwy.to_string())])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let people = v.as_array().expect("array");
    assert!(people.iter().any(|p| p["username"] == "owner"), "{v}");
    assert!(
        people.iter().all(|p| p["username"] != "liaison"),
        "only the unit's subtree: {v}"
    );
    // Under the department, its own people come first.
    let (_, v) = json(
        c.get(app.url("/api/v1/users/lookup"))
            .query(&[("org_id", transport.to_string())])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(v[0]["org_id"], transport, "{v}");
    assert!(
        v.as_array()
            .expect("array")
            .iter()
            .any(|p| p["username"] == "owner"),
        "{v}"
    );
    // By part of a display name.
    let (_, v) = json(
        c.get(app.url("/api/v1/users/lookup"))
            .query(&[("q", "孙伟")])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(v[0]["username"], "owner", "{v}");
    assert_eq!(v[0]["org_name"], "辽宁省高速公路管理局", "{v}");

    // Dalian's liaison finds nobody in the transport department, and its org is not found.
    let d = app.demo("dalian_liaison").await;
    let (s, v) = json(
        d.get(app.url("/api/v1/users/lookup"))
            .query(&[("q", "孙伟")])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, serde_json::json!([]));
    let r = d
        .get(app.url("/api/v1/users/lookup"))
        .query(&[("org_id", hwy.to_string())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, v) = json(
        d.get(app.url("/api/v1/users/lookup"))
            .query(&[("q", "")])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert!(!v.as_array().expect("array").is_empty());
    for p in v.as_array().expect("array") {
        assert!(
            p["org_name"].as_str().expect("org").starts_with("大连市"),
            "{p}"
        );
    }
    // Shenyang's office (which reads accounts) sees no one in Dalian either.
    let s = app.demo("shenyang_office").await;
    let (_, v) = json(
        s.get(app.url("/api/v1/users/lookup"))
            .query(&[("q", "dalian")])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(v, serde_json::json!([]));

    // A leader reads items but neither accounts nor items to record: refused.
    let l = app.demo("leader").await;
    let r = l
        .get(app.url("/api/v1/users/lookup?q=a"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_new_item_form_offers_pickers_and_still_takes_a_typed_code_without_script() {
    let app = TestApp::seeded().await;
    let c = app.demo("liaison").await;
    let html = c
        .get(app.url("/items/new"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    let input = |name: &str| {
        let at = html.find(&format!("name=\"{name}\"")).expect("the field");
        let start = html[..at].rfind("<input").expect("its input");
        html[start..at + html[at..].find('>').expect("end")].to_owned()
    };
    assert!(
        input("lead_org_code").contains("data-picker=\"org\""),
        "the unit picker"
    );
    assert!(
        input("responsible_username")
            .contains("data-picker=\"person\" data-picker-unit=\"i-unit\""),
        "the person picker, bound to the unit"
    );
    assert!(html.contains("id=\"picker-texts\""), "the picker's words");
    assert!(
        html.contains("data-scope-picker"),
        "the scope switcher searches too"
    );
    let campaign = {
        let at = html.find("name=\"campaign_id\"").expect("campaign field");
        let rest = &html[at..];
        let v = rest.find("<option value=\"").expect("an option") + "<option value=\"".len();
        rest[v..v + rest[v..].find('"').expect("end")].to_owned()
    };

    // What a browser without script sends: the code and the username as typed.
    let r = c
        .post(app.url("/items"))
        .form(&[
            ("campaign_id", campaign.as_str()),
            ("kind", "rectification"),
            ("title", "收费站入口指引标识不清"),
            ("phase", "rectification"),
            ("source", "self_examination"),
            ("item_type", "time_limited"),
            ("lead_org_code", "D-TRANSPORT-HWY"),
            ("responsible_person", "孙伟"),
            ("responsible_username", "owner"),
            ("due_on", "2099-06-30"),
            ("measures", "更换指引标识"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let id: i64 = location
        .trim_start_matches("/items/")
        .split(['?', '/'])
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an item's page: {location}"));
    let (_, item) = json(
        c.get(app.url(&format!("/api/v1/items/{id}")))
            .send()
            .await
            .expect("item"),
    )
    .await;
    assert_eq!(
        item["lead_org_id"],
        app.org_id("D-TRANSPORT-HWY").await,
        "{item}"
    );
    assert_eq!(
        item["responsible_user_id"],
        app.user_id("owner").await,
        "{item}"
    );
}
