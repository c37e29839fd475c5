//! Signing in and out, sessions, API tokens, and one's own password. Secrets are random 256-bit
//! values; only their SHA-256 is stored. Passwords are hashed with argon2id.

use crate::audit::{self, Change};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Utc};
use luodi_domain::lockout::LoginState;
use luodi_domain::role::{Binding, Role};
use luodi_domain::{password, totp, Validation};
use luodi_store::users::User;
use luodi_store::{sessions, users, Conn};
use rand_core::{OsRng, RngCore};
use std::collections::HashMap;

pub use crate::secrets::{hash_password, random_hex, random_password, sha256_hex, verify_password};

/// Loads an account's role bindings as domain bindings with their scope paths.
pub async fn bindings(c: Conn<'_>, user_id: i64) -> ServiceResult<Vec<Binding>> {
    Ok(users::bindings(c, user_id)
        .await?
        .into_iter()
        .filter_map(|b| {
            let role = Role::parse(&b.role)?;
            let scope_path = match (b.org_id, b.org_path) {
                (None, _) => "/".to_owned(),
                (Some(_), Some(p)) => p,
                (Some(_), None) => return None,
            };
            Some(Binding {
                role,
                org_id: b.org_id,
                scope_path,
            })
        })
        .collect())
}

/// A signed-in request: the account, its actor and its session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub actor: Actor,
    /// SHA-256 of the session token, or `None` for an API token.
    pub session_id: Option<String>,
    /// The org the user chose in the scope switcher.
    pub scope_org_id: Option<i64>,
    /// Opened by a password; the second factor's code is still to come.
    pub pending_totp: bool,
    /// An account that must sign in with a second factor and has none yet: it may only set one
    /// up (and change its password).
    pub must_enroll_totp: bool,
}

/// Whether this account must have a second factor and has none yet: one of the three
/// administrators, when the configuration requires it of them.
fn must_enroll(svc: &Services, user: &User, b: &[Binding]) -> bool {
    svc.config.totp_for_admins
        && user.totp_enabled_at.is_none()
        && b.iter().any(|b| b.role.is_admin())
}

/// What a password sign-in opened.
#[derive(Debug)]
pub struct SignIn {
    /// The session token, for the cookie.
    pub token: String,
    pub user: User,
    /// The account has a second factor: the session waits for its code.
    pub needs_code: bool,
}

