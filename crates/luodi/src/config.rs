//! Configuration, typed and layered: defaults < `luodi.toml` < `LUODI_*` environment < flags.
//! Secrets (database passwords) never reach the logs: [`Config::redacted`] is what is shown.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything that can be set, all optional: one layer of configuration.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub secure_cookies: Option<bool>,
    pub session_idle_minutes: Option<u64>,
    pub session_absolute_hours: Option<u64>,
    pub max_upload_mb: Option<u64>,
    pub log: Option<String>,
    /// Where people reach luodi, for links in e-mails and robot messages.
    pub public_url: Option<String>,
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required` or `smtps://…`; unset: no e-mail.
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    /// Database connections of this instance (PostgreSQL: its pool; SQLite: its readers).
    pub db_max_connections: Option<u64>,
    /// Failed sign-ins in a row that lock an account (0: never), and for how many minutes.
    pub lockout_attempts: Option<u64>,
    pub lockout_minutes: Option<u64>,
    /// Failed sign-ins from one client address (any accounts) that refuse it for
    /// `lockout_minutes` (0: never).
    pub address_attempts: Option<u64>,
    /// Reverse proxies (addresses or ranges) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Option<Vec<String>>,
    /// `dengbao3` (default) or `asvs`: see luodi_domain::password.
    pub password_policy: Option<String>,
    /// The audit chain's HMAC-SM3 key, in hex (at least 32 digits); or a file holding it.
    /// Neither: `data_dir/keys/audit.key`, made on first start.
    pub audit_key: Option<String>,
    pub audit_key_file: Option<PathBuf>,
    /// Days audit records are kept before they may be purged (at least 180).
    pub audit_retention_days: Option<u64>,
    /// The SM4 key of sensitive fields, in hex (32 digits); or a file holding it. Neither:
    /// `data_dir/keys/field.key`, made on first start.
    pub field_key: Option<String>,
    pub field_key_file: Option<PathBuf>,
    /// The three administrators must sign in with a second factor (TOTP). Default: on under
    /// `dengbao3`, off under `asvs`.
    pub totp_for_admins: Option<bool>,
    /// Internal addresses (ranges) a robot's webhook may reach (an intranet gateway); others
    /// of this machine and the internal network are refused.
    pub outbound_allow: Option<Vec<String>>,
    /// Client addresses (ranges) that may read `/metrics` without the token. Default: loopback.
    pub metrics_allow: Option<Vec<String>>,
    /// A bearer token that opens `/metrics` from anywhere.
    pub metrics_token: Option<String>,
    /// Spreadsheet imports that run at once in this instance (the rest wait, queued).
    pub imports_at_once: Option<u64>,
    /// Seconds a client has to send a request's headers, and between two parts of its body.
    pub header_timeout_seconds: Option<u64>,
    pub body_timeout_seconds: Option<u64>,
    /// Open connections one client address may hold (0: no cap).
    pub connections_per_address: Option<u64>,
}

impl Layer {
    /// `self` with the values of `over` where it has them.
    pub fn merge(self, over: Layer) -> Layer {
        Layer {
            database_url: over.database_url.or(self.database_url),
            listen: over.listen.or(self.listen),
            data_dir: over.data_dir.or(self.data_dir),
            secure_cookies: over.secure_cookies.or(self.secure_cookies),
            session_idle_minutes: over.session_idle_minutes.or(self.session_idle_minutes),
            session_absolute_hours: over.session_absolute_hours.or(self.session_absolute_hours),
            max_upload_mb: over.max_upload_mb.or(self.max_upload_mb),
            log: over.log.or(self.log),
            public_url: over.public_url.or(self.public_url),
            smtp_url: over.smtp_url.or(self.smtp_url),
            mail_from: over.mail_from.or(self.mail_from),
            db_max_connections: over.db_max_connections.or(self.db_max_connections),
            lockout_attempts: over.lockout_attempts.or(self.lockout_attempts),
            lockout_minutes: over.lockout_minutes.or(self.lockout_minutes),
            address_attempts: over.address_attempts.or(self.address_attempts),
            trusted_proxies: over.trusted_proxies.or(self.trusted_proxies),
            password_policy: over.password_policy.or(self.password_policy),
            audit_key: over.audit_key.or(self.audit_key),
            audit_key_file: over.audit_key_file.or(self.audit_key_file),
            audit_retention_days: over.audit_retention_days.or(self.audit_retention_days),
            field_key: over.field_key.or(self.field_key),
            field_key_file: over.field_key_file.or(self.field_key_file),
            totp_for_admins: over.totp_for_admins.or(self.totp_for_admins),
            outbound_allow: over.outbound_allow.or(self.outbound_allow),
            metrics_allow: over.metrics_allow.or(self.metrics_allow),
            metrics_token: over.metrics_token.or(self.metrics_token),
            imports_at_once: over.imports_at_once.or(self.imports_at_once),
            header_timeout_seconds: over.header_timeout_seconds.or(self.header_timeout_seconds),
            body_timeout_seconds: over.body_timeout_seconds.or(self.body_timeout_seconds),
            connections_per_address: over
                .connections_per_address
                .or(self.connections_per_address),
        }
    }

