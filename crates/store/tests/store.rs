//! Storage tests. Every test runs on SQLite and on PostgreSQL (a fresh schema each). Without a
//! reachable PostgreSQL the PostgreSQL half is skipped with a notice — except under `CI=true`,
//! where it fails.

use chrono::{TimeZone, Utc};
use luodi_store::db::DbOptions;
use luodi_store::orgs::{self, NewOrg, OrgFilter};
use luodi_store::{Db, Page, Sql, StoreError};

fn pg_url() -> String {
    std::env::var("LUODI_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

async fn sqlite() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let db = Db::connect(&url, &DbOptions::default())
        .await
        .expect("sqlite");
    db.migrate().await.expect("migrate");
    (db, dir)
}

async fn postgres() -> Option<(Db, String)> {
    use sqlx::Connection;
    let mut c = match sqlx::PgConnection::connect(&pg_url()).await {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var("CI").is_err(),
                "CI=true but PostgreSQL is unreachable at {}: {e}",
                pg_url()
            );
            eprintln!("skipping PostgreSQL half: {e}");
            return None;
        }
    };
    let schema = format!(
        "s_{}_{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or(0)
    );
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut c)
        .await
        .expect("schema");
    let db = Db::connect(
        &pg_url(),
        &DbOptions {
            pg_schema: Some(schema.clone()),
            ..Default::default()
        },
    )
    .await
    .expect("pg");
    db.migrate().await.expect("migrate");
    Some((db, schema))
}

/// Runs `f` on both backends.
macro_rules! both {
    ($f:ident) => {{
        let (db, _dir) = sqlite().await;
        $f(db, "sqlite").await;
        if let Some((db, schema)) = postgres().await {
            $f(db.clone(), "postgres").await;
            db.close().await;
            drop_schema(&schema).await;
        }
    }};
}

async fn drop_schema(schema: &str) {
    use sqlx::Connection;
    if let Ok(mut c) = sqlx::PgConnection::connect(&pg_url()).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&mut c)
        .await;
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0)
        .single()
        .expect("time")
}

async fn org(db: &Db, code: &str, parent: Option<&orgs::Org>) -> orgs::Org {
    let mut tx = db.begin().await.expect("begin");
    let o = orgs::create(
        tx.conn(),
        &NewOrg {
            code,
            name: code,
            kind: "unit",
            parent,
        },
        now(),
    )
    .await
    .expect("create");
    tx.commit().await.expect("commit");
    o
}

#[tokio::test]
async fn both_schemas_have_the_same_tables_and_columns() {
    let (lite, _dir) = sqlite().await;
    let a = lite.schema().await.expect("schema");
    assert!(
        a.contains_key("orgs") && a.contains_key("audit_log") && a.len() >= 11,
        "{a:?}"
    );
    if let Some((pg, schema)) = postgres().await {
        let b = pg.schema().await.expect("schema");
        pg.close().await;
        drop_schema(&schema).await;
        assert_eq!(a, b);
    }
}

async fn subtree_queries(db: Db, backend: &str) {
    let root = org(&db, "R", None).await;
    let a = org(&db, "A", Some(&root)).await;
    let a1 = org(&db, "A1", Some(&a)).await;
    let _a11 = org(&db, "A11", Some(&a1)).await;
    let b = org(&db, "B", Some(&root)).await;
    // Ids of two digits next to one of one digit: /1/5/ must not match /1/50/.
    let mut extra = Vec::new();
    for i in 0..12 {
        extra.push(org(&db, &format!("X{i}"), Some(&root)).await);
    }
    let mut c = db.read().await.expect("read");
    assert_eq!(
        orgs::subtree_size(c.conn(), &a.path).await.expect("size"),
        3,
        "{backend}"
    );
    assert_eq!(
        orgs::subtree_size(c.conn(), &root.path)
            .await
            .expect("size"),
        17,
        "{backend}"
    );
    let f = OrgFilter {
        scopes: vec![a.path.clone(), b.path.clone()],
        ..Default::default()
    };
    let page = orgs::list(c.conn(), &f, Page::new(1, 100))
        .await
        .expect("list");
    let mut codes: Vec<_> = page.items.iter().map(|n| n.org.code.as_str()).collect();
    codes.sort();
    assert_eq!(codes, vec!["A", "A1", "A11", "B"], "{backend}");
    assert_eq!(page.total, 4);
    let none = orgs::list(c.conn(), &OrgFilter::default(), Page::new(1, 10))
        .await
        .expect("list");
    assert_eq!(none.total, 0, "{backend}: no scope sees nothing");
    let kids = orgs::children(c.conn(), Some(root.id), false)
        .await
        .expect("children");
    assert_eq!(kids.len(), 14);
    assert_eq!(
        kids.iter()
            .find(|k| k.org.code == "A")
            .map(|k| k.child_count),
        Some(1)
    );
    let anc = orgs::ancestors(c.conn(), &_a11.path)
        .await
        .expect("ancestors");
    assert_eq!(
        anc.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(),
        vec!["R", "A", "A1", "A11"]
    );
    let by_code = orgs::find_by_codes(c.conn(), &["A1".into(), "B".into(), "nope".into()])
        .await
        .expect("codes");
    assert_eq!(by_code.len(), 2);
}

