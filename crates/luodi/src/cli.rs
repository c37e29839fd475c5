//! The command line. Every command that changes data goes through the services, as the
//! operator at the machine (audited as `cli:<user>`).

use crate::config::{Config, Layer};
use crate::startup::{self, Application};
use clap::{Args, Parser, Subcommand};
use luodi_service::{accounts, Actor, ServiceError, Services};
use luodi_store::db::DbOptions;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "luodi",
    version,
    about = "落地 — carry a campaign's goals down an organisation tree until every item has landed"
)]
struct Cli {
    /// Configuration file (default: ./luodi.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

/// Flags that every database-using command accepts; they override file and environment.
#[derive(Args, Clone, Default)]
struct Common {
    /// sqlite://FILE or postgres://USER@HOST/DB (default: sqlite://<data-dir>/luodi.db).
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    /// Where the SQLite database and uploaded files live (default: ./data).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web interface and the API.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Like serve, on a demo database that is created and seeded if absent.
    Demo {
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Fill an empty database with a synthetic province, for benchmarks and load tests.
    Gen(GenArgs),
    /// Measure a generated database (see bench/README.md): roll-ups, ledger pages, writes,
    /// the province's bulletin, an import and HTTP under load; print and append the figures.
    Bench {
        /// Append the report to this Markdown file (e.g. bench/RESULTS.md).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Shorter runs and a 10,000-row import (for CI).
        #[arg(long)]
        quick: bool,
        /// Rows of the ledger import (default 100,000; 10,000 with --quick).
        #[arg(long)]
        import_rows: Option<usize>,
        /// Only these parts, comma-separated: rollup, ledger, dashboard, writes, bulletin,
        /// import, load (default: all).
        #[arg(long, value_delimiter = ',', value_parser = ["rollup", "ledger", "dashboard", "writes", "bulletin", "import", "load"])]
        only: Vec<String>,
    },
    /// The province's bulletin once, with its wall time and peak memory (used by bench).
    #[command(hide = true)]
    BenchBulletin,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the organisation tree.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// The weekly bulletin (每周一通报) of a scope: compute, publish, export.
    Bulletin {
        #[command(subcommand)]
        command: BulletinCommand,
    },
    /// The rectification ledger in Excel.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// The search index.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Evidence files.
    Files {
        #[command(subcommand)]
        command: FilesCommand,
    },
    /// Back up the database and the evidence files into a new directory, with a manifest of
    /// SM3 checksums (SQLite: VACUUM INTO, while luodi keeps serving; PostgreSQL: pg_dump).
    Backup {
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Restore a backup after checking every checksum (a changed backup is refused and nothing
    /// is touched). Stop luodi first; the database replaced is kept beside the new one.
    Restore {
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// Only check the backup.
        #[arg(long)]
        check: bool,
    },
    /// The audit trail's tamper evidence.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
}

#[derive(Args)]
struct GenArgs {
    /// How many orgs (six levels: province, 14 cities, ~100 counties, departments, units, branches).
    #[arg(long, default_value_t = 100_000)]
    orgs: usize,
    /// How many tasks and rectification items.
    #[arg(long, default_value_t = 3_000_000)]
    items: usize,
    /// Weeks of reports, activities and indicator actuals behind today.
    #[arg(long, default_value_t = 8)]
    weeks: u32,
    /// The same seed (and day) gives the same province.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The day the province is generated as of (default: today in Beijing).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<chrono::NaiveDate>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (it must change its password at first login).
    Add {
        username: String,
        /// Display name (姓名).
        #[arg(long)]
        name: String,
        /// Code of the org the person belongs to.
        #[arg(long, value_name = "CODE")]
        org: Option<String>,
        /// A role to grant, e.g. unit_liaison; on the subtree of --role-org (or the whole tree).
        #[arg(long)]
        role: Option<String>,
        #[arg(long, value_name = "CODE")]
        role_org: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (generated unless --password-stdin); it must be changed at next login.
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List {
        #[arg(long)]
        all: bool,
    },
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// Reset an account's second factor (its authenticator was lost); it sets up a new one at
    /// its next sign-in.
    ResetTotp { username: String },
    /// Print the current six-digit code for a base32 TOTP secret, as an authenticator app
    /// would (for the demo's administrators on a machine without one).
    TotpCode { secret: String },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Import a tree from .xlsx or .csv (columns: code, name, kind, parent code). All or nothing.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Write the ledger (optionally of one org's subtree, campaign or kind) to an .xlsx file.
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Code of the org whose subtree to export.
        #[arg(long, value_name = "CODE")]
        scope: Option<String>,
        #[arg(long, value_name = "ID")]
        campaign: Option<i64>,
        /// task or rectification
        #[arg(long)]
        kind: Option<String>,
    },
    /// Import a filled ledger (.xlsx or UTF-8 .csv) into a campaign: all rows or none.
    Import {
        file: PathBuf,
        #[arg(long, value_name = "ID")]
        campaign: i64,
    },
}

/// Which bulletin: the scope's org code, the ISO week, and the campaign (needed only when
/// several campaigns exist).
#[derive(Args)]
struct BulletinWhich {
    /// Code of the org whose direct children the bulletin ranks.
    #[arg(long, value_name = "CODE")]
    scope: String,
    /// ISO week, e.g. 2026-W48.
    #[arg(long, value_name = "YYYY-Www")]
    week: String,
    #[arg(long, value_name = "ID")]
    campaign: Option<i64>,
}

#[derive(Subcommand)]
enum BulletinCommand {
    /// Compute (or recompute, while a draft) the week's bulletin and print its ranking.
    Compute {
        #[command(flatten)]
        which: BulletinWhich,
    },
    /// Publish the computed bulletin with the office's note; from then on it never changes.
    Publish {
        #[command(flatten)]
        which: BulletinWhich,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Write the bulletin to .xlsx or .docx (by the file's extension), in Chinese.
    Export {
        #[command(flatten)]
        which: BulletinWhich,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild the index of every item and report (serve builds it by itself when it is empty).
    Reindex,
}

#[derive(Subcommand)]
enum FilesCommand {
    /// Remove stored files that no row references (older than the grace period).
    Sweep {
        /// Files younger than this are kept, so an upload whose row is still being written is safe.
        #[arg(long, default_value_t = 60)]
        grace_minutes: u64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Seal what can be sealed, then check every record's MAC and the chain from its start to
    /// its head. Exits 1 at the first modified, deleted or inserted record.
    Verify {
        /// A head written down earlier (`SEQ:MAC`, as printed on a published bulletin or in
        /// the daily log line): the chain must still reach it unchanged. This is what shows a
        /// cut-off tail whose head was rewound inside the database.
        #[arg(long, value_name = "SEQ:MAC")]
        head: Option<String>,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Show the configuration in force (secrets hidden), check it, and try the database.
    Check,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("luodi: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("luodi: {}", describe(&e));
            ExitCode::FAILURE
        }
    }
}

/// Errors for people: service refusals spelled out, validation listed field by field.
fn describe(e: &anyhow::Error) -> String {
    match e.downcast_ref::<ServiceError>() {
        Some(ServiceError::Validation(v)) => {
            let fields: Vec<String> = v
                .errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.code))
                .collect();
            format!("invalid input: {}", fields.join("; "))
        }
        Some(ServiceError::Import(luodi_office::ImportError::Rows(rows))) => {
            let mut s = format!("{} problems found, nothing imported:", rows.len());
            for r in rows.iter().take(50) {
                s.push_str(&format!("\n  {r}"));
            }
            if rows.len() > 50 {
                s.push_str(&format!("\n  … and {} more", rows.len() - 50));
            }
            s
        }
        _ => format!("{e:#}"),
    }
}

fn config(
    file: Option<&PathBuf>,
    common: &Common,
    listen: Option<String>,
    default_db: &str,
) -> anyhow::Result<Config> {
    let file_layer = match file {
        Some(p) => Layer::from_file(p).map_err(anyhow::Error::msg)?,
        None if std::path::Path::new("luodi.toml").exists() => {
            Layer::from_file(std::path::Path::new("luodi.toml")).map_err(anyhow::Error::msg)?
        }
        None => Layer::default(),
    };
    let env = Layer::from_env(|k| std::env::var(k).ok()).map_err(anyhow::Error::msg)?;
    let flags = Layer {
        database_url: common.database.clone(),
        data_dir: common.data_dir.clone(),
        listen,
        ..Default::default()
    };
    Config::resolve(
        Layer::default().merge(file_layer).merge(env).merge(flags),
        default_db,
    )
    .map_err(anyhow::Error::msg)
}

fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(format!("{level},sqlx=warn"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

async fn services(cfg: &Config) -> anyhow::Result<Services> {
    let db = startup::open_db(cfg, &cfg.db_options()).await?;
    startup::services(db, cfg, std::sync::Arc::new(luodi_domain::SystemClock))
}

fn read_stdin_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    Ok(s.trim_end_matches(['\r', '\n']).to_owned())
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}

/// `luodi gen`: a synthetic province, with progress on standard error and a summary after.
async fn generate(cfg: &Config, args: GenArgs) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    use std::sync::atomic::{AtomicU64, Ordering};
    let today = args.today.unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive()
    });
    let opts = crate::gen::GenOptions {
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
    let g = crate::gen::generate(&svc, &clock, &opts, &progress).await?;
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
        crate::demo_data::DEMO_PASSWORD,
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

/// Audits a step the operator took at the command line.
async fn operator_event(svc: &Services, action: &str) {
    luodi_service::audit::event(
        svc,
        luodi_service::audit::Event {
            actor_id: None,
            actor_name: &Actor::cli().name,
            ip: None,
            action,
            object_id: None,
            org_path: None,
            outcome: "ok",
        },
    )
    .await;
}

/// Builds the search index of a database written before it existed.
async fn build_search_index(svc: &Services) -> anyhow::Result<()> {
    if let Some(n) = luodi_service::search::reindex_if_empty(svc).await? {
        println!("已建立搜索索引 / search index built: {n}");
    }
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let file = cli.config.as_ref();
    let common = cli.common;
    match cli.command {
        Command::Serve { listen } => {
            let cfg = config(file, &common, listen, "luodi.db")?;
            init_logging(&cfg.log);
            let svc = services(&cfg).await?;
            if let Some((user, pw)) = luodi_service::auth::bootstrap_admin(&svc).await? {
                println!("\n首次启动：已创建系统管理员 / First start: a system administrator was created");
                println!("  用户名 username: {user}\n  一次性密码 one-time password: {pw}");
                println!("  首次登录须修改密码；此密码不会再次显示。/ Change it at first login; it is not shown again.\n");
            }
            build_search_index(&svc).await?;
            let app = Application::build(&cfg, svc.db().clone()).await?;
            app.start_scheduler();
            println!("luodi 正在运行 / luodi is running: http://{}", app.addr());
            tracing::info!(config = %cfg.redacted().replace('\n', "; "), "started");
            app.run(shutdown_signal()).await
        }
        Command::Demo { listen } => {
            let cfg = config(file, &common, listen, "demo.db")?;
            init_logging(&cfg.log);
            let svc = services(&cfg).await?;
            if crate::demo::is_empty(&svc).await? {
                println!("正在创建演示数据 / seeding the demo database …");
                crate::demo::seed_all(&svc).await?;
                if cfg.totp_for_admins {
                    crate::demo::enrol_admins(&svc).await?;
                }
            }
            build_search_index(&svc).await?;
            let app = Application::build(&cfg, svc.db().clone()).await?;
            app.start_scheduler();
            println!("\nluodi 演示 / demo: http://{}\n", app.addr());
            println!(
                "演示账号（密码均为 {}）/ demo logins (password {}):",
                crate::demo_data::DEMO_PASSWORD,
                crate::demo_data::DEMO_PASSWORD
            );
            for a in crate::demo_data::accounts() {
                println!("  {:<24} {:<20} {}", a.username, a.role, a.display_name);
            }
            if cfg.totp_for_admins {
                let s = crate::demo::DEMO_TOTP_SECRET;
                println!("\n三员登录须输入动态口令：在身份验证器中添加密钥 {s}，或运行 luodi user totp-code {s}");
                println!("The three administrators sign in with a second factor: add the secret {s} to an");
                println!("authenticator app, or run: luodi user totp-code {s}");
            }
            println!();
            app.run(shutdown_signal()).await
        }
        Command::Bench {
            out,
            quick,
            import_rows,
            only,
        } => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            let svc = services(&cfg).await?;
            let opts = crate::bench::BenchOptions {
                database_url: cfg.database_url.clone(),
                quick,
                out,
                import_rows: import_rows.unwrap_or(if quick { 10_000 } else { 100_000 }),
                only,
            };
            crate::bench::run(&svc, &opts).await?;
            Ok(())
        }
        Command::BenchBulletin => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            let svc = services(&cfg).await?;
            crate::bench::bulletin(&svc).await
        }
        Command::Gen(args) => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            generate(&cfg, args).await
        }
        Command::Migrate => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging(&cfg.log);
            startup::open_db(&cfg, &cfg.db_options()).await?;
            println!(
                "migrations applied: {}",
                luodi_store::db::redact_url(&cfg.database_url)
            );
            Ok(())
        }
        Command::User {
            command: UserCommand::TotpCode { secret },
        } => {
            // A calculator: no configuration, no database.
            use luodi_domain::totp;
            let bytes = totp::from_base32(&secret)
                .filter(|b| !b.is_empty())
                .ok_or_else(|| anyhow::anyhow!("{secret:?} is not a base32 secret"))?;
            let now = chrono::Utc::now().timestamp();
            println!("{}", totp::code(&bytes, totp::step_at(now), totp::DIGITS));
            Ok(())
        }
        Command::User { command } => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            let svc = services(&cfg).await?;
            user_command(&svc, command).await
        }
        Command::Org {
            command: OrgCommand::Import { file: path },
        } => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            let svc = services(&cfg).await?;
            let bytes = std::fs::read(&path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let permit = luodi_service::orgs::admit_import(&svc, &Actor::cli())?;
            let n = luodi_service::orgs::import_file(&svc, permit, bytes, &name).await?;
            println!("imported {} orgs from {}", n.created, path.display());
            Ok(())
        }
        Command::Search {
            command: SearchCommand::Reindex,
        } => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            let svc = services(&cfg).await?;
            let n = luodi_service::search::reindex(&svc).await?;
            println!("indexed {n} records");
            Ok(())
        }
        Command::Files {
            command: FilesCommand::Sweep { grace_minutes },
        } => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            let svc = services(&cfg).await?;
            let r = luodi_service::items::sweep_files(
                &svc,
                std::time::Duration::from_secs(grace_minutes * 60),
            )
            .await?;
            println!(
                "removed {} files ({} bytes), kept {}",
                r.removed, r.bytes_freed, r.kept
            );
            Ok(())
        }
        Command::Ledger { command } => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            let svc = services(&cfg).await?;
            ledger_command(&svc, command).await
        }
        Command::Bulletin { command } => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            let svc = services(&cfg).await?;
            bulletin_command(&svc, command).await
        }
        Command::Backup { to } => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            let key = startup::load_key(&cfg.audit_key, 32)?;
            let svc = services(&cfg).await?;
            let started = std::time::Instant::now();
            let made = crate::backup::backup(&cfg, svc.db(), &key, &to).await?;
            operator_event(&svc, "system.backup").await;
            svc.db().close().await;
            println!(
                "备份完成 / backed up to {}: {} files, {} bytes, {:.1} s (manifest: {})",
                to.display(),
                made.files,
                made.bytes,
                started.elapsed().as_secs_f64(),
                crate::backup::MANIFEST
            );
            println!(
                "密钥不在备份中 / the keys are not in the backup: keep {} apart",
                cfg.data_dir.join("keys").display()
            );
            Ok(())
        }
        Command::Restore { from, check } => {
            let cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            // The keys the backup was made with, never new ones.
            let source = match &cfg.audit_key {
                crate::config::KeySource::File { path, .. } => crate::config::KeySource::File {
                    path: path.clone(),
                    create: false,
                },
                other => other.clone(),
            };
            let key = startup::load_key(&source, 32).map_err(|e| {
                anyhow::anyhow!(
                    "{e}; a restore needs the keys the backup was made with (copy the keys directory kept apart from the backups, or set LUODI_AUDIT_KEY and LUODI_FIELD_KEY)"
                )
            })?;
            if check {
                let c = crate::backup::check(&key, &from)?;
                println!(
                    "备份完好 / the backup is intact: {} database, schema {}, {} files",
                    c.backend,
                    c.schema,
                    c.files.len()
                );
                return Ok(());
            }
            let r = crate::backup::restore(&cfg, &key, &from)?;
            let svc = services(&cfg).await?;
            operator_event(&svc, "system.restore").await;
            svc.db().close().await;
            println!(
                "已恢复 / restored from {}: {} evidence files copied",
                from.display(),
                r.files
            );
            if let Some(k) = r.kept {
                println!(
                    "原数据库保留在 / the database replaced is kept as {}",
                    k.display()
                );
            }
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { head },
        } => {
            let mut cfg = config(file, &common, None, "luodi.db")?;
            init_logging("warn");
            // Verifying with a key made now would only say every record is forged.
            if let crate::config::KeySource::File { create, path } = &mut cfg.audit_key {
                if !path.exists() {
                    anyhow::bail!(
                        "no audit key at {}: verify needs the key the records were written with (is --data-dir right?)",
                        path.display()
                    );
                }
                *create = false;
            }
            let anchor = match head.as_deref() {
                None => None,
                Some(h) => Some(luodi_domain::audit_chain::Anchor::parse(h).ok_or_else(|| {
                    anyhow::anyhow!("--head must be SEQ:MAC (the MAC in hex), not {h:?}")
                })?),
            };
            let svc = services(&cfg).await?;
            let sealed = luodi_service::audit::seal(&svc).await?;
            let v = luodi_service::audit::verify_chain(&svc, anchor.as_ref()).await?;
            println!(
                "audit chain: {} records verified (seq {} to {}), {} awaiting their seal, {} purges",
                v.checked, v.first_seq, v.head_seq, v.unsealed, v.purges
            );
            println!("head: seq {} mac {}", v.head_seq, v.head_mac);
            if sealed.sealed > 0 {
                println!("sealed now: {}", sealed.sealed);
            }
            match (&anchor, v.anchor) {
                (Some(a), Some(true)) => {
                    println!("the chain still reaches seq {} as written down", a.seq)
                }
                (Some(a), Some(false)) => println!(
                    "seq {} lies in purged records: check it against their archive",
                    a.seq
                ),
                _ => {}
            }
            match v.problem {
                None => {
                    println!("审计链完整 / the audit chain is intact");
                    Ok(())
                }
                Some(b) => {
                    println!("审计链被篡改 / the audit chain is broken: {b}");
                    if v.checked == 0 {
                        println!("（若每条记录都不符，可能是审计密钥不对 / if every record fails, the audit key may not be the one they were written with)");
                    }
                    svc.db().close().await;
                    std::process::exit(1);
                }
            }
        }
        Command::Config {
            command: ConfigCommand::Check,
            listen,
        } => {
            let cfg = config(file, &common, listen, "luodi.db")?;
            print!("{}", cfg.redacted());
            let db = luodi_store::Db::connect(
                &cfg.database_url,
                &DbOptions {
                    acquire_timeout: std::time::Duration::from_secs(5),
                    ..Default::default()
                },
            )
            .await;
            match db {
                Ok(db) if db.ping().await => println!("database: reachable"),
                Ok(_) => anyhow::bail!("database: does not answer"),
                Err(e) => anyhow::bail!("database: {e}"),
            }
            Ok(())
        }
    }
}

