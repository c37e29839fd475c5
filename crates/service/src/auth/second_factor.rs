//! Enrolling a second factor (TOTP), its secret sealed.

use super::*;

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

pub(super) fn setup_of(svc: &Services, user: &User) -> Option<TotpSetup> {
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