#[tokio::test]
async fn subtrees_are_ranges_on_the_path() {
    both!(subtree_queries);
}

async fn moves(db: Db, backend: &str) {
    let root = org(&db, "R", None).await;
    let a = org(&db, "A", Some(&root)).await;
    let a1 = org(&db, "A1", Some(&a)).await;
    let a11 = org(&db, "A11", Some(&a1)).await;
    let b = org(&db, "B", Some(&root)).await;
    let mut tx = db.begin().await.expect("begin");
    assert!(
        orgs::move_subtree(tx.conn(), &a1, Some(&b), 1, now())
            .await
            .expect("move"),
        "{backend}"
    );
    // A stale version moves nothing.
    assert!(!orgs::move_subtree(tx.conn(), &a1, Some(&a), 1, now())
        .await
        .expect("move"));
    tx.commit().await.expect("commit");
    let mut c = db.read().await.expect("read");
    let moved = orgs::get(c.conn(), a11.id)
        .await
        .expect("get")
        .expect("org");
    assert_eq!(
        moved.path,
        format!("{}{}/{}/", b.path, a1.id, a11.id),
        "{backend}"
    );
    assert_eq!(moved.depth, 3);
    assert_eq!(
        orgs::subtree_size(c.conn(), &a.path).await.expect("size"),
        1
    );
    assert_eq!(
        orgs::subtree_size(c.conn(), &b.path).await.expect("size"),
        3
    );
    let a1_now = orgs::get(c.conn(), a1.id).await.expect("get").expect("org");
    assert_eq!((a1_now.parent_id, a1_now.version), (Some(b.id), 2));
}

#[tokio::test]
async fn a_move_rewrites_the_subtree() {
    both!(moves);
}

async fn constraints_and_rollback(db: Db, backend: &str) {
    let root = org(&db, "R", None).await;
    let mut tx = db.begin().await.expect("begin");
    let e = orgs::create(
        tx.conn(),
        &NewOrg {
            code: "R",
            name: "dup",
            kind: "unit",
            parent: Some(&root),
        },
        now(),
    )
    .await;
    assert!(matches!(e, Err(StoreError::Unique(_))), "{backend}: {e:?}");
    drop(tx);
    // A transaction dropped without commit leaves nothing behind.
    let mut tx = db.begin().await.expect("begin");
    orgs::create(
        tx.conn(),
        &NewOrg {
            code: "GONE",
            name: "x",
            kind: "unit",
            parent: Some(&root),
        },
        now(),
    )
    .await
    .expect("create");
    drop(tx);
    let mut c = db.read().await.expect("read");
    assert!(
        orgs::get_by_code(c.conn(), "GONE")
            .await
            .expect("get")
            .is_none(),
        "{backend}"
    );
    // Bound values are never SQL.
    let evil = "x' OR '1'='1";
    assert!(orgs::get_by_code(c.conn(), evil)
        .await
        .expect("get")
        .is_none());
    let f = OrgFilter {
        scopes: vec!["/".into()],
        q: Some("%' OR 1=1 --".into()),
        ..Default::default()
    };
    assert_eq!(
        orgs::list(c.conn(), &f, Page::default())
            .await
            .expect("list")
            .total,
        0
    );
    let f = OrgFilter {
        scopes: vec!["/".into()],
        q: Some("%".into()),
        ..Default::default()
    };
    assert_eq!(
        orgs::list(c.conn(), &f, Page::default())
            .await
            .expect("list")
            .total,
        0,
        "% is a literal in searches"
    );
    assert_eq!(
        luodi_store::db::scalar_i64(
            c.conn(),
            Sql::new("SELECT CAST(COUNT(*) AS BIGINT) FROM orgs")
        )
        .await
        .expect("count"),
        1
    );
}

