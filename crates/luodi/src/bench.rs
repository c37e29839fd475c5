//! `luodi bench`: the figures of issue 6, measured on a database `luodi gen` filled. It starts
//! `luodi serve` as a child process on that database (so that its memory is its own), then
//! measures through the public surface, HTTP, and in-process through the same services:
//! scope roll-ups at four levels, a filtered ledger page, durable item creates and transitions
//! at 1, 8 and 32 clients, the province's weekly bulletin (in a child process, for its peak
//! memory), a 100,000-row ledger import, the ledger and dashboard under `wrk` with 64
//! connections, the server's memory at rest and under load, and the size of the database.
//! It prints a report and appends it to a Markdown file. Nothing here asserts a time.

use anyhow::Context;
use chrono::{Datelike, Duration as Days};
use luodi_service::items::ItemQuery;
use luodi_service::{Actor, Services};
use luodi_store::items::{ItemFilter, ItemSort};
use luodi_store::{Page, Sql};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub database_url: String,
    /// Shorter runs (CI): fewer samples, shorter load phases, a 10,000-row import.
    pub quick: bool,
    /// Append the report here.
    pub out: Option<PathBuf>,
    /// Rows of the import figure.
    pub import_rows: usize,
    /// Only these parts (`rollup`, `ledger`, …); empty: all.
    pub only: Vec<String>,
}

/// Latency figures of one measured request or call.
#[derive(Debug, Clone, Copy)]
struct Lat {
    p50: f64,
    p99: f64,
    n: usize,
}

fn lat(mut ms: Vec<f64>) -> Lat {
    ms.sort_by(|a, b| a.total_cmp(b));
    let n = ms.len();
    let at = |q: f64| {
        if n == 0 {
            f64::NAN
        } else {
            ms[(((n as f64) * q).ceil() as usize).clamp(1, n) - 1]
        }
    };
    Lat {
        p50: at(0.50),
        p99: at(0.99),
        n,
    }
}

/// The report: rows of (figure, value, target), and notes.
#[derive(Default)]
struct Report {
    rows: Vec<(String, String, String)>,
    notes: Vec<String>,
}

impl Report {
    fn row(
        &mut self,
        what: impl Into<String>,
        value: impl Into<String>,
        target: impl Into<String>,
    ) {
        let (w, v, t) = (what.into(), value.into(), target.into());
        println!("  {w:<58} {v:>22}   {t}");
        self.rows.push((w, v, t));
    }
    fn lat(&mut self, what: impl Into<String>, l: Lat, target_p99: Option<f64>) {
        let target = match target_p99 {
            Some(t) => format!("p99 ≤ {t} ms {}", mark(l.p99 <= t)),
            None => String::new(),
        };
        self.row(
            what,
            format!("{:.2} / {:.2} ms (n={})", l.p50, l.p99, l.n),
            target,
        );
    }
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "✓"
    } else {
        "✗ missed"
    }
}

/// The server child: killed when dropped.
struct Server {
    child: tokio::process::Child,
    pid: u32,
    base: String,
    dir: tempfile::TempDir,
}