    /// The `LUODI_*` variables, read through `get` (the process environment in production).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Layer, String> {
        let num = |k: &str| -> Result<Option<u64>, String> {
            get(k)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| format!("{k} must be a whole number, not {v:?}"))
                })
                .transpose()
        };
        let list = |k: &str| -> Option<Vec<String>> {
            get(k).map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
        };
        let flag = |k: &str| -> Result<Option<bool>, String> {
            get(k)
                .map(|v| match v.trim() {
                    "1" | "true" | "yes" | "on" => Ok(true),
                    "0" | "false" | "no" | "off" => Ok(false),
                    _ => Err(format!("{k} must be true or false, not {v:?}")),
                })
                .transpose()
        };
        Ok(Layer {
            database_url: get("LUODI_DATABASE_URL"),
            listen: get("LUODI_LISTEN"),
            data_dir: get("LUODI_DATA_DIR").map(PathBuf::from),
            secure_cookies: flag("LUODI_SECURE_COOKIES")?,
            session_idle_minutes: num("LUODI_SESSION_IDLE_MINUTES")?,
            session_absolute_hours: num("LUODI_SESSION_ABSOLUTE_HOURS")?,
            max_upload_mb: num("LUODI_MAX_UPLOAD_MB")?,
            log: get("LUODI_LOG"),
            public_url: get("LUODI_PUBLIC_URL"),
            smtp_url: get("LUODI_SMTP_URL"),
            mail_from: get("LUODI_MAIL_FROM"),
            db_max_connections: num("LUODI_DB_MAX_CONNECTIONS")?,
            lockout_attempts: num("LUODI_LOCKOUT_ATTEMPTS")?,
            lockout_minutes: num("LUODI_LOCKOUT_MINUTES")?,
            address_attempts: num("LUODI_ADDRESS_ATTEMPTS")?,
            password_policy: get("LUODI_PASSWORD_POLICY"),
            audit_key: get("LUODI_AUDIT_KEY"),
            audit_key_file: get("LUODI_AUDIT_KEY_FILE").map(PathBuf::from),
            audit_retention_days: num("LUODI_AUDIT_RETENTION_DAYS")?,
            field_key: get("LUODI_FIELD_KEY"),
            field_key_file: get("LUODI_FIELD_KEY_FILE").map(PathBuf::from),
            totp_for_admins: flag("LUODI_TOTP_FOR_ADMINS")?,
            trusted_proxies: list("LUODI_TRUSTED_PROXIES"),
            outbound_allow: list("LUODI_OUTBOUND_ALLOW"),
            metrics_allow: list("LUODI_METRICS_ALLOW"),
            metrics_token: get("LUODI_METRICS_TOKEN"),
            imports_at_once: num("LUODI_IMPORTS_AT_ONCE")?,
            header_timeout_seconds: num("LUODI_HEADER_TIMEOUT_SECONDS")?,
            body_timeout_seconds: num("LUODI_BODY_TIMEOUT_SECONDS")?,
            connections_per_address: num("LUODI_CONNECTIONS_PER_ADDRESS")?,
        })
    }

    pub fn from_file(path: &Path) -> Result<Layer, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The configuration in force.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub secure_cookies: bool,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub max_upload_bytes: u64,
    pub log: String,
    pub public_url: Option<String>,
    pub channels: luodi_service::notify::ChannelConfig,
    /// Database connections of this instance; with several instances on one PostgreSQL,
    /// their sum must stay under the server's `max_connections`.
    pub db_max_connections: u32,
    pub lockout: luodi_domain::lockout::LockoutPolicy,
    pub address_lockout: luodi_domain::lockout::LockoutPolicy,
    pub trusted_proxies: Vec<luodi_web::client_addr::Cidr>,
    pub password_policy: luodi_domain::password::PasswordPolicy,
    pub audit_key: KeySource,
    pub audit_retention_days: u32,
    pub field_key: KeySource,
    pub totp_for_admins: bool,
    pub metrics_allow: Vec<luodi_web::client_addr::Cidr>,
    pub metrics_token: Option<String>,
    pub imports_at_once: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    /// 0: no cap.
    pub connections_per_address: usize,
}