async fn user_command(svc: &Services, command: UserCommand) -> anyhow::Result<()> {
    let actor = Actor::cli();
    match command {
        UserCommand::Add {
            username,
            name,
            org,
            role,
            role_org,
            password_stdin,
        } => {
            let org_id = match org {
                Some(code) => Some(
                    luodi_service::orgs::get_by_code(svc, &actor, &code)
                        .await?
                        .id,
                ),
                None => None,
            };
            let password = if password_stdin {
                Some(read_stdin_password()?)
            } else {
                None
            };
            let (acc, generated) = accounts::create(
                svc,
                &actor,
                accounts::NewAccount {
                    username,
                    display_name: name,
                    org_id,
                    password,
                },
            )
            .await?;
            if let Some(role) = role {
                accounts::grant_by_code(
                    svc,
                    &actor,
                    &acc.user.username,
                    &role,
                    role_org.as_deref(),
                )
                .await?;
            }
            println!("created {} (id {})", acc.user.username, acc.user.id);
            if let Some(pw) = generated {
                println!("one-time password: {pw}");
            }
            Ok(())
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let user = accounts::get_by_username(svc, &actor, &username)
                .await?
                .user;
            let given = if password_stdin {
                Some(read_stdin_password()?)
            } else {
                None
            };
            // The operator on the server resets at once, administrators' accounts too.
            let luodi_service::resets::Reset::Done(Some(pw)) =
                luodi_service::resets::reset_password(svc, &actor, user.id, given.clone()).await?
            else {
                anyhow::bail!("the reset of {username} was not carried out");
            };
            if given.is_none() {
                println!("one-time password for {username}: {pw}");
            } else {
                println!("password set for {username}; it must be changed at next login");
            }
            Ok(())
        }
        UserCommand::List { all } => {
            let mut page = 1;
            println!(
                "{:<6} {:<24} {:<10} {:<30} roles",
                "id", "username", "status", "name"
            );
            loop {
                let p = accounts::list(svc, &actor, None, all, luodi_service::Page::new(page, 500))
                    .await?;
                for u in &p.items {
                    let acc = accounts::get(svc, &actor, u.id).await?;
                    let roles: Vec<String> = acc
                        .bindings
                        .iter()
                        .map(|b| {
                            format!(
                                "{}@{}",
                                b.role,
                                b.org_name.clone().unwrap_or_else(|| "*".into())
                            )
                        })
                        .collect();
                    println!(
                        "{:<6} {:<24} {:<10} {:<30} {}",
                        u.id,
                        u.username,
                        if u.disabled { "disabled" } else { "active" },
                        u.display_name,
                        roles.join(", ")
                    );
                }
                if page * 500 >= p.total {
                    break;
                }
                page += 1;
            }
            Ok(())
        }
        UserCommand::Disable { username } => {
            let user = accounts::get_by_username(svc, &actor, &username)
                .await?
                .user;
            accounts::set_disabled(svc, &actor, user.id, true).await?;
            println!("disabled {username}");
            Ok(())
        }
        UserCommand::ResetTotp { username } => {
            let user = accounts::get_by_username(svc, &actor, &username)
                .await?
                .user;
            luodi_service::resets::reset_totp(svc, &actor, user.id).await?;
            println!("reset the second factor of {username}");
            Ok(())
        }
        UserCommand::TotpCode { .. } => unreachable!("answered without a database"),
    }
}

