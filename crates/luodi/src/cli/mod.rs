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

mod bulletin;
mod ledger;
mod operator;
mod org;
mod serve;
mod tools;
mod user;

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
        /// A role to grant, e.g. unit_liaison, on the subtree of --role-org. A business role
        /// needs --role-org; only the three administrator roles reach the whole tree without it.
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
    /// ISO week, e.g. 2026-W48; by default the last closed week (its reports all past their
    /// deadline, in the campaign's zone).
    #[arg(long, value_name = "YYYY-Www")]
    week: Option<String>,
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

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let file = cli.config.as_ref();
    let common = cli.common;
    match cli.command {
        Command::Serve { listen } => serve::serve(file, &common, listen).await,
        Command::Demo { listen } => serve::demo(file, &common, listen).await,
        Command::Bench {
            out,
            quick,
            import_rows,
            only,
        } => tools::bench(file, &common, out, quick, import_rows, only).await,
        Command::BenchBulletin => tools::bench_bulletin(file, &common).await,
        Command::Gen(args) => tools::gen(file, &common, args).await,
        Command::Migrate => serve::migrate(file, &common).await,
        Command::User {
            command: UserCommand::TotpCode { secret },
        } => user::totp_code(secret),
        Command::User { command } => user::user(file, &common, command).await,
        Command::Org {
            command: OrgCommand::Import { file: path },
        } => org::import(file, &common, path).await,
        Command::Search {
            command: SearchCommand::Reindex,
        } => operator::search_reindex(file, &common).await,
        Command::Files {
            command: FilesCommand::Sweep { grace_minutes },
        } => operator::files_sweep(file, &common, grace_minutes).await,
        Command::Ledger { command } => ledger::ledger(file, &common, command).await,
        Command::Bulletin { command } => bulletin::bulletin(file, &common, command).await,
        Command::Backup { to } => operator::backup(file, &common, to).await,
        Command::Restore { from, check } => operator::restore(file, &common, from, check).await,
        Command::Audit {
            command: AuditCommand::Verify { head },
        } => operator::audit_verify(file, &common, head).await,
        Command::Config {
            command: ConfigCommand::Check,
            listen,
        } => operator::config_check(file, &common, listen).await,
    }
}