/// Signs in with a password: a session, full or (for an account with a second factor)
/// waiting for the code.
pub async fn login(
    svc: &Services,
    username: &str,
    pw: &str,
    ip: Option<&str>,
) -> ServiceResult<SignIn> {
    let now = svc.now();
    let attempt = Attempt {
        svc,
        ip,
        name: username.trim(),
    };
    let throttled = ip.is_some_and(|a| {
        svc.throttle
            .lock()
            .is_ok_and(|t| t.blocked(a, now, svc.config.address_lockout))
    });
    if throttled {
        attempt
            .event(None, "login.throttled", None, "refused")
            .await;
        return Err(ServiceError::AddressThrottled);
    }
    let user = {
        let mut c = svc.db.read().await?;
        users::get_by_username(c.conn(), username.trim()).await?
    };
    // A name that is no account is answered as an account would be: its password is checked
    // against a stand-in hash (the same time spent), its failures count and lock it the same,
    // and the one write is the same. The answers do not tell which usernames exist.
    let state = match &user {
        Some(u) => LoginState {
            failed: u32::try_from(u.failed_logins).unwrap_or(u32::MAX),
            locked_until: u.locked_until,
        },
        None => unknown_names(svc).state(attempt.name),
    };
    // A locked account is refused whatever password is offered, before it is checked.
    if state.locked_at(now) {
        attempt
            .event(user.as_ref(), "login.locked", None, "refused")
            .await;
        return Err(ServiceError::AccountLocked);
    }
    let right = verify_counted(svc, pw, user.as_ref().map(|u| u.password_hash.as_str()));
    let user = match user {
        Some(u) if right => u,
        other => {
            let after = match &other {
                Some(_) => state.after_failure(now, svc.config.lockout),
                None => unknown_names(svc).failure(attempt.name, now, svc.config.lockout),
            };
            if let (Some(a), Ok(mut t)) = (ip, svc.throttle.lock()) {
                t.failure(a, now, svc.config.address_lockout);
            }
            let mut tx = svc.db.begin().await?;
            if let Some(u) = &other {
                users::set_login_state(
                    tx.conn(),
                    u.id,
                    i64::from(after.failed),
                    after.locked_until,
                )
                .await?;
                if after.locked_at(now) {
                    attempt
                        .event_in(tx.conn(), Some(u), "account.lock", "ok")
                        .await?;
                }
            }
            attempt
                .event_in(tx.conn(), None, "login", "refused")
                .await?;
            tx.commit().await?;
            return Err(ServiceError::BadCredentials);
        }
    };
    let org_path = user_org_path(svc, &user).await?;
    if user.disabled {
        attempt
            .event(Some(&user), "login", org_path, "refused")
            .await;
        return Err(ServiceError::AccountDisabled);
    }
    // A password older than the policy allows must be changed before anything else.
    let mut user = user;
    let expired = !user.must_change_password
        && svc
            .config
            .password_policy
            .expired(user.password_changed_at, now);
    let token = random_hex(32);
    let expires = now
        + chrono::Duration::from_std(svc.config.session_absolute)
            .unwrap_or(chrono::Duration::hours(12));
    let needs_code = user.totp_enabled_at.is_some();
    let mut tx = svc.db.begin().await?;
    sessions::create(
        tx.conn(),
        sessions::NewSession {
            id_hash: &sha256_hex(&token),
            user_id: user.id,
            now,
            expires_at: expires,
            ip,
            pending_totp: needs_code,
        },
    )
    .await?;
    // Failures in a row end with the last factor: a right password alone does not clear them.
    if !needs_code && (user.failed_logins != 0 || user.locked_until.is_some()) {
        users::set_login_state(tx.conn(), user.id, 0, None).await?;
    }
    if expired {
        users::require_password_change(tx.conn(), user.id).await?;
        user.must_change_password = true;
    }
    tx.commit().await?;
    if expired {
        attempt
            .event(Some(&user), "password.expired", org_path.clone(), "ok")
            .await;
    }
    if needs_code {
        attempt
            .event(Some(&user), "login.password", org_path, "ok")
            .await;
    } else {
        attempt.event(Some(&user), "login", org_path, "ok").await;
    }
    Ok(SignIn {
        token,
        user,
        needs_code,
    })
}