#[tokio::test]
async fn constraints_map_to_errors_and_rollbacks_leave_nothing() {
    both!(constraints_and_rollback);
}

async fn sessions_users_audit(db: Db, backend: &str) {
    use luodi_store::{audit, sessions, settings, users};
    let root = org(&db, "R", None).await;
    let mut tx = db.begin().await.expect("begin");
    let id = users::create(
        tx.conn(),
        &users::NewUser {
            username: "u1",
            display_name: "用户一",
            org_id: Some(root.id),
            password_hash: "h",
            must_change_password: true,
            locale: "zh-CN",
        },
        now(),
    )
    .await
    .expect("user");
    users::add_binding(tx.conn(), id, "leader", Some(root.id), None, now())
        .await
        .expect("bind");
    users::add_binding(tx.conn(), id, "supervisor", None, None, now())
        .await
        .expect("bind");
    sessions::create(
        tx.conn(),
        sessions::NewSession {
            id_hash: "s1",
            user_id: id,
            now: now(),
            expires_at: now() + chrono::Duration::hours(1),
            ip: Some("127.0.0.1"),
            pending_totp: false,
        },
    )
    .await
    .expect("session");
    audit::append(
        tx.conn(),
        audit::NewAudit {
            at: now(),
            actor_name: "t".into(),
            action: "x".into(),
            object_type: "org".into(),
            org_path: Some(root.path.clone()),
            outcome: "ok".into(),
            ..Default::default()
        },
    )
    .await
    .expect("audit");
    settings::set(tx.conn(), "k", "v1").await.expect("set");
    settings::set(tx.conn(), "k", "v2").await.expect("set");
    tx.commit().await.expect("commit");
    let mut c = db.read().await.expect("read");
    let b = users::bindings(c.conn(), id).await.expect("bindings");
    assert_eq!(b.len(), 2, "{backend}");
    assert_eq!(b[0].org_path.as_deref(), Some(root.path.as_str()));
    assert_eq!(b[1].org_path, None);
    let s = sessions::get(c.conn(), "s1")
        .await
        .expect("get")
        .expect("session");
    assert_eq!(s.user_id, id);
    assert_eq!(s.created_at, now(), "{backend}: timestamps round-trip");
    assert_eq!(
        settings::get(c.conn(), "k").await.expect("get").as_deref(),
        Some("v2")
    );
    let f = audit::AuditFilter {
        scopes: vec!["/1/999/".into()],
        ..Default::default()
    };
    assert_eq!(
        audit::list(c.conn(), &f, Page::default())
            .await
            .expect("audit")
            .total,
        0,
        "{backend}: audit scoped"
    );
    let f = audit::AuditFilter {
        scopes: vec![root.path.clone()],
        ..Default::default()
    };
    assert_eq!(
        audit::list(c.conn(), &f, Page::default())
            .await
            .expect("audit")
            .total,
        1
    );
    let list = users::list(
        c.conn(),
        &users::UserFilter {
            scopes: vec![root.path.clone()],
            ..Default::default()
        },
        Page::default(),
    )
    .await
    .expect("list");
    assert_eq!(list.total, 1);
    assert_eq!(list.items[0].org_name.as_deref(), Some("R"));
}

#[tokio::test]
async fn accounts_sessions_settings_and_audit_round_trip() {
    both!(sessions_users_audit);
}

