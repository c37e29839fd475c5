//! The audit trail's tamper evidence: sealing, `verify` (API and CLI), the database triggers
//! that keep luodi's own connections from changing the trail, and the audit administrator's
//! purge with its archive.

use crate::helpers::{backend_is_postgres, json, TestApp};
use luodi_store::Sql;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

async fn exec(app: &TestApp, sql: Sql) -> Result<u64, luodi_store::StoreError> {
    let mut tx = app.svc.db().begin().await?;
    let n = luodi_store::db::execute(tx.conn(), sql).await?;
    tx.commit().await?;
    Ok(n)
}

async fn scalar(app: &TestApp, sql: Sql) -> i64 {
    let mut c = app.svc.db().read().await.expect("read");
    luodi_store::db::scalar_i64(c.conn(), sql)
        .await
        .expect("scalar")
}

/// What someone with the database's own credentials can do: switch the triggers off.
async fn disable_guards(app: &TestApp) {
    if backend_is_postgres() {
        exec(app, Sql::new("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            .await
            .expect("disable triggers");
    } else {
        for t in ["audit_log_append_only", "audit_log_no_delete"] {
            let mut s = Sql::new("DROP TRIGGER ");
            s.text.push_str(t);
            exec(app, s).await.expect("drop trigger");
        }
    }
}

/// A few records of sign-ins, refused and accepted, sealed.
async fn some_records(app: &TestApp) {
    for _ in 0..3 {
        app.sign_in("nobody", "wrong-password").await;
    }
    app.demo("office").await;
    seal_all(app).await;
}

/// Seals until nothing is left: on PostgreSQL a record waits while any older transaction (of
/// any test on the server) is still running.
async fn seal_all(app: &TestApp) {
    for _ in 0..600 {
        luodi_service::audit::seal(&app.svc).await.expect("seal");
        let left = scalar(
            app,
            Sql::new("SELECT COUNT(*) FROM audit_log WHERE seq IS NULL"),
        )
        .await;
        if left == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("records still unsealed after 30 s");
}

async fn verify(app: &TestApp) -> Value {
    let c = app.demo("auditor").await;
    let (s, v) = json(
        c.get(app.url("/api/v1/audit/verify"))
            .send()
            .await
            .expect("verify"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn id_of_seq(app: &TestApp, seq: i64) -> i64 {
    scalar(
        app,
        Sql::new("SELECT id FROM audit_log WHERE seq = ").arg(seq),
    )
    .await
}

#[tokio::test]
async fn every_record_is_sealed_in_one_unbroken_chain() {
    let app = TestApp::seeded().await;
    some_records(&app).await;
    let total = app.audit_count().await;
    let v = verify(&app).await;
    assert_eq!(v["ok"], true, "{v}");
    // Verifying signed the auditor in: one more record, not sealed yet.
    assert_eq!(v["checked"].as_i64(), Some(total), "{v}");
    assert_eq!(v["head_seq"].as_i64(), Some(total), "{v}");
    assert!(v["unsealed"].as_i64() >= Some(1), "{v}");
    seal_all(&app).await;
    // Sequence numbers run 1..n without a gap.
    let n = app.audit_count().await;
    assert_eq!(
        scalar(
            &app,
            Sql::new("SELECT MAX(seq) - MIN(seq) + 1 FROM audit_log")
        )
        .await,
        n
    );

    // Only the audit administrator of the whole tree verifies.
    for who in ["sysadmin", "secadmin", "office"] {
        let c = app.demo(who).await;
        let r = c
            .get(app.url("/api/v1/audit/verify"))
            .send()
            .await
            .expect("verify");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
    }
}

#[tokio::test]
async fn luodi_cannot_change_or_remove_audit_records() {
    let app = TestApp::seeded().await;
    some_records(&app).await;
    let before = app.audit_count().await;
    let first = scalar(&app, Sql::new("SELECT MIN(id) FROM audit_log")).await;
    // Through the application's own connections: every change refused by the database.
    let attempts = [
        Sql::new("UPDATE audit_log SET action = 'nothing.happened' WHERE id = ").arg(first),
        Sql::new("UPDATE audit_log SET seq = seq + 1000 WHERE id = ").arg(first),
        Sql::new("UPDATE audit_log SET mac = 'x' WHERE id = ").arg(first),
        Sql::new("DELETE FROM audit_log WHERE id = ").arg(first),
        Sql::new("DELETE FROM audit_log"),
        // The head moves forward only, and the mark of records from before MACs never.
        Sql::new("UPDATE audit_chain SET legacy_max_id = 1000000"),
        Sql::new("UPDATE audit_chain SET last_seq = last_seq - 1"),
        Sql::new("DELETE FROM audit_chain"),
    ];
    for sql in attempts {
        let text = sql.text.clone();
        assert!(exec(&app, sql).await.is_err(), "{text} was allowed");
    }
    if backend_is_postgres() {
        assert!(exec(&app, Sql::new("TRUNCATE audit_log")).await.is_err());
        assert!(exec(&app, Sql::new("TRUNCATE audit_purges")).await.is_err());
    }
    assert_eq!(app.audit_count().await, before);
    assert!(verify(&app).await["ok"] == true);
}

#[tokio::test]
async fn verify_names_the_first_modified_deleted_or_inserted_record() {
    let app = TestApp::seeded().await;
    some_records(&app).await;
    disable_guards(&app).await;

    // Modified: a record's outcome rewritten.
    let id3 = id_of_seq(&app, 3).await;
    exec(
        &app,
        Sql::new("UPDATE audit_log SET outcome = 'ok', ip = '127.0.0.2' WHERE id = ").arg(id3),
    )
    .await
    .expect("tamper");
    let v = verify(&app).await;
    assert_eq!(v["ok"], false);
    assert_eq!(v["problem_kind"], "modified", "{v}");
    assert!(
        v["problem"]
            .as_str()
            .is_some_and(|p| p.contains(&format!("record {id3} (seq 3)"))),
        "{v}"
    );
    let v = luodi_service::audit::verify_chain(&app.svc, None)
        .await
        .expect("verify");
    assert_eq!(
        v.problem,
        Some(luodi_domain::audit_chain::Break::Modified {
            id: id3,
            seq: Some(3)
        })
    );
}

#[tokio::test]
async fn verify_notices_deletions_insertions_and_a_cut_off_tail() {
    use luodi_domain::audit_chain::Break;
    let app = TestApp::seeded().await;
    some_records(&app).await;
    disable_guards(&app).await;
    let head = scalar(&app, Sql::new("SELECT last_seq FROM audit_chain")).await;

    // Deleted: one record from the middle.
    exec(&app, Sql::new("DELETE FROM audit_log WHERE seq = 5"))
        .await
        .expect("delete");
    let v = luodi_service::audit::verify_chain(&app.svc, None)
        .await
        .expect("v");
    assert_eq!(v.problem, Some(Break::Deleted { from: 5, to: 5 }));

    // Inserted: a record given seq 5's place, with made-up MACs.
    exec(
        &app,
        Sql::new("INSERT INTO audit_log (at, actor_name, action, object_type, outcome, nonce, row_mac, seq, mac) VALUES (")
            .values([
                chrono::Utc::now().into(),
                "sysadmin".into(),
                "login".into(),
                "user".into(),
                "ok".into(),
                "n-forged".into(),
                "0".repeat(64).into(),
                5i64.into(),
                "1".repeat(64).into(),
            ])
            .push(")"),
    )
    .await
    .expect("insert");
    let forged = scalar(&app, Sql::new("SELECT id FROM audit_log WHERE seq = 5")).await;
    let v = luodi_service::audit::verify_chain(&app.svc, None)
        .await
        .expect("v");
    assert_eq!(
        v.problem,
        Some(Break::Inserted {
            id: forged,
            seq: Some(5)
        })
    );
    exec(&app, Sql::new("DELETE FROM audit_log WHERE seq = 5"))
        .await
        .expect("delete");

    // The tail cut off: verify compares with the chain's head.
    let app = TestApp::seeded().await;
    some_records(&app).await;
    disable_guards(&app).await;
    let head2 = scalar(&app, Sql::new("SELECT last_seq FROM audit_chain")).await;
    exec(
        &app,
        Sql::new("DELETE FROM audit_log WHERE seq = ").arg(head2),
    )
    .await
    .expect("delete");
    let v = luodi_service::audit::verify_chain(&app.svc, None)
        .await
        .expect("v");
    assert_eq!(
        v.problem,
        Some(Break::Truncated {
            last: head2 - 1,
            head: head2
        })
    );
    assert!(head >= 5);

    // Written behind luodi's back and not sealed: the sealer leaves it out, verify names it.
    let app = TestApp::seeded().await;
    some_records(&app).await;
    exec(
        &app,
        Sql::new("INSERT INTO audit_log (at, actor_name, action, object_type, outcome, nonce, row_mac) VALUES (")
            .values([
                chrono::Utc::now().into(),
                "auditor".into(),
                "role.grant".into(),
                "role".into(),
                "ok".into(),
                "n-behind".into(),
                "2".repeat(64).into(),
            ])
            .push(")"),
    )
    .await
    .expect("insert");
    let behind = scalar(
        &app,
        Sql::new("SELECT id FROM audit_log WHERE nonce = 'n-behind'"),
    )
    .await;
    // On PostgreSQL the record waits for every older transaction on the server to end.
    let mut refused = 0;
    for _ in 0..600 {
        refused = luodi_service::audit::seal(&app.svc)
            .await
            .expect("seal")
            .refused;
        if refused > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(refused, 1, "the sealer leaves the record out");
    let v = luodi_service::audit::verify_chain(&app.svc, None)
        .await
        .expect("v");
    assert_eq!(
        v.problem,
        Some(Break::Inserted {
            id: behind,
            seq: None
        })
    );
}

#[tokio::test]
async fn audit_verify_on_the_command_line_exits_1_on_a_broken_chain() {
    if backend_is_postgres() {
        return; // the command line runs against the test's SQLite file
    }
    let app = TestApp::seeded().await;
    some_records(&app).await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_luodi"))
            .args(["audit", "verify", "--data-dir"])
            .arg(app.dir.path())
            .env_remove("LUODI_DATABASE_URL")
            .output()
            .expect("run luodi")
    };
    let o = run();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("the audit chain is intact"), "{out}");
    disable_guards(&app).await;
    exec(
        &app,
        Sql::new("UPDATE audit_log SET actor_name = 'someone-else' WHERE seq = 2"),
    )
    .await
    .expect("tamper");
    let o = run();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("(seq 2) was modified"), "{out}");
}

#[tokio::test]
async fn the_audit_administrator_purges_only_past_the_retention_with_an_archive() {
    let start = chrono::Utc::now() - chrono::Duration::days(400);
    let clock = Arc::new(luodi_domain::FixedClock::new(start));
    // Without forced password rotation: the clock jumps 300 days.
    let app = TestApp::spawn_with(
        clock.clone(),
        luodi::config::Layer {
            password_policy: Some("asvs".into()),
            ..Default::default()
        },
    )
    .await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    some_records(&app).await;
    let old = app.audit_count().await;
    clock.advance(chrono::Duration::days(300));
    some_records(&app).await;
    let cutoff = start + chrono::Duration::days(100);
    let auditor = app.demo("auditor").await;

    // Within the retention period: refused.
    let (s, v) = json(
        auditor
            .post(app.url("/api/v1/audit/purges"))
            .json(&json!({ "before": clock_now(&app) - chrono::Duration::days(10) }))
            .send()
            .await
            .expect("purge"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Not the audit administrator: refused.
    for who in ["sysadmin", "secadmin"] {
        let c = app.demo(who).await;
        let r = c
            .post(app.url("/api/v1/audit/purges"))
            .json(&json!({ "before": cutoff }))
            .send()
            .await
            .expect("purge");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
    }

    let (s, p) = json(
        auditor
            .post(app.url("/api/v1/audit/purges"))
            .json(&json!({ "before": cutoff }))
            .send()
            .await
            .expect("purge"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["records"].as_i64(), Some(old), "{p}");
    assert_eq!(p["from_seq"].as_i64(), Some(1));
    assert_eq!(p["up_to_seq"].as_i64(), Some(old));
    // The old records are gone, the rest still verifies from the purge's anchor.
    assert_eq!(
        scalar(
            &app,
            Sql::new("SELECT COUNT(*) FROM audit_log WHERE at < ").arg(cutoff)
        )
        .await,
        0
    );
    let v = verify(&app).await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["first_seq"].as_i64(), Some(old + 1), "{v}");
    // The purge is itself audited.
    assert_eq!(
        scalar(
            &app,
            Sql::new("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.purge'")
        )
        .await,
        1
    );
    // The archive holds every purged record with its MACs.
    let r = auditor
        .get(app.url(&format!(
            "/api/v1/audit/purges/{}/archive",
            p["id"].as_i64().expect("id")
        )))
        .send()
        .await
        .expect("archive");
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.expect("text");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len() as i64, old + 1);
    assert_eq!(lines[0]["up_to_seq"].as_i64(), Some(old));
    assert!(lines[1..].iter().all(|l| l["mac"].is_string()));
    // Nothing more to purge before the same date.
    let r = auditor
        .post(app.url("/api/v1/audit/purges"))
        .json(&json!({ "before": cutoff }))
        .send()
        .await
        .expect("purge");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // Purge records are as fixed as the trail.
    for sql in [
        Sql::new("UPDATE audit_purges SET up_to_seq = up_to_seq + 1"),
        Sql::new("DELETE FROM audit_purges"),
    ] {
        assert!(exec(&app, sql).await.is_err());
    }
    // A forged purge record (moving the chain's start) is noticed.
    disable_guards(&app).await;
    if backend_is_postgres() {
        exec(
            &app,
            Sql::new("ALTER TABLE audit_purges DISABLE TRIGGER USER"),
        )
        .await
        .expect("disable");
    } else {
        exec(&app, Sql::new("DROP TRIGGER audit_purges_no_update"))
            .await
            .expect("drop");
    }
    exec(
        &app,
        Sql::new("UPDATE audit_purges SET up_to_seq = up_to_seq + 1"),
    )
    .await
    .expect("forge");
    let v = verify(&app).await;
    assert_eq!(v["problem_kind"], "forged_purge", "{v}");
}

fn clock_now(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    app.svc.now()
}

#[tokio::test]
async fn the_chain_page_shows_the_verdict_and_refuses_a_purge_too_soon() {
    let app = TestApp::seeded().await;
    some_records(&app).await;
    let auditor = app.demo("auditor").await;
    let page = auditor
        .get(app.url("/audit"))
        .send()
        .await
        .expect("audit")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("href=\"/audit/chain\""),
        "no link to the chain"
    );
    let r = auditor
        .get(app.url("/audit/chain"))
        .send()
        .await
        .expect("chain");
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.expect("text");
    assert!(page.contains("id=\"audit-chain-ok\""), "{page}");
    assert!(page.contains("审计链完整"), "zh-CN first");
    let today = chrono::Utc::now().date_naive().to_string();
    let r = auditor
        .post(app.url("/audit/chain/purge"))
        .header("Origin", app.base.clone())
        .form(&[("before", today.as_str())])
        .send()
        .await
        .expect("purge");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(to, "/audit/chain?refused=audit_retention");
    let page = auditor
        .get(app.url(&to))
        .send()
        .await
        .expect("chain")
        .text()
        .await
        .expect("text");
    assert!(page.contains("不少于180天"), "the refusal is shown");
    for who in ["sysadmin", "secadmin"] {
        let c = app.demo(who).await;
        let r = c.get(app.url("/audit/chain")).send().await.expect("chain");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
        let r = c
            .post(app.url("/audit/chain/purge"))
            .header("Origin", app.base.clone())
            .form(&[("before", "2020-01-01")])
            .send()
            .await
            .expect("purge");
        assert!(
            r.status() == StatusCode::FORBIDDEN
                || r.headers()
                    .get("location")
                    .is_some_and(|l| l.to_str().is_ok_and(|l| l.contains("refused=forbidden"))),
            "{who}: {}",
            r.status()
        );
    }
}

/// Someone with write access to the database cuts the newest records off and rewinds the
/// chain's head: inside the database the chain then looks intact. A head written down outside
/// it (printed on every published bulletin, written to the log once a day) is no longer
/// reached, and `verify` against it says so, through the API, the page and the command line.
#[tokio::test]
async fn a_cut_tail_with_a_rewound_head_is_caught_by_a_head_written_down() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    some_records(&app).await;
    let office = app.demo("office").await;
    let (_, list) = json(
        office
            .get(app.url("/api/v1/bulletins"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let draft = list
        .as_array()
        .and_then(|a| a.iter().find(|b| b["status"] == "draft"))
        .and_then(|b| b["id"].as_i64())
        .expect("a bulletin waiting for the office");
    let (s, v) = json(
        office
            .post(app.url(&format!("/api/v1/bulletins/{draft}/publish")))
            .json(&json!({"note": ""}))
            .send()
            .await
            .expect("publish"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let anchor = v["bulletin"]["audit_head"]
        .as_str()
        .expect("the head on the bulletin")
        .to_owned();
    let a = luodi_domain::audit_chain::Anchor::parse(&anchor).expect("SEQ:MAC");
    assert!(a.seq > 3, "{anchor}");
    // It is printed on the page and in the document.
    let page = office
        .get(app.url(&format!("/bulletins/{draft}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains(&anchor), "on the page");
    let docx = office
        .get(app.url(&format!("/api/v1/bulletins/{draft}/export.docx")))
        .send()
        .await
        .expect("docx")
        .bytes()
        .await
        .expect("bytes");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx.to_vec())).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").expect("doc"), &mut xml)
        .expect("read");
    assert!(xml.contains(&anchor), "in the document");

    some_records(&app).await;
    let auditor = app.demo("auditor").await;
    let check = |head: Option<&str>| {
        let url = match head {
            Some(h) => app.url(&format!("/api/v1/audit/verify?head={h}")),
            None => app.url("/api/v1/audit/verify"),
        };
        let r = auditor.get(url).send();
        async move { json(r.await.expect("verify")).await.1 }
    };
    let v = check(Some(&anchor)).await;
    assert_eq!(
        (v["ok"].as_bool(), v["anchor_reached"].as_bool()),
        (Some(true), Some(true)),
        "{v}"
    );
    let (s, v) = json(
        auditor
            .get(app.url("/api/v1/audit/verify?head=not-a-head"))
            .send()
            .await
            .expect("verify"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // The attack: triggers off, the tail after an earlier record deleted, the head rewound.
    disable_guards(&app).await;
    if backend_is_postgres() {
        exec(
            &app,
            Sql::new("ALTER TABLE audit_chain DISABLE TRIGGER USER"),
        )
        .await
        .expect("disable");
    } else {
        exec(&app, Sql::new("DROP TRIGGER audit_chain_forward_only"))
            .await
            .expect("drop");
    }
    let cut_to = a.seq - 3;
    let mut c = app.svc.db().read().await.expect("read");
    let mac: String = luodi_store::db::fetch_optional::<(String,)>(
        c.conn(),
        Sql::new("SELECT mac FROM audit_log WHERE seq = ").arg(cut_to),
    )
    .await
    .expect("mac")
    .expect("record")
    .0;
    drop(c);
    exec(
        &app,
        Sql::new("DELETE FROM audit_log WHERE seq IS NULL OR seq > ").arg(cut_to),
    )
    .await
    .expect("cut");
    exec(
        &app,
        Sql::new("UPDATE audit_chain SET last_seq = ")
            .arg(cut_to)
            .push(", last_mac = ")
            .arg(mac),
    )
    .await
    .expect("rewind");
    let v = check(None).await;
    assert_eq!(v["ok"], true, "inside the database it looks whole: {v}");
    let v = check(Some(&anchor)).await;
    assert_eq!(
        (v["ok"].as_bool(), v["problem_kind"].as_str()),
        (Some(false), Some("cut")),
        "{v}"
    );
    assert!(
        v["problem"].as_str().is_some_and(|p| p.contains("removed")),
        "{v}"
    );
    let page = auditor
        .get(app.url(&format!("/audit/chain?head={anchor}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("audit-chain-broken"), "the page says so");

    if !backend_is_postgres() {
        // The command line seals what came since (the chain grows again past the cut) and
        // finds the record at the written-down seq is another one.
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_luodi"))
            .args(["audit", "verify", "--head", &anchor, "--data-dir"])
            .arg(app.dir.path())
            .env_remove("LUODI_DATABASE_URL")
            .output()
            .expect("run luodi");
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert_eq!(
            o.status.code(),
            Some(1),
            "{out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(out.contains("the audit chain is broken"), "{out}");
    }
}