/// The second step of a sign-in: the code from the account's authenticator. A right code
/// replaces the waiting session with a full one (a new token); a wrong one counts as a failed
/// sign-in towards the account's lockout.
pub async fn second_factor(svc: &Services, signed: &SignedIn, code: &str) -> ServiceResult<String> {
    let Some(session_id) = signed.session_id.as_deref().filter(|_| signed.pending_totp) else {
        return Err(ServiceError::Conflict("second_factor_not_pending"));
    };
    let now = svc.now();
    let ip = signed.actor.ip.as_deref();
    let attempt = Attempt {
        svc,
        ip,
        name: &signed.user.username,
    };
    let user = {
        let mut c = svc.db.read().await?;
        users::get(c.conn(), signed.user.id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?
    };
    let state = LoginState {
        failed: u32::try_from(user.failed_logins).unwrap_or(u32::MAX),
        locked_until: user.locked_until,
    };
    if state.locked_at(now) {
        attempt
            .event(Some(&user), "login.locked", None, "refused")
            .await;
        return Err(ServiceError::AccountLocked);
    }
    let secret = svc
        .config
        .field_key
        .open_opt(TOTP_SECRET, user.totp_secret_enc.as_deref())
        .and_then(|s| totp::from_base32(&s))
        .ok_or_else(|| ServiceError::Internal("the account's TOTP secret does not open".into()))?;
    let org_path = user_org_path(svc, &user).await?;
    let step = totp::accept(&secret, code, now.timestamp(), user.totp_last_step);
    let mut tx = svc.db.begin().await?;
    let accepted = match step {
        Some(step) => users::use_totp_step(tx.conn(), user.id, step).await?,
        None => false,
    };
    if !accepted {
        let after = state.after_failure(now, svc.config.lockout);
        users::set_login_state(
            tx.conn(),
            user.id,
            i64::from(after.failed),
            after.locked_until,
        )
        .await?;
        if after.locked_at(now) {
            sessions::delete(tx.conn(), session_id).await?;
        }
        tx.commit().await?;
        svc.principals.forget();
        if after.locked_at(now) {
            attempt.event(Some(&user), "account.lock", None, "ok").await;
        }
        attempt
            .event(Some(&user), "login.second_factor", org_path, "refused")
            .await;
        return Err(ServiceError::BadSecondFactor);
    }
    let token = random_hex(32);
    let expires = now
        + chrono::Duration::from_std(svc.config.session_absolute)
            .unwrap_or(chrono::Duration::hours(12));
    sessions::delete(tx.conn(), session_id).await?;
    sessions::create(
        tx.conn(),
        sessions::NewSession {
            id_hash: &sha256_hex(&token),
            user_id: user.id,
            now,
            expires_at: expires,
            ip,
            pending_totp: false,
        },
    )
    .await?;
    users::set_login_state(tx.conn(), user.id, 0, None).await?;
    tx.commit().await?;
    svc.principals.forget();
    attempt.event(Some(&user), "login", org_path, "ok").await;
    Ok(token)
}

/// The column the TOTP secret is sealed for.
pub const TOTP_SECRET: &str = "users.totp_secret";

/// What an authenticator app needs to take on a new secret.
#[derive(Debug, Clone)]
pub struct TotpSetup {
    /// Base32, for typing in.
    pub secret: String,
    /// `otpauth://…`, for the QR code.
    pub uri: String,
}

fn setup_of(svc: &Services, user: &User) -> Option<TotpSetup> {
    let secret = svc
        .config
        .field_key
        .open_opt(TOTP_SECRET, user.totp_secret_enc.as_deref())?;
    let bytes = totp::from_base32(&secret)?;
    Some(TotpSetup {
        uri: totp::otpauth_uri("luodi", &user.username, &bytes),
        secret,
    })
}

/// The second factor as set up so far: `None` when none is begun; a secret not yet confirmed
/// when `user.totp_enabled_at` is unset.
pub async fn totp_setup(svc: &Services, signed: &SignedIn) -> ServiceResult<Option<TotpSetup>> {
    let mut c = svc.db.read().await?;
    let user = users::get(c.conn(), signed.user.id)
        .await?
        .ok_or(ServiceError::Unauthenticated)?;
    if user.totp_enabled_at.is_some() {
        return Ok(None);
    }
    Ok(setup_of(svc, &user))
}

/// Begins setting up a second factor: a new secret, sealed, not in force until a code from it
/// is confirmed.
pub async fn totp_begin(svc: &Services, signed: &SignedIn) -> ServiceResult<TotpSetup> {
    if signed.user.totp_enabled_at.is_some() {
        return Err(ServiceError::Conflict("totp_already_enabled"));
    }
    let mut bytes = vec![0u8; totp::SECRET_BYTES];
    OsRng.fill_bytes(&mut bytes);
    let secret = totp::base32(&bytes);
    let sealed = svc.config.field_key.seal(TOTP_SECRET, &secret);
    let mut tx = svc.db.begin().await?;
    users::set_totp(tx.conn(), signed.user.id, Some(&sealed), None).await?;
    tx.commit().await?;
    audit::event(
        svc,
        audit::Event {
            actor_id: Some(signed.user.id),
            actor_name: &signed.user.username,
            ip: signed.actor.ip.as_deref(),
            action: "totp.begin",
            object_id: Some(signed.user.id),
            org_path: None,
            outcome: "ok",
        },
    )
    .await;
    Ok(TotpSetup {
        uri: totp::otpauth_uri("luodi", &signed.user.username, &bytes),
        secret,
    })
}

/// Confirms a second factor with a code from the authenticator: from now on sign-ins ask for
/// one.
pub async fn totp_confirm(svc: &Services, signed: &SignedIn, code: &str) -> ServiceResult<()> {
    let now = svc.now();
    let user = {
        let mut c = svc.db.read().await?;
        users::get(c.conn(), signed.user.id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?
    };
    if user.totp_enabled_at.is_some() {
        return Err(ServiceError::Conflict("totp_already_enabled"));
    }
    let setup = setup_of(svc, &user).ok_or(ServiceError::Conflict("totp_not_begun"))?;
    let secret = totp::from_base32(&setup.secret).unwrap_or_default();
    let Some(step) = totp::accept(&secret, code, now.timestamp(), 0) else {
        return Err(crate::error::invalid("code", "bad_second_factor"));
    };
    let org_path = user_org_path(svc, &user).await?;
    let mut tx = svc.db.begin().await?;
    users::set_totp(
        tx.conn(),
        user.id,
        user.totp_secret_enc.as_deref(),
        Some(now),
    )
    .await?;
    users::use_totp_step(tx.conn(), user.id, step).await?;
    audit::record::<(), _>(
        svc,
        tx.conn(),
        &signed.actor,
        audit::Change {
            action: "totp.enable",
            object_type: "user",
            object_id: Some(user.id.to_string()),
            org_path,
            before: None,
            after: Some(&serde_json::json!({ "totp_enabled": true })),
        },
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(())
}

/// One sign-in attempt, for auditing its steps.
struct Attempt<'a> {
    svc: &'a Services,
    ip: Option<&'a str>,
    /// The username as typed, for an attempt on no known account.
    name: &'a str,
}

/// The failed sign-ins under names that are no account.
fn unknown_names(svc: &Services) -> std::sync::MutexGuard<'_, luodi_domain::lockout::UnknownNames> {
    svc.unknown_names.lock().unwrap_or_else(|e| e.into_inner())
}

/// Checks a sign-in's password against the account's hash, or a stand-in for no account;
/// counted (`luodi_password_checks_total`).
fn verify_counted(svc: &Services, pw: &str, hash: Option<&str>) -> bool {
    svc.password_checks
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    match hash {
        Some(h) => verify_password(pw, h),
        None => verify_password(pw, stand_in_hash()),
    }
}

/// A hash of a random password, made like every account's: what a sign-in under an unknown
/// name is checked against.
fn stand_in_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_hex(16)).unwrap_or_default())
}