async fn search_index(db: Db, backend: &str) {
    use luodi_domain::search::query_terms;
    use luodi_store::search::{self, Doc, Query};
    let root = org(&db, "R", None).await;
    let a = org(&db, "A", Some(&root)).await;
    let b = org(&db, "B", Some(&root)).await;
    let mut tx = db.begin().await.expect("begin");
    let docs: [(i64, &orgs::Org, &str, &str); 3] = [
        (1, &a, "取消高速公路省界收费站", "拆除省界收费站主体设施"),
        (2, &a, "四好农村路建设", "新建改建农村公路"),
        (
            3,
            &b,
            "万家站区交通组织调整",
            "省界收费站拆除后交通组织调整",
        ),
    ];
    for (id, o, title, body) in docs {
        search::put(
            tx.conn(),
            &Doc {
                kind: "item",
                doc_id: id,
                campaign_id: Some(1),
                org_id: o.id,
                org_path: &o.path,
                title,
                body: &[body],
            },
            now(),
        )
        .await
        .expect("put");
    }
    tx.commit().await.expect("commit");
    let find = |q: &str, scopes: Vec<String>| {
        let db = db.clone();
        let terms = query_terms(q);
        async move {
            let mut c = db.read().await.expect("read");
            let r = search::find(
                c.conn(),
                &Query {
                    terms,
                    scopes,
                    ..Default::default()
                },
                Page::new(1, 10),
            )
            .await
            .expect("find");
            (
                r.total,
                r.items.iter().map(|h| h.doc_id).collect::<Vec<_>>(),
            )
        }
    };
    let (n, ids) = find("收费站", vec![root.path.clone()]).await;
    assert_eq!(n, 2, "{backend}");
    // A word in the title ranks above the same word in the text only.
    assert_eq!(ids, vec![1, 3], "{backend}");
    assert_eq!(
        find("收费站", vec![b.path.clone()]).await,
        (1, vec![3]),
        "{backend}"
    );
    assert_eq!(
        find("收费站", vec![]).await,
        (0, vec![]),
        "{backend}: no scope"
    );
    assert_eq!(
        find("农村 收费站", vec![root.path.clone()]).await.0,
        0,
        "{backend}: every word"
    );
    // Quotes, stars and operator words are words, never syntax.
    assert_eq!(
        find("\"收费站*（", vec![root.path.clone()]).await.0,
        2,
        "{backend}"
    );
    assert_eq!(
        find("NOT 收费站", vec![root.path.clone()]).await.0,
        0,
        "{backend}"
    );
    // Rewritten in place; a move carries the path along.
    let mut tx = db.begin().await.expect("begin");
    search::put(
        tx.conn(),
        &Doc {
            kind: "item",
            doc_id: 2,
            campaign_id: Some(1),
            org_id: a.id,
            org_path: &a.path,
            title: "农村公路收费站清理",
            body: &[],
        },
        now(),
    )
    .await
    .expect("rewrite");
    search::rewrite_paths(tx.conn(), &a.path, &format!("{}{}/", b.path, a.id))
        .await
        .expect("move");
    tx.commit().await.expect("commit");
    assert_eq!(
        find("收费站", vec![root.path.clone()]).await.0,
        3,
        "{backend}"
    );
    assert_eq!(
        find("收费站", vec![b.path.clone()]).await.0,
        3,
        "{backend}: moved under B"
    );
    assert_eq!(
        find("四好", vec![root.path.clone()]).await.0,
        0,
        "{backend}: old text gone"
    );
    let mut tx = db.begin().await.expect("begin");
    search::remove(tx.conn(), "item", 3).await.expect("remove");
    tx.commit().await.expect("commit");
    assert_eq!(
        find("收费站", vec![root.path.clone()]).await.0,
        2,
        "{backend}"
    );
}

#[tokio::test]
async fn search_finds_chinese_words_within_scopes() {
    both!(search_index);
}

