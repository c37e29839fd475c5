//! `luodi bench`: the figures of issue 6, measured on a database `luodi gen` filled. It starts
//! `luodi serve` as a child process on that database (so that its memory is its own), then
//! measures through the public surface, HTTP, and in-process through the same services:
//! scope roll-ups at four levels, a filtered ledger page, durable item creates and transitions
//! at 1, 8 and 32 clients, the province's weekly bulletin (in a child process, for its peak
//! memory), a 100,000-row ledger import, the ledger and dashboard under `wrk` with 64
//! connections, the server's memory at rest and under load, and the size of the database.
//! It prints a report and appends it to a Markdown file. Nothing here asserts a time.

mod load;
mod parts;
mod server;

use load::*;
use parts::*;
use server::*;

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
    pub(super) p50: f64,
    pub(super) p99: f64,
    pub(super) n: usize,
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
    pub(super) rows: Vec<(String, String, String)>,
    pub(super) notes: Vec<String>,
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

/// The orgs measured: the province, a city, a county and a unit, each with items.
struct Levels {
    pub(super) campaign_id: i64,
    pub(super) orgs: Vec<(&'static str, i64, String)>,
    pub(super) unit_ids: Vec<i64>,
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

/// Runs every part asked for against the database `opts` names, and returns the report.
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
    generated(svc, backend, &mut rep).await?;
    let profile = if cfg!(debug_assertions) {
        "dev (unoptimised luodi code: figures are for spotting regressions only)"
    } else {
        "release"
    };
    println!("luodi bench: {backend}, {n_orgs} orgs, {n_items} items, {profile}");

    let server = Server::start(url).await?;
    let pid = server.pid.to_string();
    let (rss_rest, _) = memory_kib(&pid);
    let office = token_client(&server.base, "office").await?;
    let bench = Bench {
        svc,
        opts,
        lv,
        base: server.base.clone(),
        office,
        samples: if opts.quick { 60 } else { 300 },
    };
    let part = |name: &str| opts.only.is_empty() || opts.only.iter().any(|p| p == name);
    if part("rollup") {
        bench.rollup(&mut rep).await?;
    }
    if part("ledger") {
        bench.ledger(&mut rep).await?;
    }
    if part("dashboard") {
        bench.dashboard(&mut rep).await?;
    }
    if part("writes") {
        bench.writes(&mut rep).await?;
    }
    if part("bulletin") {
        bench.bulletin(&mut rep).await?;
    }
    if part("import") {
        bench.import(&mut rep, &server).await?;
    }
    let peak_load = if part("load") {
        bench.load(&mut rep, &pid).await?
    } else {
        0
    };
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

    let md = markdown(&rep, opts, backend, (n_orgs, n_items), profile);
    if let Some(out) = &opts.out {
        append(out, &md)?;
        println!("\nappended to {}", out.display());
    }
    Ok(md)
}

/// The generator's own figure, when `luodi gen` left its summary.
async fn generated(svc: &Services, backend: &str, rep: &mut Report) -> anyhow::Result<()> {
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
    Ok(())
}

/// The report as Markdown, headed by what was measured where.
fn markdown(
    rep: &Report,
    opts: &BenchOptions,
    backend: &str,
    (n_orgs, n_items): (i64, i64),
    profile: &str,
) -> String {
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
    md
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
