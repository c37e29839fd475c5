//! Crash safety: the real binary killed with SIGKILL at random moments, 20 times over one
//! database, while a 100,000-row ledger import runs and while transitions and evidence uploads
//! come in a burst. After every kill: SQLite's `integrity_check` passes, each import is there
//! whole or not at all, no transition or upload that was answered is lost, and no row points
//! at a missing file.

use crate::helpers::{backend_is_postgres, PW};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The first run lets its import finish (to time one); the other 20 die at random moments.
const RUNS: usize = 21;
const IMPORT_ROWS: usize = 100_000;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

/// `luodi demo` on `dir` (seeds the demo on the first start), answering on its port.
pub(crate) async fn start(dir: &Path) -> (Child, String) {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_luodi"))
        .args([
            "demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir)
        .env_remove("LUODI_DATABASE_URL")
        .env("LUODI_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start luodi");
    let base = format!("http://127.0.0.1:{port}");
    let probe = Client::new();
    for _ in 0..1200 {
        if probe
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("luodi did not start");
}

pub(crate) async fn login(base: &str, who: &str) -> Client {
    let c = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = c
        .post(format!("{base}/login"))
        .form(&[("username", who), ("password", PW)])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login of {who}");
    c
}

async fn get_json(c: &Client, url: String) -> Value {
    c.get(url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .unwrap_or(Value::Null)
}

/// A small deterministic pseudo-random source (no dependency for one test).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// What the server answered: the highest version acknowledged per item, and the evidence
/// files acknowledged.
#[derive(Default)]
struct Acked {
    versions: HashMap<i64, i64>,
    transitions: usize,
    attachments: Vec<(i64, String)>,
}

/// Suspends and resumes `items` as the campaign office, one after another, noting each answer.
async fn transitions(base: String, office: Client, items: Vec<i64>, acked: Arc<Mutex<Acked>>) {
    let mut i = 0usize;
    loop {
        let id = items[i % items.len()];
        i += 1;
        let Ok(r) = office.get(format!("{base}/api/v1/items/{id}")).send().await else {
            return;
        };
        let Ok(item) = r.json::<Value>().await else {
            return;
        };
        let action = if item["status"] == "suspended" {
            "resume"
        } else {
            "suspend"
        };
        let Ok(r) = office
            .post(format!("{base}/api/v1/items/{id}/transitions"))
            .json(&json!({"action": action, "reason": "崩溃测试", "version": item["version"]}))
            .send()
            .await
        else {
            return;
        };
        if r.status() == StatusCode::OK {
            if let Ok(v) = r.json::<Value>().await {
                if let Some(version) = v["version"].as_i64() {
                    let mut a = acked.lock().unwrap_or_else(|e| e.into_inner());
                    let e = a.versions.entry(id).or_default();
                    *e = (*e).max(version);
                    a.transitions += 1;
                }
            }
        }
    }
}

/// Uploads evidence as the unit liaison, each file new, noting each answered upload.
async fn uploads(
    base: String,
    liaison: Client,
    items: Vec<i64>,
    acked: Arc<Mutex<Acked>>,
    run: usize,
) {
    let mut n = 0usize;
    loop {
        let id = items[n % items.len()];
        n += 1;
        let pdf = format!("%PDF-1.4\n% crash run {run} upload {n}\n%%EOF\n");
        let form = Form::new().part(
            "file",
            Part::bytes(pdf.into_bytes()).file_name("证明材料.pdf"),
        );
        let Ok(r) = liaison
            .post(format!("{base}/api/v1/items/{id}/evidence"))
            .multipart(form)
            .send()
            .await
        else {
            return;
        };
        if r.status().is_success() {
            if let Ok(v) = r.json::<Value>().await {
                if let (Some(aid), Some(sha)) = (v["id"].as_i64(), v["sha256"].as_str()) {
                    acked
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .attachments
                        .push((aid, sha.to_owned()));
                }
            }
        }
    }
}

/// The checks after a kill, on the database file as the kill left it.
async fn check(dir: &Path, run: usize, acked: &Acked) -> (i64, bool) {
    use sqlx::Connection;
    let mut c =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", dir.join("demo.db").display()))
            .await
            .expect("open");
    let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut c)
        .await
        .expect("integrity_check");
    assert_eq!(ok, "ok", "run {run}: integrity_check");
    let imported: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE title LIKE $1 OR description LIKE $1")
            .bind(format!("崩溃{run}轮-%"))
            .fetch_one(&mut c)
            .await
            .expect("count");
    assert!(
        imported == 0 || imported == IMPORT_ROWS as i64,
        "run {run}: the import is half applied ({imported} rows)"
    );
    for (id, version) in &acked.versions {
        let now: i64 = sqlx::query_scalar("SELECT version FROM items WHERE id = $1")
            .bind(id)
            .fetch_one(&mut c)
            .await
            .expect("version");
        assert!(
            now >= *version,
            "run {run}: item {id} is at version {now}, {version} was acknowledged"
        );
    }
    for (aid, sha) in &acked.attachments {
        let found: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE id = $1 AND sha256 = $2")
                .bind(aid)
                .bind(sha)
                .fetch_one(&mut c)
                .await
                .expect("attachment");
        assert_eq!(found, 1, "run {run}: acknowledged attachment {aid} is lost");
    }
    let shas: Vec<String> = sqlx::query_scalar(
        "SELECT sha256 FROM attachments UNION SELECT sha256 FROM plan_attachments UNION SELECT sha256 FROM submission_photos",
    )
    .fetch_all(&mut c)
    .await
    .expect("shas");
    for sha in &shas {
        let p = dir.join("files").join(&sha[..2]).join(&sha[2..]);
        assert!(
            p.exists(),
            "run {run}: a row points at the missing file {sha}"
        );
    }
    c.close().await.expect("close");
    (imported, true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_an_import_and_a_burst_of_transitions_loses_nothing_acknowledged() {
    if backend_is_postgres() {
        return; // SQLite's file is what a kill can break; PostgreSQL keeps its own WAL
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ u64::from(std::process::id()));
    let mut import_seconds: Option<f64> = None;
    let (mut whole, mut none) = (0, 0);
    let (mut transitions_total, mut uploads_total) = (0, 0);
    let started = Instant::now();
    for run in 0..RUNS {
        let (mut child, base) = start(dir.path()).await;
        let office = login(&base, "office").await;
        let liaison = login(&base, "liaison").await;
        let campaigns = get_json(&office, format!("{base}/api/v1/campaigns")).await;
        let cid = campaigns["items"][0]["id"].as_i64().expect("campaign");
        // Items the office suspends and resumes (a kill can leave one suspended).
        let mut to_suspend: Vec<i64> = Vec::new();
        for status in ["in_progress", "suspended"] {
            let page = get_json(
                &office,
                format!("{base}/api/v1/items?campaign_id={cid}&status={status}&per_page=20"),
            )
            .await;
            to_suspend.extend(
                page["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|i| i["id"].as_i64()),
            );
        }
        let to_upload: Vec<i64> = get_json(
            &liaison,
            format!("{base}/api/v1/items?campaign_id={cid}&status=assigned&per_page=10"),
        )
        .await["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect())
            .unwrap_or_default();
        assert!(
            !to_suspend.is_empty() && !to_upload.is_empty(),
            "the demo has items to work on"
        );

        let mut csv = String::from("问题描述,整改措施,责任单位编码,责任人,完成时限,问题来源\n");
        for i in 0..IMPORT_ROWS {
            csv.push_str(&format!(
                "崩溃{run}轮-第{i}号问题,整改措施{i},D-TRANSPORT,刘洋,2099-12-31,调研发现\n"
            ));
        }
        let acked = Arc::new(Mutex::new(Acked::default()));
        let burst = [
            tokio::spawn(transitions(
                base.clone(),
                office.clone(),
                to_suspend.clone(),
                acked.clone(),
            )),
            tokio::spawn(transitions(
                base.clone(),
                office.clone(),
                to_suspend.iter().rev().copied().collect(),
                acked.clone(),
            )),
            tokio::spawn(uploads(
                base.clone(),
                liaison.clone(),
                to_upload.clone(),
                acked.clone(),
                run,
            )),
        ];
        let t0 = Instant::now();
        let mut killed_at = None;
        let form = Form::new().part(
            "file",
            Part::bytes(csv.into_bytes()).file_name("ledger.csv"),
        );
        let r = office
            .post(format!(
                "{base}/api/v1/items/import?campaign_id={cid}&async=true"
            ))
            .multipart(form)
            .send()
            .await
            .expect("import");
        assert_eq!(r.status(), StatusCode::ACCEPTED, "run {run}");
        let job = r.json::<Value>().await.expect("job")["job_id"]
            .as_u64()
            .expect("job id");
        if import_seconds.is_none() {
            // The first run lets the import finish, to learn how long one takes.
            loop {
                let j = get_json(&office, format!("{base}/api/v1/jobs/{job}")).await;
                if j["phase"] == "done" || j["phase"] == "failed" {
                    let shown: String = j.to_string().chars().take(600).collect();
                    assert_eq!(j["phase"], "done", "{shown}");
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            import_seconds = Some(t0.elapsed().as_secs_f64());
        } else {
            // The burst must have been answered before the moment is chosen: on a busy machine
            // its first answers can come after any fixed delay (wait for the event, not a guess).
            let waiting = Instant::now();
            while acked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .versions
                .is_empty()
            {
                assert!(
                    waiting.elapsed() < Duration::from_secs(300),
                    "run {run}: no transition answered in five minutes"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // Later runs die at a random moment of the import (a few after it).
            let span = import_seconds.unwrap_or(5.0) * 1.2;
            let at = 0.2 + span * (rng.next() % 1000) as f64 / 1000.0;
            tokio::time::sleep(Duration::from_secs_f64(at)).await;
        }
        killed_at.get_or_insert(t0.elapsed().as_secs_f64());
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        for b in burst {
            b.abort();
        }
        let acked = std::mem::take(&mut *acked.lock().unwrap_or_else(|e| e.into_inner()));
        assert!(
            !acked.versions.is_empty(),
            "run {run}: the burst got answers"
        );
        let (imported, _) = check(dir.path(), run, &acked).await;
        if imported == 0 {
            none += 1;
        } else {
            whole += 1;
        }
        eprintln!(
            "crash run {run}: killed {:.1} s into the import; import {}; {} transitions and {} uploads acknowledged, all there",
            killed_at.unwrap_or_default(),
            if imported == 0 { "absent" } else { "whole" },
            acked.transitions,
            acked.attachments.len()
        );
        transitions_total += acked.transitions;
        uploads_total += acked.attachments.len();
    }
    eprintln!(
        "crash: {RUNS} SIGKILLs in {:.0} s; imports whole {whole}, absent {none}; a 100,000-row import takes {:.1} s here",
        started.elapsed().as_secs_f64(),
        import_seconds.unwrap_or_default()
    );
    eprintln!("crash: {transitions_total} transitions and {uploads_total} uploads acknowledged in all, none lost");
    assert!(none > 0, "at least one kill landed inside an import");
    // The audit chain came through every kill (a seal cut short is rolled back whole).
    let o = Command::new(env!("CARGO_BIN_EXE_luodi"))
        .args(["audit", "verify", "--data-dir"])
        .arg(dir.path())
        .arg("--database")
        .arg(format!("sqlite://{}", dir.path().join("demo.db").display()))
        .env_remove("LUODI_DATABASE_URL")
        .output()
        .expect("verify");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(uploads_total > 0, "evidence uploads were acknowledged");
    assert!(transitions_total > 0, "transitions were acknowledged");
}
