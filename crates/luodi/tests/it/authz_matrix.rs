//! The authorization matrix, generated from the route table: every GET operation of
//! `/api/openapi.json` that names an object by id, for every role, on an object inside the
//! role's subtree and on one outside it. The expected answer comes from the role's permissions
//! alone (luodi_domain::role): allowed exactly when the role holds the permission the object
//! needs *and* the object lies in the binding's subtree. Any other answer is a leak (a 200
//! where a refusal was due) or a wrong refusal; both must be zero. A new route that names an
//! object fails the test until it is classified here.

use crate::helpers::{json, TestApp};
use luodi_domain::role::{Permission, Role};
use luodi_service::Actor;
use reqwest::{Client, StatusCode};
use std::collections::BTreeMap;

const OWN_UNIT: &str = "D-TRANSPORT";
const OWN_OBJECT_ORG: &str = "D-TRANSPORT-HWY";
const FOREIGN_UNIT: &str = "210200-BIZENV";
const PW: &str = "Matrix@2026-test";

/// What an `{id}` in a route names: the table, how to find one in a subtree, and the
/// permission reading it needs. `None`: not scoped to a subtree (checked elsewhere).
struct Kind {
    /// `SELECT id, path …` with `$1` the subtree's path prefix.
    find: &'static str,
    needs: Permission,
}

fn kind_of(route: &str) -> Result<Option<Kind>, String> {
    let first = route
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    fn by_org(table: &str) -> &'static str {
        match table {
            "reports" => "SELECT id, org_path FROM reports WHERE org_path LIKE $1 ORDER BY id LIMIT 1",
            "meetings" => "SELECT id, org_path FROM meetings WHERE org_path LIKE $1 ORDER BY id LIMIT 1",
            "research" => "SELECT id, org_path FROM research_topics WHERE org_path LIKE $1 ORDER BY id LIMIT 1",
            "activities" => "SELECT id, org_path FROM activities WHERE org_path LIKE $1 ORDER BY id LIMIT 1",
            "key-works" => "SELECT id, org_path FROM key_works WHERE org_path LIKE $1 ORDER BY id LIMIT 1",
            _ => "SELECT id, org_path FROM submissions WHERE org_path LIKE $1 ORDER BY id LIMIT 1",
        }
    }
    Ok(match first {
        "orgs" => Some(Kind {
            find: "SELECT id, path FROM orgs WHERE path LIKE $1 AND code NOT IN ('D-TRANSPORT', '210200-BIZENV') ORDER BY id LIMIT 1",
            // An org itself is org data; its work plan and roll-ups are campaign work; its
            // robots are set up by whoever manages it.
            needs: match route {
                "/orgs/{id}/organisation" | "/orgs/{id}/rollup" => Permission::ReadItems,
                "/orgs/{id}/webhooks" => Permission::ManageOrgs,
                "/orgs/{id}" | "/orgs/{id}/children" => Permission::ReadOrgs,
                other => return Err(format!("route {other}: which permission reads it?")),
            },
        }),
        "items" => Some(Kind {
            find: "SELECT id, lead_org_path FROM items WHERE lead_org_path LIKE $1 ORDER BY id LIMIT 1",
            needs: Permission::ReadItems,
        }),
        "users" => Some(Kind {
            find: "SELECT u.id, o.path FROM users u JOIN orgs o ON o.id = u.org_id WHERE o.path LIKE $1 AND u.username NOT LIKE 'm\\_%' ESCAPE '\\' ORDER BY u.id LIMIT 1",
            needs: Permission::ReadUsers,
        }),
        t @ ("reports" | "meetings" | "research" | "activities" | "key-works" | "submissions") => {
            Some(Kind {
                find: by_org(t),
                needs: Permission::ReadItems,
            })
        }
        // Campaigns, bulletins, interviews, programmes, briefings are issued by a supervising
        // office for the scopes below it; jobs belong to the session that started them; the
        // audit archive to the audit administrator; files are reached through their owners.
        // Each has its own authorization tests (authz.rs, audit_chain.rs, items.rs, …).
        "campaigns" | "bulletins" | "interviews" | "programmes" | "briefings" | "jobs" | "audit"
        | "attachments" | "plan-attachments" | "photos" => None,
        other => return Err(format!("route {route}: `{other}` is not classified")),
    })
}

