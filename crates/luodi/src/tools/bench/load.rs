//! The load generators (durable writes, wrk), the ledger workbook of the import figure,
//! and what the report says about the machine and the database.

use super::*;

/// Durable writes over HTTP: `clients` tasks for `secs` seconds, each creating items (then,
/// in a second phase, suspending and resuming its own items). Returns (creates/s,
/// transitions/s, errors).
pub(super) async fn write_load(
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
pub(super) async fn wrk(
    url: &str,
    token: &str,
    secs: u64,
) -> anyhow::Result<(f64, f64, u64, String)> {
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
pub(super) fn wrk_ms(v: &str) -> f64 {
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

pub(super) async fn database_size(svc: &Services, url: &str) -> anyhow::Result<u64> {
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

pub(super) fn machine() -> String {
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

pub(super) fn commit() -> String {
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
pub(super) fn ledger_xlsx(n: usize, codes: &[(String, String)]) -> anyhow::Result<Vec<u8>> {
    use crate::tools::gen::text as t;
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