impl Attempt<'_> {
    /// A step by `user` when the account is known, else by the name typed.
    fn of<'e>(
        &'e self,
        user: Option<&'e User>,
        action: &'e str,
        org_path: Option<String>,
        outcome: &'e str,
    ) -> audit::Event<'e> {
        audit::Event {
            actor_id: user.map(|u| u.id),
            actor_name: user.map_or(self.name, |u| u.username.as_str()),
            ip: self.ip,
            action,
            object_id: user.map(|u| u.id),
            org_path,
            outcome,
        }
    }

    /// Audits a step inside the caller's transaction.
    async fn event_in(
        &self,
        c: Conn<'_>,
        user: Option<&User>,
        action: &str,
        outcome: &str,
    ) -> ServiceResult<()> {
        audit::event_in(self.svc, c, self.of(user, action, None, outcome)).await
    }

    /// Audits a step in a transaction of its own.
    async fn event(
        &self,
        user: Option<&User>,
        action: &str,
        org_path: Option<String>,
        outcome: &str,
    ) {
        audit::event(self.svc, self.of(user, action, org_path, outcome)).await;
    }
}

async fn user_org_path(svc: &Services, user: &User) -> ServiceResult<Option<String>> {
    let Some(org_id) = user.org_id else {
        return Ok(None);
    };
    let mut c = svc.db.read().await?;
    Ok(luodi_store::orgs::get(c.conn(), org_id)
        .await?
        .map(|o| o.path))
}

