//! What an account changes of its own: its password, language, scope and API tokens.

use super::*;

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
