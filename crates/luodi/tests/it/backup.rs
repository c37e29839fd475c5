//! `luodi backup` and `luodi restore`: a restore drill under load (a backup taken while
//! writes go on restores to a database that passes its checks, holds what it held at one moment,
//! and has every file its rows point at), and tampered backups refused before anything is
//! touched.

use crate::helpers::{backend_is_postgres, json, TestApp};
use luodi_service::Actor;
use reqwest::StatusCode;
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn luodi(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_luodi"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("LUODI_DATABASE_URL")
        .output()
        .expect("run luodi")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

async fn count(c: &mut sqlx::SqliteConnection, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(c)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_whole_and_a_changed_one_is_refused() {
    if backend_is_postgres() {
        return; // the drill restores a SQLite file; PostgreSQL's path is pg_dump (see README)
    }
    let app = TestApp::seeded().await;
    let campaign = {
        let mut c = app.svc.db().read().await.expect("read");
        luodi_store::db::scalar_i64(
            c.conn(),
            luodi_store::Sql::new("SELECT MIN(id) FROM campaigns"),
        )
        .await
        .expect("campaign")
    };
    let root = app.org_id(luodi::tools::demo::data::ROOT_CODE).await;
    for i in 0..3 {
        let pdf = format!("%PDF-1.4\n% work plan {i}\n%%EOF\n");
        luodi_service::organisation::attach(
            &app.svc,
            &Actor::cli(),
            campaign,
            root,
            &format!("方案{i}.pdf"),
            pdf.as_bytes(),
        )
        .await
        .expect("attach");
    }
    let orgs_before = {
        let mut c = app.svc.db().read().await.expect("read");
        luodi_store::db::scalar_i64(c.conn(), luodi_store::Sql::new("SELECT COUNT(*) FROM orgs"))
            .await
            .expect("count")
    };

    // Load: new orgs, one after another, for as long as the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let office = app.demo("office").await;
    let load = {
        let (stop, office, base) = (stop.clone(), office.clone(), app.base.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let (s, v) = json(
                    office
                        .post(format!("{base}/api/v1/orgs"))
                        .json(&json!({"code": format!("DRILL-{n}"), "name": format!("演练单位{n}"), "kind": "unit", "parent_id": root}))
                        .send()
                        .await
                        .expect("create"),
                )
                .await;
                assert_eq!(s, StatusCode::CREATED, "{v}");
                n += 1;
            }
            n
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let backups = tempfile::tempdir().expect("tempdir");
    let bk = backups.path().join("b1");
    let data = app.dir.path().to_path_buf();
    let bk2 = bk.clone();
    let o = tokio::task::spawn_blocking(move || {
        luodi(&data, &["backup", "--to", bk2.to_str().expect("path")])
    })
    .await
    .expect("backup");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let created = load.await.expect("load");
    assert!(o.status.success(), "{}", text(&o));
    assert!(created > 0);
    let orgs_after = orgs_before + created;

    // Changed backups are refused, naming what is wrong, and the target is not touched.
    let target = backups.path().join("t-bad");
    copy_dir(&app.dir.path().join("keys"), &target.join("keys"));
    for (case, change) in [
        ("a byte of the database", "db"),
        ("an added file", "extra"),
        ("the manifest", "manifest"),
        ("an evidence file removed", "file"),
    ] {
        let bad = backups.path().join(format!("bad-{change}"));
        copy_dir(&bk, &bad);
        match change {
            "db" => {
                let p = bad.join("luodi.db");
                let mut bytes = std::fs::read(&p).expect("read");
                let mid = bytes.len() / 2;
                bytes[mid] ^= 0x01;
                std::fs::write(&p, bytes).expect("write");
            }
            "extra" => {
                std::fs::write(bad.join("files").join("planted.pdf"), b"%PDF-1.4").expect("write")
            }
            "manifest" => {
                let p = bad.join("MANIFEST");
                let t = std::fs::read_to_string(&p)
                    .expect("read")
                    .replace("schema ", "schema 9");
                std::fs::write(&p, t).expect("write");
            }
            _ => {
                let f = walk_files(&bad.join("files"));
                std::fs::remove_file(&f[0]).expect("remove");
            }
        }
        let o = luodi(&target, &["restore", "--from", bad.to_str().expect("path")]);
        assert!(!o.status.success(), "{case}: {}", text(&o));
        assert!(
            text(&o).contains("nothing was restored") || text(&o).contains("MAC does not match"),
            "{case}: {}",
            text(&o)
        );
        assert!(
            !target.join("luodi.db").exists(),
            "{case}: the target was touched"
        );
    }

    // The drill: a new machine with the keys (kept apart from backups) and the backup.
    let fresh = backups.path().join("restored");
    copy_dir(&app.dir.path().join("keys"), &fresh.join("keys"));
    let o = luodi(
        &fresh,
        &["restore", "--check", "--from", bk.to_str().expect("path")],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(!fresh.join("luodi.db").exists(), "--check touches nothing");
    let o = luodi(&fresh, &["restore", "--from", bk.to_str().expect("path")]);
    assert!(o.status.success(), "{}", text(&o));

    use sqlx::Connection;
    let mut c =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", fresh.join("luodi.db").display()))
            .await
            .expect("open");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut c)
        .await
        .expect("check");
    assert_eq!(check, "ok");
    let orgs = count(&mut c, "SELECT COUNT(*) FROM orgs").await;
    assert!(
        (orgs_before..=orgs_after).contains(&orgs),
        "{orgs} orgs restored, between {orgs_before} and {orgs_after} expected"
    );
    // Every file a row points at is there, byte for byte.
    let shas: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM plan_attachments")
        .fetch_all(&mut c)
        .await
        .expect("shas");
    assert_eq!(shas.len(), 3);
    for sha in &shas {
        let p = fresh.join("files").join(&sha[..2]).join(&sha[2..]);
        assert!(p.exists(), "{} missing", p.display());
    }
    c.close().await.expect("close");
    // The restored trail verifies, with the restore recorded in it.
    let o = luodi(&fresh, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    // Restoring over a database keeps the one replaced.
    let o = luodi(&fresh, &["restore", "--from", bk.to_str().expect("path")]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("before-restore"), "{}", text(&o));
}

fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// PostgreSQL's path: `pg_dump` into the backup, `pg_restore` out of it, on databases of their
/// own (the suite's per-test schemas are not whole databases).
#[tokio::test]
async fn on_postgresql_a_backup_goes_through_pg_dump_and_restores_into_another_database() {
    if !backend_is_postgres() {
        return;
    }
    let server = crate::helpers::pg_url();
    let server = server
        .rsplit_once('/')
        .map(|(s, _)| s.to_owned())
        .unwrap_or(server);
    let tag = format!("luodi_bk_{}", std::process::id());
    let (from_db, to_db) = (format!("{tag}_a"), format!("{tag}_b"));
    let admin = |sql: String| {
        Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-qc"])
            .arg(sql)
            .output()
            .expect("psql")
    };
    for db in [&from_db, &to_db] {
        admin(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
        assert!(admin(format!("CREATE DATABASE {db}")).status.success());
    }
    let dirs = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dirs.path().join("a"), dirs.path().join("b"));
    let url_a = format!("{server}/{from_db}");
    let url_b = format!("{server}/{to_db}");
    let on = |dir: &Path, url: &str, args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--database", url]);
        luodi(dir, &all)
    };
    let o = on(&a, &url_a, &["user", "add", "zhangsan", "--name", "张三"]);
    assert!(o.status.success(), "{}", text(&o));
    let bk = dirs.path().join("bk");
    let o = on(&a, &url_a, &["backup", "--to", bk.to_str().expect("path")]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(bk.join("luodi.pgdump").exists());
    // Without the keys nothing is restored.
    let o = on(
        &b,
        &url_b,
        &["restore", "--from", bk.to_str().expect("path")],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("needs the keys"), "{}", text(&o));
    copy_dir(&a.join("keys"), &b.join("keys"));
    let o = on(
        &b,
        &url_b,
        &["restore", "--from", bk.to_str().expect("path")],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = on(&b, &url_b, &["user", "list"]);
    assert!(text(&o).contains("zhangsan"), "{}", text(&o));
    let o = on(&b, &url_b, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    for db in [&from_db, &to_db] {
        admin(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    }
}
