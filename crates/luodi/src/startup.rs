//! Builds a running luodi from a configuration: database, migrations, services, router,
//! listener. `luodi serve`, `luodi demo` and the integration tests all start here.

use crate::config::{Config, KeySource};
use luodi_domain::{Clock, SystemClock};
use luodi_service::{ServiceConfig, Services};
use luodi_store::db::DbOptions;
use luodi_store::Db;
use luodi_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::sync::Arc;

/// Opens the database named in the configuration and applies the migrations.
pub async fn open_db(config: &Config, opts: &DbOptions) -> anyhow::Result<Db> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let db = Db::connect(&config.database_url, opts).await?;
    db.migrate().await?;
    Ok(db)
}

/// Reads a key; makes the default key file (owner-only) on first start. Two instances starting
/// at once on one data directory agree: the second reads what the first wrote.
pub fn load_key(source: &KeySource, new_len: usize) -> anyhow::Result<Vec<u8>> {
    let (path, create) = match source {
        KeySource::Inline(k) => return Ok(k.clone()),
        KeySource::File { path, create } => (path, *create),
    };
    let read = |path: &std::path::Path| -> anyhow::Result<Vec<u8>> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the key file {}: {e}", path.display()))?;
        crate::config::from_hex(&text)
            .filter(|k| k.len() >= 16)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "the key file {} must hold at least 32 hex digits",
                    path.display()
                )
            })
    };
    if path.exists() || !create {
        return read(path);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let key = luodi_service::auth::random_hex(new_len);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(mut f) => {
            use std::io::Write;
            f.write_all(format!("{key}\n").as_bytes())?;
            f.sync_all()?;
            tracing::warn!(
                path = %path.display(),
                "made a new key; keep a copy apart from the database and its backups"
            );
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => anyhow::bail!("cannot write the key file {}: {e}", path.display()),
    }
    // Written and synced by whoever won; a reader that raced the writer retries briefly.
    for _ in 0..50 {
        if let Ok(k) = read(path) {
            return Ok(k);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    read(path)
}

pub fn services(db: Db, config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Services> {
    let files = luodi_store::files::FileStore::new(config.data_dir.join("files"))?;
    let cfg = ServiceConfig {
        session_idle: config.session_idle,
        session_absolute: config.session_absolute,
        max_upload_bytes: config.max_upload_bytes,
        public_url: config.public_url.clone(),
        lockout: config.lockout,
        address_lockout: config.address_lockout,
        password_policy: config.password_policy,
        audit_key: luodi_domain::audit_chain::AuditKey::new(load_key(&config.audit_key, 32)?)
            .ok_or_else(|| anyhow::anyhow!("the audit key is shorter than 16 bytes"))?,
        audit_retention_days: config.audit_retention_days,
        field_key: luodi_service::crypto::FieldKey::new(&load_key(&config.field_key, 16)?)
            .ok_or_else(|| anyhow::anyhow!("the field key must be 16 bytes (32 hex digits)"))?,
        totp_for_admins: config.totp_for_admins,
        imports_at_once: config.imports_at_once,
    };
    let channels = luodi_service::notify::Channels::new(&config.channels)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Services::new(db, clock, cfg, files)
        .with_channels(channels, luodi_web::notices::Notices::shared()))
}

/// A bound, not yet serving, application.
pub struct Application {
    pub listener: tokio::net::TcpListener,
    pub router: axum::Router,
    pub services: Services,
    /// What one client may take of the server (timeouts, connections).
    pub limits: luodi_web::serve::ServeLimits,
}

impl Application {
    pub async fn build(config: &Config, db: Db) -> anyhow::Result<Application> {
        Self::build_with_clock(config, db, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(
        config: &Config,
        db: Db,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Application> {
        let services = services(db, config, clock)?;
        let state = AppState::new(
            services.clone(),
            WebConfig {
                secure_cookies: config.secure_cookies,
                max_upload_bytes: config.max_upload_bytes,
                trusted_proxies: config.trusted_proxies.clone(),
                metrics_allow: config.metrics_allow.clone(),
                metrics_token: config.metrics_token.clone(),
            },
        );
        let router = luodi_web::app(state);
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        Ok(Application {
            listener,
            router,
            services,
            limits: luodi_web::serve::ServeLimits {
                header_timeout: config.header_timeout,
                body_timeout: config.body_timeout,
                per_address: config.connections_per_address,
                exempt: config.trusted_proxies.clone(),
            },
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Starts the scheduler of this instance (jobs run once across all instances).
    pub fn start_scheduler(&self) {
        let instance = format!(
            "{}-{}",
            std::process::id(),
            luodi_service::auth::random_hex(4)
        );
        luodi_service::scheduler::spawn(
            self.services.clone(),
            instance,
            std::time::Duration::from_secs(15),
        );
        luodi_service::audit::spawn_sealer(
            self.services.clone(),
            std::time::Duration::from_secs(2),
        );
    }

    /// Serves until `shutdown` completes.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        luodi_web::serve::serve(self.listener, self.router, self.limits, shutdown).await?;
        Ok(())
    }
}
