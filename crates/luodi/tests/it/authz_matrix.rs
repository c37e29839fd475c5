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
    let mut c = app.svc.db.read().await.expect("read");
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
    let mut c = app.svc.db.read().await.expect("read");
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
    let mut tx = app.svc.db.begin().await.expect("tx");
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
    luodi::demo::seed_all(&app.svc).await.expect("seed");
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
        let mut c = app.svc.db.read().await.expect("read");
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