pub async fn logout(svc: &Services, signed: &SignedIn) -> ServiceResult<()> {
    if let Some(id) = &signed.session_id {
        let mut tx = svc.db.begin().await?;
        sessions::delete(tx.conn(), id).await?;
        tx.commit().await?;
        svc.principals.forget();
        audit::event(
            svc,
            audit::Event {
                actor_id: Some(signed.user.id),
                actor_name: &signed.user.username,
                ip: signed.actor.ip.as_deref(),
                action: "logout",
                object_id: Some(signed.user.id),
                org_path: None,
                outcome: "ok",
            },
        )
        .await;
    }
    Ok(())
}

fn expired(now: DateTime<Utc>, s: &sessions::Session, idle: std::time::Duration) -> bool {
    let idle = chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::minutes(30));
    now >= s.expires_at || now - s.last_seen_at >= idle
}

/// How long a resolved principal is reused. Another instance's sign-out, revocation or role
/// change takes effect here within this; this instance's at once (it clears the cache).
pub const PRINCIPAL_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// Principals resolved in the last moments, by the hash of their session or API token: a
/// burst of requests on one token reads the accounts once instead of three times each.
#[derive(Default)]
pub struct Principals {
    seen: std::sync::Mutex<HashMap<String, (std::time::Instant, Resolved)>>,
}

#[derive(Clone)]
struct Resolved {
    signed: SignedIn,
    /// The session as read, for its idle and absolute timeouts.
    session: Option<sessions::Session>,
}

impl Principals {
    fn get(&self, key: &str) -> Option<Resolved> {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(key)
            .filter(|(at, _)| at.elapsed() < PRINCIPAL_TTL)
            .map(|(_, r)| r.clone())
    }

    fn put(&self, key: String, r: Resolved) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= 10_000 {
            seen.retain(|_, (at, _)| at.elapsed() < PRINCIPAL_TTL);
        }
        seen.insert(key, (std::time::Instant::now(), r));
    }

    /// Forgets every principal: called after any change to accounts, roles, sessions, tokens
    /// or orgs (a binding's scope is its org's path).
    pub fn forget(&self) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Resolves a session cookie. Expired or idle sessions are ended and yield `None`.
pub async fn session(
    svc: &Services,
    token: &str,
    ip: Option<&str>,
) -> ServiceResult<Option<SignedIn>> {
    let id = sha256_hex(token);
    let now = svc.now();
    if let Some(r) = svc.principals.get(&id) {
        if r.session
            .as_ref()
            .is_some_and(|s| !expired(now, s, svc.config.session_idle))
        {
            return Ok(Some(with_ip(r.signed, ip)));
        }
    }
    let mut c = svc.db.read().await?;
    let Some(s) = sessions::get(c.conn(), &id).await? else {
        return Ok(None);
    };
    if expired(now, &s, svc.config.session_idle) {
        drop(c);
        let mut tx = svc.db.begin().await?;
        sessions::delete(tx.conn(), &id).await?;
        tx.commit().await?;
        return Ok(None);
    }
    let Some(user) = users::get(c.conn(), s.user_id)
        .await?
        .filter(|u| !u.disabled)
    else {
        return Ok(None);
    };
    let b = bindings(c.conn(), user.id).await?;
    drop(c);
    // Touch at most once a minute: a write per request would serialise every reader on SQLite.
    if now - s.last_seen_at >= chrono::Duration::seconds(60) {
        let mut tx = svc.db.begin().await?;
        sessions::touch(tx.conn(), &id, now).await?;
        tx.commit().await?;
    }
    let must_enroll_totp = !s.pending_totp && must_enroll(svc, &user, &b);
    let actor = Actor::user(user.id, user.username.clone(), b, ip.map(str::to_owned));
    let signed = SignedIn {
        must_enroll_totp,
        pending_totp: s.pending_totp,
        user,
        actor,
        session_id: Some(id.clone()),
        scope_org_id: s.scope_org_id,
    };
    svc.principals.put(
        id,
        Resolved {
            signed: signed.clone(),
            session: Some(s),
        },
    );
    Ok(Some(signed))
}