/// Many writers at once (on SQLite they share COMMITs): every acknowledged write is visible
/// to a reader as soon as its commit returns, and a writer that fails or gives up leaves
/// nothing behind and takes no other writer's work with it.
async fn concurrent_writers(db: Db, backend: &str) {
    let root = org(&db, "ROOT", None).await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let db = db.clone();
        let root = root.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.expect("begin");
            let code = format!("W{i}");
            orgs::create(
                tx.conn(),
                &NewOrg {
                    code: &code,
                    name: &code,
                    kind: "unit",
                    parent: Some(&root),
                },
                now(),
            )
            .await
            .expect("create");
            match i % 4 {
                // A failing statement after a good one: the caller gives up.
                1 => {
                    let e = orgs::create(
                        tx.conn(),
                        &NewOrg {
                            code: "ROOT",
                            name: "dup",
                            kind: "unit",
                            parent: Some(&root),
                        },
                        now(),
                    )
                    .await;
                    assert!(matches!(e, Err(StoreError::Unique(_))), "{e:?}");
                    drop(tx);
                    false
                }
                // Dropped without a word, as when a request is cancelled.
                2 => {
                    tokio::task::yield_now().await;
                    drop(tx);
                    false
                }
                _ => {
                    tx.commit().await.expect("commit");
                    let mut c = db.read().await.expect("read");
                    let seen = orgs::get_by_code(c.conn(), &code).await.expect("get");
                    assert!(seen.is_some(), "W{i} acknowledged but not visible");
                    true
                }
            }
        }));
    }
    let mut kept = 0;
    for t in tasks {
        if t.await.expect("task") {
            kept += 1;
        }
    }
    assert_eq!(kept, 30, "{backend}");
    let mut c = db.read().await.expect("read");
    for i in 0..60 {
        let found = orgs::get_by_code(c.conn(), &format!("W{i}"))
            .await
            .expect("get")
            .is_some();
        assert_eq!(found, i % 4 == 0 || i % 4 == 3, "{backend}: W{i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_keep_what_they_committed_and_nothing_else() {
    both!(concurrent_writers);
}

async fn counter_shards(db: Db, backend: &str) {
    use luodi_store::items::{self, BucketKey, CounterDelta};
    let a = org(&db, "A", None).await;
    let b = org(&db, "B", Some(&a)).await;
    let c = org(&db, "C", Some(&b)).await;
    let chain = [a.id, b.id, c.id];
    let key = |status: &str| BucketKey {
        kind: "rectification".into(),
        phase: "rectify".into(),
        status: status.into(),
        light: "green".into(),
        timeliness: "on_time".into(),
        due_so_far: false,
    };
    let (k1, k2) = (key("in_progress"), key("suspended"));
    let mut tx = db.begin().await.expect("begin");
    items::bump(tx.conn(), CounterDelta::for_each(&chain, 7, &k1, 100, 0), 0)
        .await
        .expect("seed");
    tx.commit().await.expect("commit");
    // Moves both ways at once (each locks the other's rows in the opposite bucket order
    // unless rows go in key order), while folds run beside them.
    let mut tasks = Vec::new();
    for i in 0..40i64 {
        let mover = db.clone();
        let (from, to) = if i % 3 == 0 {
            (k2.clone(), k1.clone())
        } else {
            (k1.clone(), k2.clone())
        };
        tasks.push(tokio::spawn(async move {
            let mut tx = mover.begin().await.expect("begin");
            let mut d = CounterDelta::for_each(&chain, 7, &from, -1, 0);
            d.extend(CounterDelta::for_each(&chain, 7, &to, 1, 0));
            items::bump(tx.conn(), d, i).await.expect("bump");
            tx.commit().await.expect("commit");
        }));
        if i % 8 == 0 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.expect("begin");
                items::fold_counters(tx.conn()).await.expect("fold");
                tx.commit().await.expect("commit");
            }));
        }
    }
    for t in tasks {
        t.await.expect("task");
    }
    let figures = |db: Db| async move {
        let mut c = db.read().await.expect("read");
        let mut out = Vec::new();
        for org in chain {
            let mut rows: Vec<(String, i64)> = items::counters(c.conn(), org, Some(7), None)
                .await
                .expect("counters")
                .into_iter()
                .map(|r| (r.key.status, r.n))
                .collect();
            rows.sort();
            out.push(rows);
        }
        out
    };
    let want = vec![("in_progress".to_owned(), 88), ("suspended".to_owned(), 12)];
    assert_eq!(
        figures(db.clone()).await,
        vec![want.clone(); 3],
        "{backend}: before folding"
    );
    let mut tx = db.begin().await.expect("begin");
    items::fold_counters(tx.conn()).await.expect("fold");
    tx.commit().await.expect("commit");
    assert_eq!(
        figures(db.clone()).await,
        vec![want; 3],
        "{backend}: after folding"
    );
    let mut c = db.read().await.expect("read");
    let unfolded = luodi_store::db::scalar_i64(
        c.conn(),
        Sql::new("SELECT COUNT(*) FROM rollup_counters WHERE shard > 0"),
    )
    .await
    .expect("count");
    assert_eq!(unfolded, 0, "{backend}: shards left after the fold");
}

/// Concurrent counter changes in opposite directions, with folds beside them, neither deadlock
/// nor lose a change, on either backend.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counter_changes_in_shards_add_up_and_fold() {
    both!(counter_shards);
}
