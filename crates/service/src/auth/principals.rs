//! Sessions and API tokens resolved to a signed-in account, with a short-lived cache.

use super::*;

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

pub(super) fn expired(
    now: DateTime<Utc>,
    s: &sessions::Session,
    idle: std::time::Duration,
) -> bool {
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
    pub(super) seen: std::sync::Mutex<HashMap<String, (std::time::Instant, Resolved)>>,
}

#[derive(Clone)]
pub(super) struct Resolved {
    pub(super) signed: SignedIn,
    /// The session as read, for its idle and absolute timeouts.
    pub(super) session: Option<sessions::Session>,
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
pub(super) fn with_ip(mut signed: SignedIn, ip: Option<&str>) -> SignedIn {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    /// Opened at 09:00, last seen at `last_seen`, ending at 17:00 whatever happens.
    fn session(last_seen: &str) -> sessions::Session {
        sessions::Session {
            id: "hash".into(),
            user_id: 7,
            scope_org_id: None,
            created_at: utc("2026-09-01T09:00:00Z"),
            last_seen_at: utc(last_seen),
            expires_at: utc("2026-09-01T17:00:00Z"),
            pending_totp: false,
        }
    }

    #[test]
    fn a_session_ends_after_its_idle_time_or_at_its_absolute_end() {
        let idle = std::time::Duration::from_secs(30 * 60);
        let s = session("2026-09-01T10:00:00Z");
        assert!(!expired(utc("2026-09-01T10:29:59Z"), &s, idle));
        assert!(expired(utc("2026-09-01T10:30:00Z"), &s, idle));

        // Busy to the last minute, it still ends at 17:00.
        let s = session("2026-09-01T16:55:00Z");
        assert!(!expired(utc("2026-09-01T16:59:59Z"), &s, idle));
        assert!(expired(utc("2026-09-01T17:00:00Z"), &s, idle));
    }
}