/// A principal reused from the cache, with this request's address.
fn with_ip(mut signed: SignedIn, ip: Option<&str>) -> SignedIn {
    signed.actor.ip = ip.map(str::to_owned);
    signed
}

/// Resolves an API token (`Authorization: Bearer …`): same scope as its owner.
pub async fn api_token(
    svc: &Services,
    token: &str,
    ip: Option<&str>,
) -> ServiceResult<Option<SignedIn>> {
    let hash = sha256_hex(token.trim());
    let now = svc.now();
    if let Some(r) = svc.principals.get(&hash) {
        return Ok(Some(with_ip(r.signed, ip)));
    }
    let mut c = svc.db.read().await?;
    let Some(t) = users::token_by_hash(c.conn(), &hash).await? else {
        return Ok(None);
    };
    let Some(user) = users::get(c.conn(), t.user_id)
        .await?
        .filter(|u| !u.disabled)
    else {
        return Ok(None);
    };
    let b = bindings(c.conn(), user.id).await?;
    drop(c);
    if t.last_used_at
        .is_none_or(|at| now - at >= chrono::Duration::seconds(60))
    {
        let mut tx = svc.db.begin().await?;
        users::touch_token(tx.conn(), t.id, now).await?;
        tx.commit().await?;
    }
    let must_enroll_totp = must_enroll(svc, &user, &b);
    let actor = Actor::user(
        user.id,
        format!("{} (token {})", user.username, t.prefix),
        b,
        ip.map(str::to_owned),
    );
    let signed = SignedIn {
        pending_totp: false,
        must_enroll_totp,
        user,
        actor,
        session_id: None,
        scope_org_id: None,
    };
    svc.principals.put(
        hash,
        Resolved {
            signed: signed.clone(),
            session: None,
        },
    );
    Ok(Some(signed))
}

