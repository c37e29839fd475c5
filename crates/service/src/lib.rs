//! The services of luodi: every operation that the web layer and the CLI perform, with its
//! authorization, validation, transaction and audit record. HTTP handlers and CLI commands are
//! thin callers of these functions.

pub mod accounts;
pub mod activities;
pub mod actor;
pub mod audit;
pub mod auth;
pub mod briefings;
pub mod bulletins;
pub mod campaigns;
pub mod crypto;
pub mod dashboard;
pub mod error;
pub mod i18n;
pub mod imports;
pub mod interviews;
pub mod items;
pub mod jobs;
pub mod keyworks;
pub mod ledger;
pub mod meetings;
pub mod notify;
pub mod onboarding;
pub mod organisation;
pub mod orgs;
pub mod outbound;
pub mod programmes;
pub mod records;
pub mod reminders;
pub mod reports;
pub mod research;
pub mod resets;
pub mod scheduler;
pub mod search;
pub mod secrets;
pub mod todo;
pub mod webhooks;

pub use actor::Actor;
pub use error::{ServiceError, ServiceResult};

use luodi_domain::Clock;
use luodi_store::Db;
pub use luodi_store::{Page, Paged};
use std::sync::Arc;
use std::time::Duration;

/// Settings the services need.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// …and after this long in any case.
    pub session_absolute: Duration,
    /// Largest evidence file, in bytes.
    pub max_upload_bytes: u64,
    /// Where people reach luodi (`https://luodi.example.gov.cn`), for links in e-mails and robot
    /// messages; none leaves the links out.
    pub public_url: Option<String>,
    /// Failed sign-ins in a row that lock an account, and for how long.
    pub lockout: luodi_domain::lockout::LockoutPolicy,
    /// The password rules in force (`dengbao3` or `asvs`).
    pub password_policy: luodi_domain::password::PasswordPolicy,
    /// Failed sign-ins from one address (any accounts) that refuse it, and for how long.
    pub address_lockout: luodi_domain::lockout::LockoutPolicy,
    /// The HMAC-SM3 key of the audit chain.
    pub audit_key: luodi_domain::audit_chain::AuditKey,
    /// Audit records are kept at least this many days before the audit administrator may purge
    /// them (180 or more).
    pub audit_retention_days: u32,
    /// The SM4-GCM key of sensitive fields (phone and ID-card numbers, TOTP secrets).
    pub field_key: crypto::FieldKey,
    /// The three administrators must sign in with a second factor (TOTP).
    pub totp_for_admins: bool,
    /// Spreadsheet imports run at once in this instance.
    pub imports_at_once: usize,
}

/// A fresh key, for tools and tests that keep no chain across runs.
pub fn random_audit_key() -> luodi_domain::audit_chain::AuditKey {
    use rand_core::{OsRng, RngCore};
    let mut k = vec![0u8; 32];
    OsRng.fill_bytes(&mut k);
    match luodi_domain::audit_chain::AuditKey::new(k) {
        Some(k) => k,
        None => unreachable!("32 bytes is long enough"),
    }
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            max_upload_bytes: 50 * 1024 * 1024,
            public_url: None,
            lockout: Default::default(),
            password_policy: Default::default(),
            address_lockout: luodi_domain::lockout::LockoutPolicy {
                attempts: 20,
                duration: chrono::Duration::minutes(30),
            },
            audit_key: random_audit_key(),
            audit_retention_days: 180,
            field_key: crypto::FieldKey::random(),
            totp_for_admins: false,
            imports_at_once: 1,
        }
    }
}

/// The shared state of the services; cheap to clone.
#[derive(Clone)]
pub struct Services {
    /// Private: the web layer and the CLI's commands reach data through the services' functions
    /// (with their authorization); see [`Services::db`] for the operator's own tools.
    db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: ServiceConfig,
    /// Evidence files, outside the database, named by their hash.
    pub files: luodi_store::files::FileStore,
    /// Long work running in this instance, with its progress.
    pub jobs: jobs::Jobs,
    /// Imports: one per account, a few at once.
    pub imports: imports::ImportGate,
    /// E-mail and group robots.
    pub channels: Arc<notify::Channels>,
    /// Notices in the reader's language, for the outside channels.
    pub notices: Arc<dyn notify::NoticeText>,
    /// Principals resolved in the last moments (see [`auth::Principals`]).
    pub principals: Arc<auth::Principals>,
    /// A moment (on the service clock) in which no item's bucket is due: reads in it skip the
    /// re-bucketing check.
    pub quiet_until: Arc<std::sync::Mutex<Option<QuietMoment>>>,
    /// Failed sign-ins per client address in this instance.
    pub throttle: Arc<std::sync::Mutex<luodi_domain::lockout::AddressThrottle>>,
    /// Failed sign-ins under names that are no account, in this instance.
    pub unknown_names: Arc<std::sync::Mutex<luodi_domain::lockout::UnknownNames>>,
    /// Passwords checked at sign-in, known accounts and unknown names alike.
    pub password_checks: Arc<std::sync::atomic::AtomicU64>,
    /// Refusals written to the audit trail one by one, per account or address.
    pub refusals: Arc<std::sync::Mutex<luodi_domain::refusals::RefusalBudget<audit::RefusalKey>>>,
}

/// From when to when the re-bucketing check found nothing due.
pub type QuietMoment = (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>);

impl Services {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        config: ServiceConfig,
        files: luodi_store::files::FileStore,
    ) -> Self {
        let imports = imports::ImportGate::new(config.imports_at_once);
        Self {
            imports,
            db,
            clock,
            config,
            files,
            jobs: jobs::Jobs::default(),
            channels: Arc::new(notify::Channels::without_mail()),
            notices: Arc::new(notify::RawNotice),
            principals: Arc::default(),
            quiet_until: Arc::default(),
            throttle: Arc::default(),
            unknown_names: Arc::default(),
            password_checks: Arc::default(),
            refusals: Arc::new(std::sync::Mutex::new(
                luodi_domain::refusals::RefusalBudget::new(Default::default()),
            )),
        }
    }

    /// Ends the quiet moment of the re-bucketing check: a change (a campaign's rules) has made
    /// items due now, so the next read re-derives them.
    pub fn check_buckets_now(&self) {
        *self.quiet_until.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The same services with these outside channels and this renderer of notices.
    pub fn with_channels(
        mut self,
        channels: notify::Channels,
        notices: Arc<dyn notify::NoticeText>,
    ) -> Self {
        self.channels = Arc::new(channels);
        self.notices = notices;
        self
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The same services on another clock (the demo records its past on a clock set back).
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Services {
        Services {
            clock,
            ..self.clone()
        }
    }

    /// The database, for the operator's tools that work below the services: backup and
    /// restore, the demo's and the generator's bulk loading, the benchmark, and tests that
    /// check what was stored.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Whether the database answers (for the health check and the metrics).
    pub async fn database_up(&self) -> bool {
        self.db.ping().await
    }
}