async fn one(app: &TestApp, sql: &str, prefix: &str) -> Option<(i64, String)> {
    let mut c = app.svc.db().read().await.expect("read");
    let s = luodi_store::Sql {
        text: sql.to_owned(),
        args: vec![format!("{prefix}%").into()],
    };
    luodi_store::db::fetch_optional::<(i64, String)>(c.conn(), s)
        .await
        .expect("find")
}

async fn path_of(app: &TestApp, code: &str) -> String {
    let id = app.org_id(code).await;
    let mut c = app.svc.db().read().await.expect("read");
    luodi_store::orgs::get(c.conn(), id)
        .await
        .expect("org")
        .expect("org")
        .path
}

/// An account holding `role` on the subtree of `org` (or the whole tree), signed in.
async fn principal(app: &TestApp, role: Role, org: Option<i64>) -> Client {
    let cli = Actor::cli();
    let name = format!("m_{}", role.as_str());
    let (a, _) = luodi_service::accounts::create(
        &app.svc,
        &cli,
        luodi_service::accounts::NewAccount {
            username: name.clone(),
            display_name: name.clone(),
            org_id: org,
            password: Some(PW.into()),
        },
    )
    .await
    .expect("account");
    luodi_service::accounts::grant(&app.svc, &cli, a.user.id, role.as_str(), org)
        .await
        .expect("grant");
    let mut tx = app.svc.db().begin().await.expect("tx");
    luodi_store::users::set_password(
        tx.conn(),
        a.user.id,
        &luodi_service::auth::hash_password(PW).expect("hash"),
        false,
        app.svc.now(),
    )
    .await
    .expect("password");
    tx.commit().await.expect("commit");
    app.login(&name, PW).await
}

