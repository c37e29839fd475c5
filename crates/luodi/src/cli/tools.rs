//! The generator of a synthetic province and the benchmark over it.

use super::*;

/// `luodi bench`: measures a generated province.
pub(super) async fn bench(
    file: Option<&PathBuf>,
    common: &Common,
    out: Option<PathBuf>,
    quick: bool,
    import_rows: Option<usize>,
    only: Vec<String>,
) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    let svc = services(&cfg).await?;
    let opts = crate::tools::bench::BenchOptions {
        database_url: cfg.database_url.clone(),
        quick,
        out,
        import_rows: import_rows.unwrap_or(if quick { 10_000 } else { 100_000 }),
        only,
    };
    crate::tools::bench::run(&svc, &opts).await?;
    Ok(())
}

/// `luodi bench-bulletin`: times the bulletin of the province.
pub(super) async fn bench_bulletin(file: Option<&PathBuf>, common: &Common) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    let svc = services(&cfg).await?;
    crate::tools::bench::bulletin(&svc).await
}

/// `luodi gen`: a synthetic province.
pub(super) async fn gen(
    file: Option<&PathBuf>,
    common: &Common,
    args: GenArgs,
) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    generate(&cfg, args).await
}

/// `luodi gen`: a synthetic province, with progress on standard error and a summary after.
pub(super) async fn generate(cfg: &Config, args: GenArgs) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    use std::sync::atomic::{AtomicU64, Ordering};
    let today = args.today.unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive()
    });
    let opts = crate::tools::gen::GenOptions {
        orgs: args.orgs,
        items: args.items,
        weeks: args.weeks,
        seed: args.seed,
        today,
    };
    let bulk = luodi_store::db::DbOptions {
        bulk_load: true,
        ..cfg.db_options()
    };
    let db = startup::open_db(cfg, &bulk).await?;
    let clock = std::sync::Arc::new(luodi_domain::FixedClock::new(chrono::Utc::now()));
    let svc = startup::services(db, cfg, clock.clone())?;
    let started = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let shown = AtomicU64::new(u64::MAX);
    let progress = |part: &str, done: u64, total: u64| {
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        // On a terminal one line that updates; in a log a line every tenth.
        let step = if tty { pct } else { pct / 10 };
        if shown.swap(step, Ordering::Relaxed) == step && done != total {
            return;
        }
        let line = format!(
            "{part}: {done}/{total} ({pct}%), {:.1} s",
            started.elapsed().as_secs_f64()
        );
        if tty {
            eprint!("\r{line}\x1b[K");
            if done == total {
                eprintln!();
            }
        } else {
            eprintln!("{line}");
        }
    };
    println!(
        "luodi gen: {} orgs, {} items, {} weeks, seed {}, as of {today}, into {}",
        opts.orgs,
        opts.items,
        opts.weeks,
        opts.seed,
        luodi_store::db::redact_url(&cfg.database_url)
    );
    let g = crate::tools::gen::generate(&svc, &clock, &opts, &progress).await?;
    println!("generated in {:.1} s:", started.elapsed().as_secs_f64());
    for (what, n) in &g.counts {
        println!("  {what:<20} {n:>12}");
    }
    for (what, d) in &g.timings {
        println!("  time: {what:<14} {:>8.1} s", d.as_secs_f64());
    }
    println!("campaign id: {}", g.campaign_id);
    println!(
        "logins (password {}): sysadmin, secadmin, auditor, office, supervisor, city01…city{:02}, county001…, unit001…",
        crate::tools::demo::data::DEMO_PASSWORD,
        g.logins.iter().filter(|l| l.username.starts_with("city")).count()
    );
    svc.db().close().await;
    // An ordinary open: SQLite's WAL back on, as every later open expects.
    startup::open_db(cfg, &cfg.db_options())
        .await?
        .close()
        .await;
    Ok(())
}