impl Server {
    /// The last lines the server logged (warnings and errors), to show beside a failure.
    fn log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    async fn start(database_url: &str) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let dir = tempfile::tempdir()?;
        let exe = std::env::current_exe()?;
        let child = tokio::process::Command::new(exe)
            .args(["serve", "--database", database_url, "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(dir.path())
            .env("LUODI_LOG", "warn")
            .stdout(std::fs::File::create(dir.path().join("server.log"))?)
            .kill_on_drop(true)
            .spawn()
            .context("cannot start luodi serve")?;
        let pid = child.id().context("the server exited at once")?;
        let base = format!("http://127.0.0.1:{port}");
        let c = reqwest::Client::new();
        let t0 = Instant::now();
        loop {
            if let Ok(r) = c.get(format!("{base}/healthz")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            if t0.elapsed() > Duration::from_secs(300) {
                anyhow::bail!("luodi serve did not answer /healthz within 5 minutes");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        println!(
            "  server pid {pid} on {base}, ready in {:.1} s",
            t0.elapsed().as_secs_f64()
        );
        Ok(Server {
            child,
            pid,
            base,
            dir,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A process's resident and peak memory in KiB, from /proc.
fn memory_kib(pid: &str) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

/// A client with a bearer token of `username` (signed in with the demo password).
async fn token_client(base: &str, username: &str) -> anyhow::Result<reqwest::Client> {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("username", username),
            ("password", crate::demo_data::DEMO_PASSWORD),
        ])
        .send()
        .await?;
    anyhow::ensure!(
        r.status().is_redirection(),
        "cannot sign in as {username}: {}",
        r.status()
    );
    let r = c
        .post(format!("{base}/api/v1/me/tokens"))
        .json(&json!({ "name": "bench" }))
        .send()
        .await?;
    let v: Value = r.json().await?;
    let token = v["token"]
        .as_str()
        .context("no token in the answer")?
        .to_owned();
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse()?,
    );
    Ok(reqwest::Client::builder()
        .default_headers(h)
        .pool_max_idle_per_host(64)
        .build()?)
}

async fn timed_get(c: &reqwest::Client, url: &str, n: usize) -> anyhow::Result<Lat> {
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n {
        let t0 = Instant::now();
        let r = c.get(url).send().await?;
        let ok = r.status().is_success();
        let status = r.status();
        r.bytes().await?;
        ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(ok, "GET {url}: {status}");
    }
    Ok(lat(ms))
}

/// The orgs measured: the province, a city, a county and a unit, each with items.
struct Levels {
    campaign_id: i64,
    orgs: Vec<(&'static str, i64, String)>,
    unit_ids: Vec<i64>,
}

async fn levels(svc: &Services) -> anyhow::Result<Levels> {
    let mut c = svc.db().read().await?;
    let campaign: Option<(i64,)> = luodi_store::db::fetch_optional(
        c.conn(),
        Sql::new("SELECT id FROM campaigns ORDER BY id LIMIT 1"),
    )
    .await?;
    let campaign_id = campaign
        .context("no campaign: fill the database with `luodi gen` first")?
        .0;
    let mut orgs = Vec::new();
    for (label, kind) in [
        ("province", "province"),
        ("city", "city"),
        ("county", "county"),
        ("unit", "unit"),
    ] {
        // The first org of the kind that leads items directly or below it.
        let row: Option<(i64, String)> = luodi_store::db::fetch_optional(
            c.conn(),
            Sql::new("SELECT o.id, o.name FROM orgs o WHERE o.kind = ")
                .arg(kind)
                .push(" AND EXISTS (SELECT 1 FROM rollup_counters r WHERE r.org_id = o.id AND r.n > 0) ORDER BY o.id LIMIT 1"),
        )
        .await?;
        if let Some((id, name)) = row {
            orgs.push((label, id, name));
        }
    }
    let units: Vec<(i64,)> = luodi_store::db::fetch_all(
        c.conn(),
        Sql::new("SELECT id FROM orgs WHERE kind = ")
            .arg("unit")
            .push(" ORDER BY id LIMIT 200"),
    )
    .await?;
    Ok(Levels {
        campaign_id,
        orgs,
        unit_ids: units.into_iter().map(|(id,)| id).collect(),
    })
}

/// Durable writes over HTTP: `clients` tasks for `secs` seconds, each creating items (then,
/// in a second phase, suspending and resuming its own items). Returns (creates/s,
/// transitions/s, errors).
async fn write_load(
    c: &reqwest::Client,
    base: &str,
    lv: &Levels,
    clients: usize,
    secs: f64,
) -> anyhow::Result<(f64, f64, usize)> {
    let today = chrono::Utc::now().date_naive();
    // Each client's own items: (id, version, suspended).
    let run = |phase: u8, mine: Vec<Vec<(i64, i64, bool)>>| {
        let mut tasks = Vec::new();
        for (k, mut own) in mine.into_iter().enumerate() {
            let c = c.clone();
            let base = base.to_owned();
            let units = lv.unit_ids.clone();
            let campaign = lv.campaign_id;
            tasks.push(tokio::spawn(async move {
                let t0 = Instant::now();
                let mut ok = 0usize;
                let mut errors = 0usize;
                let mut i = 0usize;
                while t0.elapsed().as_secs_f64() < secs {
                    let slot = if own.is_empty() { 0 } else { i % own.len() };
                    let r = if phase == 0 {
                        let unit = units[(k * 7 + i) % units.len().max(1)];
                        c.post(format!("{base}/api/v1/items"))
                            .json(&json!({
                                "campaign_id": campaign, "kind": "task",
                                "title": format!("压测任务 {k}-{i}"), "description": "benchmark",
                                "phase": "rectification", "source": "superior_instruction",
                                "item_type": "time_limited", "lead_org_id": unit,
                                "responsible_person": "王伟", "due_on": today + Days::days(30),
                                "issue": true
                            }))
                            .send()
                            .await
                    } else {
                        let Some((id, version, suspended)) = own.get(slot).copied() else {
                            break;
                        };
                        // Each item goes suspended, resumed, suspended…
                        let action = if suspended { "resume" } else { "suspend" };
                        c.post(format!("{base}/api/v1/items/{id}/transitions"))
                            .json(
                                &json!({ "action": action, "reason": "压测", "version": version }),
                            )
                            .send()
                            .await
                    };
                    i += 1;
                    match r {
                        Ok(r) if r.status().is_success() => {
                            ok += 1;
                            let v: Value = r.json().await.unwrap_or_default();
                            let (Some(id), Some(version)) =
                                (v["id"].as_i64(), v["version"].as_i64())
                            else {
                                continue;
                            };
                            if phase == 0 {
                                own.push((id, version, false));
                            } else if let Some(o) = own.get_mut(slot) {
                                *o = (id, version, !o.2);
                            }
                        }
                        Ok(_) | Err(_) => errors += 1,
                    }
                }
                (ok, errors, own, t0.elapsed().as_secs_f64())
            }));
        }
        tasks
    };
    let mut created = Vec::new();
    let mut creates = 0usize;
    let mut errors = 0usize;
    let mut wall: f64 = 0.0;
    for t in run(0, vec![Vec::new(); clients]) {
        let (ok, e, own, w) = t.await?;
        creates += ok;
        errors += e;
        created.push(own);
        wall = wall.max(w);
    }
    let create_rate = creates as f64 / wall.max(1e-9);
    let mut transitions = 0usize;
    let mut wall2: f64 = 0.0;
    for t in run(1, created) {
        let (ok, e, _, w) = t.await?;
        transitions += ok;
        errors += e;
        wall2 = wall2.max(w);
    }
    Ok((create_rate, transitions as f64 / wall2.max(1e-9), errors))
}

/// One `wrk` run: (requests/s, p99 ms, errors), or why it could not run.
async fn wrk(url: &str, token: &str, secs: u64) -> anyhow::Result<(f64, f64, u64, String)> {
    let out = tokio::process::Command::new("wrk")
        // A slow endpoint is measured, not dropped: wrk's default 2 s timeout left the
        // province dashboard (~1 s alone, 64 at once) with no completed request to report.
        .args(["-t2", "-c64", "--latency", "--timeout", "60s", "-d"])
        .arg(format!("{secs}s"))
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .arg(url)
        .output()
        .await
        .context("wrk is not installed (apt-get install wrk)")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let rps = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .context("no Requests/sec in wrk's output")?;
    let p99 = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("99%"))
        .and_then(|l| l.split_whitespace().nth(1))
        .map(wrk_ms)
        .unwrap_or(f64::NAN);
    let mut errors = 0;
    for l in text.lines().map(str::trim) {
        if let Some(n) = l.strip_prefix("Non-2xx or 3xx responses:") {
            errors += n.trim().parse::<u64>().unwrap_or(0);
        }
        if let Some(rest) = l.strip_prefix("Socket errors:") {
            errors += rest
                .split(',')
                .filter_map(|p| p.split_whitespace().nth(1))
                .filter_map(|n| n.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    Ok((rps, p99, errors, text))
}

/// wrk's "12.34ms", "1.02s", "850.00us" in milliseconds.
fn wrk_ms(v: &str) -> f64 {
    let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
    if let Some(x) = v.strip_suffix("us") {
        num(x) / 1000.0
    } else if let Some(x) = v.strip_suffix("ms") {
        num(x)
    } else if let Some(x) = v.strip_suffix('s') {
        num(x) * 1000.0
    } else {
        num(v)
    }
}

async fn database_size(svc: &Services, url: &str) -> anyhow::Result<u64> {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let path = path.split('?').next().unwrap_or(path);
        let size = |p: &str| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        return Ok(size(path) + size(&format!("{path}-wal")));
    }
    let mut c = svc.db().read().await?;
    Ok(luodi_store::db::scalar_i64(
        c.conn(),
        Sql::new("SELECT CAST(pg_database_size(current_database()) AS BIGINT)"),
    )
    .await? as u64)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(0);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!(
        "{cores} cores ({cpu}), {:.0} GiB",
        mem as f64 / 1024.0 / 1024.0
    )
}

fn commit() -> String {
    std::env::var("LUODI_COMMIT").ok().unwrap_or_else(|| {
        std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_else(|| "unknown".into())
    })
}

/// A ledger of `n` sheet rows (one item with one measure each) for the import figure, over
/// the units of `codes`: a second measure would take a row of its own.
fn ledger_xlsx(n: usize, codes: &[(String, String)]) -> anyhow::Result<Vec<u8>> {
    use crate::gen_text as t;
    use luodi_office::ledger::{LedgerMeasure, LedgerRow};
    let today = chrono::Utc::now().date_naive();
    let rows: Vec<LedgerRow> = (0..n)
        .map(|i| {
            let (code, name) = &codes[i % codes.len()];
            LedgerRow {
                seq: i + 1,
                kind: "rectification".into(),
                source: "self_examination".into(),
                item_type: "time_limited".into(),
                phase: "rectification".into(),
                title: format!("{}（导入{}）", t::PROBLEMS[i % t::PROBLEMS.len()], i + 1),
                measures: vec![LedgerMeasure {
                    text: t::MEASURES[i % t::MEASURES.len()].into(),
                }],
                org_code: code.clone(),
                org_name: name.clone(),
                person: format!("{}{}", t::SURNAMES[i % 24], t::GIVEN[(i / 24) % 24]),
                due_on: today + Days::days(30 + (i % 90) as i64),
                progress: String::new(),
                status: String::new(),
                light: String::new(),
                evidence: String::new(),
                closed_on: None,
            }
        })
        .collect();
    luodi_office::ledger::export_xlsx("整改台账", &rows).map_err(anyhow::Error::msg)
}

/// Runs every measurement and returns the report text.
pub async fn run(svc: &Services, opts: &BenchOptions) -> anyhow::Result<String> {
    let mut rep = Report::default();
    let url = &opts.database_url;
    let backend = if url.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let (n_orgs, n_items) = {
        let mut c = svc.db().read().await?;
        (
            luodi_store::db::scalar_i64(c.conn(), Sql::new("SELECT COUNT(*) FROM orgs")).await?,
            luodi_store::db::scalar_i64(c.conn(), Sql::new("SELECT COUNT(*) FROM items")).await?,
        )
    };
    let lv = levels(svc).await?;
    let generated: Value = {
        let mut c = svc.db().read().await?;
        luodi_store::settings::get(c.conn(), "gen.summary")
            .await?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    };
    if let Some(secs) = generated["seconds"].as_f64() {
        rep.row(
            format!(
                "luodi gen: {} orgs, {} items, {} weeks (seed {})",
                generated["orgs"], generated["items"], generated["weeks"], generated["seed"]
            ),
            format!("{secs:.0} s"),
            if backend == "SQLite" && generated["items"].as_u64() >= Some(3_000_000) {
                format!("≤ 180 s {}", mark(secs <= 180.0))
            } else {
                String::new()
            },
        );
    }
    let samples = if opts.quick { 60 } else { 300 };
    let load_secs = if opts.quick { 2.0 } else { 5.0 };
    let profile = if cfg!(debug_assertions) {
        "dev (unoptimised luodi code: figures are for spotting regressions only)"
    } else {
        "release"
    };
    println!("luodi bench: {backend}, {n_orgs} orgs, {n_items} items, {profile}");

    let server = Server::start(url).await?;
    let pid = server.pid.to_string();
    let base = server.base.clone();
    let (rss_rest, _) = memory_kib(&pid);
    let office = token_client(&base, "office").await?;
    let token = {
        // A token of its own for wrk, which cannot sign in.
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        c.post(format!("{base}/login"))
            .form(&[
                ("username", "office"),
                ("password", crate::demo_data::DEMO_PASSWORD),
            ])
            .send()
            .await?;
        let v: Value = c
            .post(format!("{base}/api/v1/me/tokens"))
            .json(&json!({ "name": "wrk" }))
            .send()
            .await?
            .json()
            .await?;
        v["token"].as_str().unwrap_or_default().to_owned()
    };
    let cid = lv.campaign_id;
    let part = |name: &str| opts.only.is_empty() || opts.only.iter().any(|p| p == name);

    if part("rollup") {
        println!("\nscope roll-up (p50 / p99):");
    }
    for (label, id, name) in lv.orgs.iter().filter(|_| part("rollup")) {
        let mut ms = Vec::new();
        for _ in 0..samples {
            let t0 = Instant::now();
            luodi_service::items::rollup(svc, &Actor::cli(), *id, Some(cid), None).await?;
            ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        rep.lat(
            format!("roll-up in-process, {label} ({name})"),
            lat(ms),
            None,
        );
        let l = timed_get(
            &office,
            &format!("{base}/api/v1/orgs/{id}/rollup?campaign_id={cid}"),
            samples,
        )
        .await?;
        rep.lat(format!("roll-up over HTTP, {label}"), l, Some(10.0));
    }

    if part("ledger") {
        println!(
            "\nledger page: 50 rows, scope + light red + in progress, by deadline (p50 / p99):"
        );
    }
    for (label, id, _) in lv.orgs.iter().filter(|_| part("ledger")) {
        let mut ms = Vec::new();
        for _ in 0..samples {
            let t0 = Instant::now();
            luodi_service::items::list(
                svc,
                &Actor::cli(),
                ItemQuery {
                    within: Some(*id),
                    filter: ItemFilter {
                        campaign_id: Some(cid),
                        light: Some("red".into()),
                        statuses: vec!["in_progress".into()],
                        ..Default::default()
                    },
                    sort: ItemSort::DueOn,
                },
                Page::new(1, 50),
            )
            .await?;
            ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        rep.lat(format!("ledger page in-process, {label}"), lat(ms), None);
        let l = timed_get(
            &office,
            &format!("{base}/api/v1/items?within={id}&campaign_id={cid}&light=red&status=in_progress&sort=due_on&per_page=50"),
            samples,
        )
        .await?;
        rep.lat(format!("ledger page over HTTP, {label}"), l, Some(20.0));
    }
    for (label, id, _) in lv.orgs.iter().take(2).filter(|_| part("dashboard")) {
        let l = timed_get(
            &office,
            &format!("{base}/api/v1/dashboard?org_id={id}&campaign_id={cid}"),
            samples / 3,
        )
        .await?;
        rep.lat(format!("dashboard over HTTP, {label}"), l, None);
    }

    if part("writes") {
        println!(
            "\ndurable writes over HTTP (SQLite synchronous=FULL; PostgreSQL synchronous_commit on):"
        );
    }
    for clients in [1usize, 8, 32].into_iter().filter(|_| part("writes")) {
        let (creates, transitions, errors) =
            write_load(&office, &base, &lv, clients, load_secs).await?;
        rep.row(
            format!("item creates/s, {clients} clients"),
            format!("{creates:.0}/s"),
            "",
        );
        let target = if clients == 8 {
            format!("≥ 500/s {}", mark(transitions >= 500.0))
        } else {
            String::new()
        };
        rep.row(
            format!("item transitions/s, {clients} clients"),
            format!("{transitions:.0}/s"),
            target,
        );
        if errors > 0 {
            rep.notes
                .push(format!("{errors} write errors at {clients} clients"));
        }
    }

    if part("bulletin") {
        println!("\nthe province's weekly bulletin (a child process):");
        let exe = std::env::current_exe()?;
        let out = tokio::process::Command::new(exe)
            .args(["bench-bulletin", "--database", url])
            .env("LUODI_LOG", "warn")
            .output()
            .await?;
        let text = String::from_utf8_lossy(&out.stdout);
        // Its answer is its last line (log lines may come before it).
        let answer = text
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .unwrap_or("");
        let v: Value = serde_json::from_str(answer).with_context(|| {
            format!(
                "bench-bulletin: {}{}",
                text,
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
        let ms = v["ms"].as_f64().unwrap_or(f64::NAN);
        let peak = v["peak_kib"].as_u64().unwrap_or(0);
        rep.row(
            format!(
                "province bulletin ({} units ranked, {} reports), wall",
                v["units"], v["reports"]
            ),
            format!("{ms:.0} ms"),
            format!("≤ 1000 ms {}", mark(ms <= 1000.0)),
        );
        rep.row(
            "province bulletin, peak RSS of the process",
            mib(peak),
            format!("≤ 512 MiB {}", mark(peak <= 512 * 1024)),
        );
    }

    if part("import") {
        println!("\nledger import over HTTP (.xlsx, a background job, until done):");
        let codes: Vec<(String, String)> = {
            let mut c = svc.db().read().await?;
            luodi_store::db::fetch_all(
                c.conn(),
                Sql::new("SELECT code, name FROM orgs WHERE kind = ")
                    .arg("unit")
                    .push(" ORDER BY id LIMIT 500"),
            )
            .await?
        };
        let rows = opts.import_rows;
        let bytes = ledger_xlsx(rows, &codes)?;
        let size = bytes.len();
        let t0 = Instant::now();
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("ledger.xlsx"),
        );
        let r = office
            .post(format!(
                "{base}/api/v1/items/import?campaign_id={cid}&async=true"
            ))
            .multipart(form)
            .send()
            .await?;
        let status = r.status();
        let v: Value = r.json().await.unwrap_or_default();
        let job = v["job_id"]
            .as_u64()
            .with_context(|| format!("import not started: {status} {v}"))?;
        let result = loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let v: Value = office
                .get(format!("{base}/api/v1/jobs/{job}"))
                .send()
                .await?
                .json()
                .await?;
            if matches!(v["phase"].as_str(), Some("done" | "failed")) {
                break v;
            }
        };
        let secs = t0.elapsed().as_secs_f64();
        let target = if result["phase"] != "done" {
            // Reported, not fatal: the load figures below still matter.
            eprintln!(
                "the import failed; the server's log ends:\n{}",
                server.log_tail(20)
            );
            format!("✗ failed: {}", result["error"])
        } else if rows >= 100_000 {
            format!("≤ 20 s {}", mark(secs <= 20.0))
        } else {
            String::new()
        };
        rep.row(
            format!(
                "import of a {rows}-row ledger .xlsx ({:.1} MB)",
                size as f64 / 1e6
            ),
            format!("{secs:.1} s"),
            target,
        );
    }

    if part("load") {
        println!("\nHTTP under load (wrk, 64 connections, 2 threads):");
    }
    let wrk_secs = if opts.quick { 5 } else { 15 };
    let city = lv.orgs.get(1).or(lv.orgs.first()).map(|o| o.1).unwrap_or(1);
    let mut peak_load = 0u64;
    for (label, path, target) in [
        (
            "ledger page (city, red, in progress)",
            format!("/api/v1/items?within={city}&campaign_id={cid}&light=red&status=in_progress&sort=due_on&per_page=50"),
            Some(2000.0),
        ),
        (
            "dashboard (province)",
            format!("/api/v1/dashboard?org_id=1&campaign_id={cid}"),
            None,
        ),
    ]
    .into_iter()
    .filter(|_| part("load"))
    {
        let sampler = {
            let pid = pid.clone();
            tokio::spawn(async move {
                let mut peak = 0;
                for _ in 0..(wrk_secs * 5) {
                    peak = peak.max(memory_kib(&pid).0);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                peak
            })
        };
        match wrk(&format!("{base}{path}"), &token, wrk_secs).await {
            Ok((rps, p99, errors, _)) => {
                let t = match target {
                    Some(t) => format!("≥ {t}/s, no errors {}", mark(rps >= t && errors == 0)),
                    None => String::new(),
                };
                rep.row(
                    format!("{label}: requests/s, p99, errors"),
                    format!("{rps:.0}/s, {p99:.1} ms, {errors}"),
                    t,
                );
            }
            Err(e) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    return Err(e);
                }
                rep.row(format!("{label}: wrk"), "not run", format!("{e:#}"));
            }
        }
        peak_load = peak_load.max(sampler.await.unwrap_or(0));
    }
    let (_, hwm) = memory_kib(&pid);
    rep.row("server RSS at rest (after start)", mib(rss_rest), "");
    rep.row(
        "server RSS under load (highest sampled)",
        mib(peak_load),
        "",
    );
    rep.row("server peak RSS (whole run)", mib(hwm), "");
    let size = database_size(svc, url).await?;
    rep.row("database size", format!("{:.2} GB", size as f64 / 1e9), "");
    drop(server);

    let mut md = String::new();
    let _ = writeln!(
        md,
        "\n## {} · {backend} · {n_orgs} orgs, {n_items} items\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    let _ = writeln!(
        md,
        "commit `{}` · {} · build: {profile}{}\n",
        commit(),
        machine(),
        if opts.quick { " · quick run" } else { "" }
    );
    if !opts.only.is_empty() {
        let _ = writeln!(md, "only: {}\n", opts.only.join(", "));
    }
    let _ = writeln!(
        md,
        "| figure | p50 / p99 or value | target |\n|---|---|---|"
    );
    for (w, v, t) in &rep.rows {
        let _ = writeln!(md, "| {w} | {v} | {t} |");
    }
    for n in &rep.notes {
        let _ = writeln!(md, "\n- {n}");
    }
    if let Some(out) = &opts.out {
        append(out, &md)?;
        println!("\nappended to {}", out.display());
    }
    Ok(md)
}

fn append(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let fresh = !path.exists();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    if fresh {
        writeln!(
            f,
            "# luodi benchmark results\n\nWritten by `luodi bench` (see `bench/README.md`); newest at the bottom."
        )?;
    }
    f.write_all(text.as_bytes())?;
    Ok(())
}

/// The province's bulletin for the current week, computed once; prints its wall time and the
/// process's peak memory as JSON (run by `luodi bench` as a child process).
pub async fn bulletin(svc: &Services) -> anyhow::Result<()> {
    let campaign: (i64,) = {
        let mut c = svc.db().read().await?;
        luodi_store::db::fetch_one(
            c.conn(),
            Sql::new("SELECT id FROM campaigns ORDER BY id LIMIT 1"),
        )
        .await?
    };
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let week = today.iso_week();
    let week = format!("{}-W{:02}", week.year(), week.week());
    let t0 = Instant::now();
    let v = luodi_service::bulletins::compute(svc, &Actor::cli(), campaign.0, 1, &week).await?;
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    let (_, peak) = memory_kib("self");
    let reports: i64 = {
        let mut c = svc.db().read().await?;
        luodi_store::db::scalar_i64(
            c.conn(),
            Sql::new("SELECT COUNT(*) FROM reports WHERE period_key = (SELECT MAX(period_key) FROM reports WHERE due_at < ")
                .arg(chrono::Utc::now())
                .push(")"),
        )
        .await?
    };
    println!(
        "{}",
        json!({ "ms": ms, "peak_kib": peak, "units": v.rows.len(), "reports": reports, "week": week })
    );
    Ok(())
}