#[tokio::test]
async fn every_role_reads_inside_its_subtree_and_nothing_outside_it() {
    // The whole demo: items, reports, meetings, research, activities, key works, submissions.
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let own_unit = app.org_id(OWN_UNIT).await;
    let own_prefix = path_of(&app, OWN_UNIT).await;
    let foreign_prefix = path_of(&app, FOREIGN_UNIT).await;
    assert!(!path_of(&app, OWN_OBJECT_ORG).await.is_empty());

    let (_, doc) = json(
        app.anon()
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .expect("doc"),
    )
    .await;
    let mut routes: Vec<(String, Kind)> = Vec::new();
    let mut unscoped = 0;
    for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
        if ops.get("get").is_none() || !path.contains("{id}") {
            continue;
        }
        match kind_of(path) {
            Ok(Some(k)) => routes.push((path.clone(), k)),
            Ok(None) => unscoped += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(routes.len() >= 12, "{} scoped routes", routes.len());

    // The demo's research is in Shenyang: one in the transport department too.
    let liaison = app.demo("liaison").await;
    let (s, t) = json(
        liaison
            .post(app.url("/api/v1/research"))
            .json(&serde_json::json!({"campaign_id": 1, "org_id": own_unit, "title": "省界收费站撤除后通行调研", "weakness": "高峰拥堵", "lead": "刘洋"}))
            .send()
            .await
            .expect("research"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    // And a meeting and an information submission in Dalian, outside it.
    let foreign_unit = app.org_id(FOREIGN_UNIT).await;
    let office = app.demo("office").await;
    let (s, t) = json(
        office
            .post(app.url("/api/v1/meetings"))
            .json(&serde_json::json!({"campaign_id": 1, "org_id": foreign_unit, "kind": "leading_group", "title": "营商环境领导小组会议", "held_on": "2026-11-30", "attendees": "成员", "minutes": "纪要"}))
            .send()
            .await
            .expect("meeting"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let (s, t) = json(
        app.demo("dalian_liaison")
            .await
            .post(app.url("/api/v1/submissions"))
            .json(&serde_json::json!({"campaign_id": 1, "org_id": foreign_unit, "title": "营商环境局开展现场办公", "body": "现场解决企业反映问题3个。"}))
            .send()
            .await
            .expect("submission"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");

    // Objects inside and outside the subtree, per route: outside is the foreign unit's if it
    // has one, else anywhere else.
    let mut targets = BTreeMap::new();
    for (route, k) in &routes {
        let own = one(&app, k.find, &own_prefix).await;
        let foreign = match one(&app, k.find, &foreign_prefix).await {
            Some(f) => Some(f),
            None => {
                one(
                    &app,
                    &k.find.replacen("LIKE $1", "NOT LIKE $1", 1),
                    &own_prefix,
                )
                .await
            }
        };
        if own.is_none() || foreign.is_none() {
            eprintln!("authz matrix: {route}: own {own:?}, foreign {foreign:?}");
        }
        targets.insert(route.clone(), (own, foreign));
    }

    let campaign = {
        let mut c = app.svc.db().read().await.expect("read");
        luodi_store::db::scalar_i64(
            c.conn(),
            luodi_store::Sql::new("SELECT MIN(id) FROM campaigns"),
        )
        .await
        .expect("campaign")
    };
    let (mut checked, mut leaks, mut wrong) = (0, Vec::new(), Vec::new());
    for role in Role::ALL {
        // The administrators are appointed for the whole tree; the business roles on a unit.
        let scope = if role.is_admin() {
            None
        } else {
            Some(own_unit)
        };
        let scope_path = if scope.is_some() {
            own_prefix.clone()
        } else {
            "/".into()
        };
        let c = principal(&app, role, scope).await;
        for (route, k) in &routes {
            let (own, foreign) = &targets[route];
            for (which, target) in [("own", own), ("foreign", foreign)] {
                let Some((id, path)) = target else { continue };
                let url = format!(
                    "/api/v1{}?campaign_id={campaign}",
                    route.replace("{id}", &id.to_string())
                );
                let r = c.get(app.url(&url)).send().await.expect("get");
                let s = r.status();
                let allowed = role.permits(k.needs) && path.starts_with(&scope_path);
                let refused = matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND);
                checked += 1;
                if s.is_server_error() {
                    wrong.push(format!("{} {which} {url}: {s}", role.as_str()));
                } else if !allowed && !refused {
                    leaks.push(format!("{} {which} {url}: {s}", role.as_str()));
                } else if allowed && refused {
                    wrong.push(format!("{} {which} {url}: {s}", role.as_str()));
                }
            }
        }
    }
    eprintln!(
        "authz matrix: {} roles × {} routes × own/foreign = {checked} requests; {} leaks, {} wrong refusals ({unscoped} unscoped routes tested elsewhere)",
        Role::ALL.len(),
        routes.len(),
        leaks.len(),
        wrong.len()
    );
    assert!(leaks.is_empty(), "leaks: {leaks:#?}");
    assert!(wrong.is_empty(), "wrong refusals: {wrong:#?}");
    assert!(
        checked >= Role::ALL.len() * routes.len(),
        "{checked} checks"
    );
}

/// A body for an operation from its request schema: every required property with a plausible
/// value (ids pointing at `target`), so that what refuses it is authorization, not a missing
/// field.
fn body_for(
    doc: &serde_json::Value,
    path: &str,
    op: &serde_json::Value,
    target: i64,
) -> serde_json::Value {
    use serde_json::{json, Value};
    // Operations whose body the schema leaves open (`Object`), as their handlers take them.
    match path {
        "/key-works/{id}/indicators" => {
            return json!({"name": "矩阵", "unit": "个", "baseline": 0.0, "target": 10.0,
                          "direction": "increase", "start_on": "2026-11-02", "target_on": "2099-12-31"})
        }
        "/research/{id}/findings" => return json!({"text": "矩阵"}),
        "/research/{id}/report" => return json!({"report": "矩阵"}),
        "/research/{id}/visits" => {
            return json!({"visited_on": "2026-11-20", "place": "矩阵", "notes": "矩阵"})
        }
        _ => {}
    }
    // Values the handlers take for fields whose schema says only "string".
    let known = |name: &str| -> Option<Value> {
        Some(match (path, name) {
            ("/items/{id}/transitions", "action") => json!("suspend"),
            ("/orgs/{id}/webhooks", "kind") => json!("wecom"),
            (_, "kind") => json!("unit"),
            (_, "url") => json!("https://example.cn/hook"),
            (_, "phone") => json!("13900000000"),
            (_, "id_card") => json!("11010519491231002X"),
            (_, "email") => json!("matrix@example.cn"),
            (_, "role") => json!("leader"),
            _ => return None,
        })
    };
    let resolve = |s: &Value| -> Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => doc
                .pointer(&r.replacen('#', "", 1))
                .cloned()
                .unwrap_or(Value::Null),
            None => s.clone(),
        }
    };
    let schema = resolve(&op["requestBody"]["content"]["application/json"]["schema"]);
    let mut body = serde_json::Map::new();
    for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
        let prop = resolve(prop);
        let ty = prop["type"]
            .as_str()
            .or_else(|| prop["type"].as_array().and_then(|a| a[0].as_str()))
            .unwrap_or("string");
        let v = if let Some(v) = known(name) {
            v
        } else if let Some(e) = prop["enum"].as_array().and_then(|e| e.first()) {
            e.clone()
        } else {
            match (ty, prop["format"].as_str()) {
                ("string", Some("date")) => json!("2099-12-31"),
                ("string", Some("date-time")) => json!("2099-12-31T00:00:00Z"),
                ("string", _) => json!("矩阵"),
                ("integer", _) if name.ends_with("_id") => json!(target),
                ("integer", _) => json!(1),
                ("number", _) => json!(1.0),
                ("boolean", _) => json!(false),
                ("array", _) => json!([]),
                _ => json!({}),
            }
        };
        body.insert(name.clone(), v);
    }
    Value::Object(body)
}

#[tokio::test]
async fn no_role_changes_anything_in_a_foreign_subtree_through_any_operation() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let own_unit = app.org_id(OWN_UNIT).await;
    let foreign_prefix = path_of(&app, FOREIGN_UNIT).await;
    let (_, doc) = json(
        app.anon()
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .expect("doc"),
    )
    .await;
    // Every operation that changes something and names an object by id.
    let mut ops = Vec::new();
    for (path, methods) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in methods.as_object().into_iter().flatten() {
            if method == "get" || !path.contains("{id}") {
                continue;
            }
            if op["requestBody"]["content"]
                .as_object()
                .is_some_and(|c| c.contains_key("multipart/form-data"))
            {
                continue; // uploads: tested with their owners (items.rs, organisation.rs)
            }
            let Some(kind) = kind_of(path).ok().flatten() else {
                continue;
            };
            ops.push((method.clone(), path.clone(), kind, op.clone()));
        }
    }
    assert!(ops.len() >= 20, "{} operations", ops.len());

    let mut principals = Vec::new();
    for role in Role::ALL {
        let scope = if role.is_admin() {
            None
        } else {
            Some(own_unit)
        };
        if scope.is_some() {
            principals.push((role, principal(&app, role, scope).await));
        }
    }
    let before = crate::attacks::fingerprint(&app).await;
    let (mut sent, mut leaks) = (0, Vec::new());
    let mut answers: BTreeMap<u16, usize> = BTreeMap::new();
    for (method, path, kind, op) in &ops {
        let Some((id, _)) = one(&app, kind.find, &foreign_prefix).await.or(one(
            &app,
            &kind.find.replacen("LIKE $1", "NOT LIKE $1", 1),
            &path_of(&app, OWN_UNIT).await,
        )
        .await) else {
            continue;
        };
        let url = app.url(&format!(
            "/api/v1{}",
            path.replace("{id}", &id.to_string())
                .replace("{webhook_id}", "1")
        ));
        let body = body_for(&doc, path, op, id);
        for (role, c) in &principals {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let r = c.request(m, &url).json(&body).send().await.expect("send");
            let s = r.status();
            sent += 1;
            *answers.entry(s.as_u16()).or_default() += 1;
            if s.is_success() || s.is_server_error() {
                leaks.push(format!(
                    "{} {} {url}: {s}",
                    role.as_str(),
                    method.to_uppercase()
                ));
            }
        }
    }
    let after = crate::attacks::fingerprint(&app).await;
    let changed = crate::attacks::differences(&before, &after);
    eprintln!(
        "authz matrix (changes): {} roles × {} operations on foreign objects = {sent} requests, answered {answers:?}; {} answered 2xx/5xx; tables changed: {}",
        principals.len(),
        ops.len(),
        leaks.len(),
        changed.len()
    );
    assert!(leaks.is_empty(), "foreign changes answered: {leaks:#?}");
    assert!(changed.is_empty(), "foreign changes stored: {changed:#?}");
    // Refused by authorization (403/404), not by a malformed body, for the most part.
    let authz = answers.get(&403).unwrap_or(&0) + answers.get(&404).unwrap_or(&0);
    assert!(authz * 10 >= sent * 8, "{answers:?}");
}