/// Changes one's own password; the current one must be given.
pub async fn change_password(
    svc: &Services,
    signed: &SignedIn,
    current: &str,
    new: &str,
) -> ServiceResult<()> {
    let mut v = Validation::new();
    if !verify_password(current, &signed.user.password_hash) {
        v.add("current_password", "wrong_password");
    }
    let policy = svc.config.password_policy;
    if let Err(code) = password::check(new, &signed.user.username, policy) {
        v.add("new_password", code);
    } else if current == new {
        v.add("new_password", "password_unchanged");
    } else if policy.history() > 1 {
        let earlier = {
            let mut c = svc.db.read().await?;
            users::earlier_password_hashes(c.conn(), signed.user.id, policy.history() as i64 - 1)
                .await?
        };
        if earlier.iter().any(|h| verify_password(new, h)) {
            v.add("new_password", "password_reused");
        }
    }
    v.into_result()?;
    let hash = hash_password(new)?;
    let mut tx = svc.db.begin().await?;
    users::set_password(tx.conn(), signed.user.id, &hash, false, svc.now()).await?;
    // Whoever held the old password elsewhere is signed out; this session goes on.
    sessions::delete_others(tx.conn(), signed.user.id, signed.session_id.as_deref()).await?;
    audit::record::<(), ()>(
        svc,
        tx.conn(),
        &signed.actor,
        Change {
            action: "user.change_password",
            object_type: "user",
            object_id: Some(signed.user.id.to_string()),
            org_path: None,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(())
}

/// Sets the interface language of one's own account.
pub async fn set_locale(svc: &Services, signed: &SignedIn, locale: &str) -> ServiceResult<()> {
    if !matches!(locale, "zh-CN" | "en") {
        return Err(crate::error::invalid("locale", "unknown_locale"));
    }
    let mut tx = svc.db.begin().await?;
    users::set_locale(tx.conn(), signed.user.id, locale).await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(())
}

/// Remembers the org chosen in the scope switcher; it must lie within the user's reach.
pub async fn set_scope(
    svc: &Services,
    signed: &SignedIn,
    org_id: Option<i64>,
) -> ServiceResult<()> {
    let Some(session) = &signed.session_id else {
        return Err(ServiceError::Forbidden);
    };
    if let Some(id) = org_id {
        crate::orgs::get(svc, &signed.actor, id).await?;
    }
    let mut tx = svc.db.begin().await?;
    sessions::set_scope(tx.conn(), session, org_id).await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(())
}

/// A new API token for oneself: the secret is returned once and never again.
pub async fn create_token(
    svc: &Services,
    signed: &SignedIn,
    name: &str,
) -> ServiceResult<(i64, String)> {
    let mut v = Validation::new();
    v.text("name", name, 100);
    v.into_result()?;
    let secret = format!("ldt_{}", random_hex(24));
    let prefix: String = secret.chars().take(10).collect();
    let mut tx = svc.db.begin().await?;
    let id = users::create_token(
        tx.conn(),
        signed.user.id,
        name.trim(),
        &sha256_hex(&secret),
        &prefix,
        svc.now(),
    )
    .await?;
    audit::record::<(), serde_json::Value>(
        svc,
        tx.conn(),
        &signed.actor,
        Change {
            action: "token.create",
            object_type: "api_token",
            object_id: Some(id.to_string()),
            org_path: None,
            before: None,
            after: Some(&serde_json::json!({ "name": name.trim(), "prefix": prefix })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((id, secret))
}

pub async fn list_tokens(svc: &Services, signed: &SignedIn) -> ServiceResult<Vec<users::ApiToken>> {
    let mut c = svc.db.read().await?;
    Ok(users::tokens(c.conn(), signed.user.id).await?)
}

pub async fn revoke_token(svc: &Services, signed: &SignedIn, id: i64) -> ServiceResult<()> {
    let mut tx = svc.db.begin().await?;
    if users::revoke_token(tx.conn(), signed.user.id, id, svc.now()).await? == 0 {
        return Err(ServiceError::NotFound("api_token"));
    }
    audit::record::<(), ()>(
        svc,
        tx.conn(),
        &signed.actor,
        Change {
            action: "token.revoke",
            object_type: "api_token",
            object_id: Some(id.to_string()),
            org_path: None,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(())
}

/// On first start with no accounts: one system administrator with a random one-time password,
/// returned so that it can be printed once. Only its hash is stored.
pub async fn bootstrap_admin(svc: &Services) -> ServiceResult<Option<(String, String)>> {
    let mut tx = svc.db.begin().await?;
    if users::count(tx.conn()).await? > 0 {
        return Ok(None);
    }
    let pw = random_password();
    let now = svc.now();
    let created = users::create(
        tx.conn(),
        &users::NewUser {
            username: "admin",
            display_name: "系统管理员",
            org_id: None,
            password_hash: &hash_password(&pw)?,
            must_change_password: true,
            locale: "zh-CN",
        },
        now,
    )
    .await;
    let id = match created {
        Ok(id) => id,
        // Several instances started together on a new database: another one made it first.
        Err(luodi_store::StoreError::Unique(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    users::add_binding(tx.conn(), id, Role::SystemAdmin.as_str(), None, None, now).await?;
    audit::record::<(), serde_json::Value>(
        svc,
        tx.conn(),
        &Actor::cli(),
        Change {
            action: "user.bootstrap",
            object_type: "user",
            object_id: Some(id.to_string()),
            org_path: None,
            before: None,
            after: Some(&serde_json::json!({ "username": "admin", "role": "system_admin" })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(("admin".to_owned(), pw)))
}