/// The campaign and scope org a bulletin command names.
async fn bulletin_target(svc: &Services, which: &BulletinWhich) -> anyhow::Result<(i64, i64)> {
    let actor = Actor::cli();
    let scope = luodi_service::orgs::get_by_code(svc, &actor, &which.scope).await?;
    let campaign = match which.campaign {
        Some(id) => id,
        None => {
            let list =
                luodi_service::campaigns::list(svc, &actor, None, luodi_store::Page::new(1, 2))
                    .await?;
            match list.items.as_slice() {
                [only] => only.id,
                [] => anyhow::bail!("there is no campaign yet"),
                _ => anyhow::bail!("there are several campaigns: name one with --campaign ID"),
            }
        }
    };
    Ok((campaign, scope.id))
}

fn print_ranking(v: &luodi_service::bulletins::BulletinView) {
    let b = &v.bulletin;
    println!(
        "{} 第{}期 ({}): {}",
        b.period_key, b.issue_no, b.status, b.id
    );
    for r in &v.rows {
        let pct = |x: Option<f64>| {
            x.map(|x| format!("{:.0}%", x * 100.0))
                .unwrap_or_else(|| "—".into())
        };
        println!(
            "{:>3}  {:<24} {:>7}  on time {:>4}  reports {:>4}{}",
            r.rank,
            r.org_name,
            r.score,
            pct(r.on_time_rate),
            pct(r.punctuality),
            if r.interview.is_null() {
                ""
            } else {
                "  约谈建议"
            }
        );
    }
}