/// Where a secret key comes from. Keys are read (or made) at startup, not here.
#[derive(Clone, PartialEq, Eq)]
pub enum KeySource {
    /// Given in the configuration or environment, as hex.
    Inline(Vec<u8>),
    /// A file holding the key in hex, made on first start if `create` and missing.
    File { path: PathBuf, create: bool },
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Inline(_) => f.write_str("(given in the environment)"),
            KeySource::File { path, .. } => write!(f, "{}", path.display()),
        }
    }
}

/// Bytes from hex digits (whitespace around them ignored).
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn key_source(
    inline: Option<String>,
    file: Option<PathBuf>,
    default: PathBuf,
    what: &str,
    min_bytes: usize,
) -> Result<KeySource, String> {
    match (inline, file) {
        (Some(_), Some(_)) => Err(format!("give {what} or {what}_file, not both")),
        (Some(hex), None) => match from_hex(&hex) {
            Some(k) if k.len() >= min_bytes => Ok(KeySource::Inline(k)),
            _ => Err(format!(
                "{what} must be at least {} hex digits",
                min_bytes * 2
            )),
        },
        (None, Some(path)) => Ok(KeySource::File {
            path,
            create: false,
        }),
        (None, None) => Ok(KeySource::File {
            path: default,
            create: true,
        }),
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Address ranges from a list setting, each checked.
fn ranges(key: &str, list: Vec<String>) -> Result<Vec<luodi_web::client_addr::Cidr>, String> {
    list.iter()
        .map(|p| {
            luodi_web::client_addr::Cidr::parse(p).ok_or_else(|| {
                format!("{key}: {p:?} is not an address or a range such as 10.0.0.0/8")
            })
        })
        .collect()
}

impl Config {
    /// Resolves a merged layer; `default_db_file` names the SQLite file inside the data directory.
    pub fn resolve(l: Layer, default_db_file: &str) -> Result<Config, String> {
        let data_dir = l.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let database_url = l
            .database_url
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join(default_db_file).display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres:")
            || database_url.starts_with("postgresql:"))
        {
            return Err(format!(
                "database URL must start with sqlite:// or postgres://, not {}",
                luodi_store::db::redact_url(&database_url)
            ));
        }
        let listen_s = l.listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen_s.parse().map_err(|_| {
            format!("listen address {listen_s:?} is not host:port, e.g. 127.0.0.1:8080")
        })?;
        let idle = l.session_idle_minutes.unwrap_or(30);
        let absolute = l.session_absolute_hours.unwrap_or(12);
        if idle == 0 || absolute == 0 {
            return Err("session timeouts must be greater than zero".into());
        }
        let pool = l.db_max_connections.unwrap_or(16);
        if !(1..=1000).contains(&pool) {
            return Err(format!(
                "db_max_connections must be between 1 and 1000, not {pool}"
            ));
        }
        let attempts = l.lockout_attempts.unwrap_or(5);
        let lock_minutes = l.lockout_minutes.unwrap_or(30);
        if attempts > 100 || !(1..=10_080).contains(&lock_minutes) {
            return Err(format!(
                "lockout_attempts must be 0 to 100 and lockout_minutes 1 to 10080, not {attempts} and {lock_minutes}"
            ));
        }
        let address_attempts = l.address_attempts.unwrap_or(20);
        if address_attempts > 100_000 {
            return Err(format!(
                "address_attempts must be 0 to 100000, not {address_attempts}"
            ));
        }
        let trusted_proxies = ranges("trusted_proxies", l.trusted_proxies.unwrap_or_default())?;
        let outbound_allow = ranges("outbound_allow", l.outbound_allow.unwrap_or_default())?;
        let metrics_allow = ranges(
            "metrics_allow",
            l.metrics_allow
                .unwrap_or_else(|| vec!["127.0.0.0/8".into(), "::1".into()]),
        )?;
        let metrics_token = l.metrics_token.filter(|t| !t.trim().is_empty());
        if metrics_token.as_ref().is_some_and(|t| t.trim().len() < 16) {
            return Err("metrics_token must be at least 16 characters".into());
        }
        let imports_at_once = l.imports_at_once.unwrap_or(1);
        let header_timeout = l.header_timeout_seconds.unwrap_or(10);
        let body_timeout = l.body_timeout_seconds.unwrap_or(15);
        let connections_per_address = l.connections_per_address.unwrap_or(64);
        if !(1..=16).contains(&imports_at_once)
            || !(1..=600).contains(&header_timeout)
            || !(1..=600).contains(&body_timeout)
            || connections_per_address > 100_000
        {
            return Err(format!(
                "imports_at_once must be 1 to 16, header_timeout_seconds and body_timeout_seconds 1 to 600, connections_per_address 0 to 100000; not {imports_at_once}, {header_timeout}, {body_timeout}, {connections_per_address}"
            ));
        }
        let password_policy = match l.password_policy.as_deref() {
            None => luodi_domain::password::PasswordPolicy::default(),
            Some(p) => luodi_domain::password::PasswordPolicy::parse(p)
                .ok_or_else(|| format!("password_policy must be dengbao3 or asvs, not {p:?}"))?,
        };
        let audit_key = key_source(
            l.audit_key,
            l.audit_key_file,
            data_dir.join("keys").join("audit.key"),
            "audit_key",
            16,
        )?;
        let field_key = key_source(
            l.field_key,
            l.field_key_file,
            data_dir.join("keys").join("field.key"),
            "field_key",
            16,
        )?;
        if matches!(&field_key, KeySource::Inline(k) if k.len() != 16) {
            return Err("field_key must be exactly 32 hex digits (an SM4 key)".into());
        }
        let audit_retention_days = l.audit_retention_days.unwrap_or(180);
        if !(180..=36_500).contains(&audit_retention_days) {
            return Err(format!(
                "audit_retention_days must be 180 to 36500, not {audit_retention_days}"
            ));
        }
        Ok(Config {
            metrics_allow,
            metrics_token,
            imports_at_once: imports_at_once as usize,
            header_timeout: Duration::from_secs(header_timeout),
            body_timeout: Duration::from_secs(body_timeout),
            connections_per_address: connections_per_address as usize,
            totp_for_admins: l
                .totp_for_admins
                .unwrap_or(password_policy == luodi_domain::password::PasswordPolicy::Dengbao3),
            field_key,
            audit_key,
            audit_retention_days: audit_retention_days as u32,
            password_policy,
            trusted_proxies,
            address_lockout: luodi_domain::lockout::LockoutPolicy {
                attempts: address_attempts as u32,
                duration: chrono::Duration::minutes(lock_minutes as i64),
            },
            lockout: luodi_domain::lockout::LockoutPolicy {
                attempts: attempts as u32,
                duration: chrono::Duration::minutes(lock_minutes as i64),
            },
            db_max_connections: pool as u32,
            database_url,
            listen,
            data_dir,
            secure_cookies: l.secure_cookies.unwrap_or(false),
            session_idle: Duration::from_secs(idle * 60),
            session_absolute: Duration::from_secs(absolute * 3600),
            max_upload_bytes: l.max_upload_mb.unwrap_or(50) * 1024 * 1024,
            log: l.log.unwrap_or_else(|| "info".into()),
            public_url: l
                .public_url
                .map(|u| u.trim().trim_end_matches('/').to_owned())
                .filter(|u| !u.is_empty()),
            channels: luodi_service::notify::ChannelConfig {
                smtp_url: l.smtp_url.filter(|u| !u.trim().is_empty()),
                mail_from: l
                    .mail_from
                    .unwrap_or_else(|| luodi_service::notify::ChannelConfig::default().mail_from),
                outbound: luodi_service::outbound::OutboundPolicy {
                    allow: outbound_allow,
                },
                ..Default::default()
            },
        })
    }

    /// How this instance connects to its database.
    pub fn db_options(&self) -> luodi_store::db::DbOptions {
        luodi_store::db::DbOptions {
            max_connections: self.db_max_connections,
            ..Default::default()
        }
    }

    /// The configuration as it may be shown: the database password hidden.
    pub fn redacted(&self) -> String {
        format!(
            "database_url = {:?}\nlisten = \"{}\"\ndata_dir = {:?}\nsecure_cookies = {}\nsession_idle_minutes = {}\nsession_absolute_hours = {}\nmax_upload_mb = {}\nlog = {:?}\npublic_url = {:?}\nsmtp_url = {:?}\nmail_from = {:?}\ndb_max_connections = {}\nlockout_attempts = {}\nlockout_minutes = {}\naddress_attempts = {}\ntrusted_proxies = {:?}\npassword_policy = {:?}\naudit_key = {:?}\naudit_retention_days = {}\nfield_key = {:?}\ntotp_for_admins = {}\noutbound_allow = {:?}\nmetrics_allow = {:?}\nmetrics_token = {:?}\nimports_at_once = {}\nheader_timeout_seconds = {}\nbody_timeout_seconds = {}\nconnections_per_address = {}\n",
            luodi_store::db::redact_url(&self.database_url),
            self.listen,
            self.data_dir.display().to_string(),
            self.secure_cookies,
            self.session_idle.as_secs() / 60,
            self.session_absolute.as_secs() / 3600,
            self.max_upload_bytes / (1024 * 1024),
            self.log,
            self.public_url.as_deref().unwrap_or(""),
            self.channels
                .smtp_url
                .as_deref()
                .map(luodi_store::db::redact_url)
                .unwrap_or_default(),
            self.channels.mail_from,
            self.db_max_connections,
            self.lockout.attempts,
            self.lockout.duration.num_minutes(),
            self.address_lockout.attempts,
            self.trusted_proxies
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>(),
            self.password_policy.as_str(),
            format!("{:?}", self.audit_key),
            self.audit_retention_days,
            format!("{:?}", self.field_key),
            self.totp_for_admins,
            self.channels
                .outbound
                .allow
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>(),
            self.metrics_allow
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>(),
            if self.metrics_token.is_some() { "***" } else { "" },
            self.imports_at_once,
            self.header_timeout.as_secs(),
            self.body_timeout.as_secs(),
            self.connections_per_address,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_override_in_order() {
        let file: Layer =
            toml::from_str("listen = \"0.0.0.0:9000\"\nlog = \"debug\"\nmax_upload_mb = 10")
                .expect("toml");
        let env = Layer::from_env(|k| match k {
            "LUODI_LISTEN" => Some("127.0.0.1:9100".into()),
            "LUODI_DATABASE_URL" => Some("postgres://u:secret@db/luodi".into()),
            "LUODI_DB_MAX_CONNECTIONS" => Some("40".into()),
            _ => None,
        })
        .expect("env");
        let flags = Layer {
            listen: Some("127.0.0.1:9200".into()),
            ..Default::default()
        };
        let c = Config::resolve(
            Layer::default().merge(file).merge(env).merge(flags),
            "luodi.db",
        )
        .expect("config");
        assert_eq!(c.listen.to_string(), "127.0.0.1:9200");
        assert_eq!(c.log, "debug");
        assert_eq!(c.max_upload_bytes, 10 * 1024 * 1024);
        assert_eq!(c.db_options().max_connections, 40);
        assert!(c.redacted().contains("postgres://u:***@db/luodi"));
        assert!(!c.redacted().contains("secret"));
    }

    #[test]
    fn keys_come_from_the_environment_a_file_or_the_data_directory() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            Layer::from_env(|k| {
                vars.iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| (*v).to_owned())
            })
            .and_then(|l| Config::resolve(l, "luodi.db"))
        };
        let c = env(&[
            (
                "LUODI_AUDIT_KEY",
                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
            ),
            ("LUODI_FIELD_KEY", "0123456789abcdeffedcba9876543210"),
        ])
        .expect("config");
        assert!(matches!(&c.audit_key, KeySource::Inline(k) if k.len() == 32));
        assert!(matches!(&c.field_key, KeySource::Inline(k) if k.len() == 16));
        // Secrets are never shown.
        assert!(
            !c.redacted().contains("0123456789abcdef"),
            "{}",
            c.redacted()
        );
        let c = env(&[("LUODI_FIELD_KEY_FILE", "/etc/luodi/field.key")]).expect("config");
        assert_eq!(
            c.field_key,
            KeySource::File {
                path: "/etc/luodi/field.key".into(),
                create: false
            }
        );
        let c = env(&[]).expect("config");
        assert_eq!(
            c.audit_key,
            KeySource::File {
                path: PathBuf::from("data/keys/audit.key"),
                create: true
            }
        );
        assert!(env(&[("LUODI_FIELD_KEY", "0123")]).is_err(), "too short");
        assert!(
            env(&[("LUODI_FIELD_KEY", "0123456789abcdeffedcba98765432100011")]).is_err(),
            "not 16 bytes"
        );
        assert!(env(&[("LUODI_AUDIT_KEY", "xyz")]).is_err(), "not hex");
        assert!(
            env(&[
                ("LUODI_AUDIT_KEY", "00112233445566778899aabbccddeeff"),
                ("LUODI_AUDIT_KEY_FILE", "/k")
            ])
            .is_err(),
            "both"
        );
        assert!(
            env(&[("LUODI_AUDIT_RETENTION_DAYS", "90")]).is_err(),
            "under 180 days"
        );
    }

    #[test]
    fn the_administrators_second_factor_follows_the_password_policy() {
        let resolve = |policy: Option<&str>, totp: Option<bool>| {
            Config::resolve(
                Layer {
                    password_policy: policy.map(str::to_owned),
                    totp_for_admins: totp,
                    ..Default::default()
                },
                "luodi.db",
            )
            .expect("config")
            .totp_for_admins
        };
        assert!(resolve(None, None), "dengbao3 requires it");
        assert!(
            !resolve(Some("asvs"), None),
            "asvs leaves it to the account holder"
        );
        assert!(resolve(Some("asvs"), Some(true)));
        assert!(!resolve(None, Some(false)));
    }

    #[test]
    fn defaults_and_errors() {
        let c = Config::resolve(Layer::default(), "luodi.db").expect("defaults");
        assert_eq!(c.database_url, "sqlite://data/luodi.db");
        assert_eq!(c.db_max_connections, 16);
        assert!(Config::resolve(
            Layer {
                db_max_connections: Some(0),
                ..Default::default()
            },
            "luodi.db"
        )
        .is_err());
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert!(Config::resolve(
            Layer {
                listen: Some("nowhere".into()),
                ..Default::default()
            },
            "x"
        )
        .is_err());
        assert!(Config::resolve(
            Layer {
                database_url: Some("mysql://x".into()),
                ..Default::default()
            },
            "x"
        )
        .is_err());
        assert!(Layer::from_env(|k| (k == "LUODI_MAX_UPLOAD_MB").then(|| "lots".into())).is_err());
        assert!(toml::from_str::<Layer>("bogus = 1").is_err());
    }
}
