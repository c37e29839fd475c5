//! Signing in: the password, then the pending steps in their order (a second factor, a
//! required password change, enrolment).

use super::*;

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
pub(super) fn must_enroll(svc: &Services, user: &User, b: &[Binding]) -> bool {
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