async fn bulletin_command(svc: &Services, command: BulletinCommand) -> anyhow::Result<()> {
    let actor = Actor::cli();
    match command {
        BulletinCommand::Compute { which } => {
            let (campaign, scope) = bulletin_target(svc, &which).await?;
            let v = luodi_service::bulletins::compute(svc, &actor, campaign, scope, &which.week)
                .await?;
            print_ranking(&v);
            Ok(())
        }
        BulletinCommand::Publish { which, note } => {
            let (campaign, scope) = bulletin_target(svc, &which).await?;
            let v =
                luodi_service::bulletins::find(svc, &actor, campaign, scope, &which.week).await?;
            let v = luodi_service::bulletins::publish(svc, &actor, v.bulletin.id, &note).await?;
            print_ranking(&v);
            Ok(())
        }
        BulletinCommand::Export { which, out } => {
            let (campaign, scope) = bulletin_target(svc, &which).await?;
            let v =
                luodi_service::bulletins::find(svc, &actor, campaign, scope, &which.week).await?;
            let ext = out
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            let i18n = luodi_service::i18n::I18n::load();
            let lang = luodi_service::i18n::Lang::ZhCn;
            let Some((_, _, bytes)) = luodi_service::bulletins::file(&i18n, lang, &v, &ext)? else {
                anyhow::bail!("--out must end in .xlsx or .docx");
            };
            std::fs::write(&out, &bytes)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            println!("wrote {} ({} bytes)", out.display(), bytes.len());
            Ok(())
        }
    }
}

async fn ledger_command(svc: &Services, command: LedgerCommand) -> anyhow::Result<()> {
    let actor = Actor::cli();
    match command {
        LedgerCommand::Export {
            out,
            scope,
            campaign,
            kind,
        } => {
            let within = match scope {
                Some(code) => Some(
                    luodi_service::orgs::get_by_code(svc, &actor, &code)
                        .await?
                        .id,
                ),
                None => None,
            };
            let q = luodi_service::items::ItemQuery {
                within,
                filter: luodi_store::items::ItemFilter {
                    campaign_id: campaign,
                    kind,
                    ..Default::default()
                },
                sort: Default::default(),
            };
            let started = std::time::Instant::now();
            let bytes = luodi_service::ledger::export(svc, &actor, q, "整改台账").await?;
            std::fs::write(&out, &bytes)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            println!(
                "wrote {} ({} bytes) in {:.1}s",
                out.display(),
                bytes.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        LedgerCommand::Import { file, campaign } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let started = std::time::Instant::now();
            let permit = luodi_service::ledger::admit(svc, &actor)?;
            let r = luodi_service::ledger::import(svc, permit, campaign, bytes, &name).await?;
            println!(
                "imported {} items from {} in {:.1}s",
                r.created,
                file.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}
