//! Writing and reading the audit trail. Every change writes its record in the same transaction
//! as the change; logins and refusals write one of their own.

// What callers of this service see of its storage.
use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::audit_chain::{self, Break, Content, Sealed};
use luodi_domain::role::Permission;
use luodi_store::audit::NewAudit;
pub use luodi_store::audit::{AuditFilter, AuditRecord, Purge};
use luodi_store::{Conn, Page, Paged};
use serde::Serialize;

/// What changed, for one record.
pub struct Change<'a, B: Serialize, A: Serialize> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<String>,
    pub org_path: Option<String>,
    pub before: Option<&'a B>,
    pub after: Option<&'a A>,
}

/// What the MACs cover, from anything with the audit record's fields.
macro_rules! content {
    ($r:expr, $nonce:expr) => {
        Content {
            at_micros: $r.at.timestamp_micros(),
            actor_id: $r.actor_id,
            actor_name: &$r.actor_name,
            action: &$r.action,
            object_type: &$r.object_type,
            object_id: $r.object_id.as_deref(),
            org_path: $r.org_path.as_deref(),
            before_json: $r.before_json.as_deref(),
            after_json: $r.after_json.as_deref(),
            ip: $r.ip.as_deref(),
            outcome: &$r.outcome,
            nonce: $nonce,
        }
    };
}

/// The record as luodi writes it: its time to the microsecond (what both databases keep), a
/// fresh nonce, and the row MAC over both.
fn signed(svc: &Services, mut r: NewAudit) -> NewAudit {
    use chrono::SubsecRound;
    r.at = r.at.trunc_subsecs(6);
    r.nonce = crate::secrets::random_hex(16);
    r.row_mac = audit_chain::row_mac(&svc.config.audit_key, &content_of_new(&r));
    r
}

fn content_of_new(r: &NewAudit) -> Content<'_> {
    content!(r, &r.nonce)
}

fn json<T: Serialize>(v: Option<&T>) -> Option<String> {
    v.and_then(|v| serde_json::to_string(v).ok())
}

/// Appends a record of a successful change, inside the caller's transaction.
pub async fn record<B: Serialize, A: Serialize>(
    svc: &Services,
    c: Conn<'_>,
    actor: &Actor,
    change: Change<'_, B, A>,
) -> ServiceResult<()> {
    luodi_store::audit::append(
        c,
        signed(
            svc,
            NewAudit {
                at: svc.now(),
                actor_id: actor.user_id,
                actor_name: actor.name.clone(),
                action: change.action.to_owned(),
                object_type: change.object_type.to_owned(),
                object_id: change.object_id,
                org_path: change.org_path,
                before_json: json(change.before),
                after_json: json(change.after),
                ip: actor.ip.clone(),
                outcome: "ok".to_owned(),
                ..Default::default()
            },
        ),
    )
    .await?;
    Ok(())
}

/// An event that is not a change of data: a login, a logout, a refusal.
pub struct Event<'a> {
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub ip: Option<&'a str>,
    pub action: &'a str,
    pub object_id: Option<i64>,
    pub org_path: Option<String>,
    pub outcome: &'a str,
}

/// Records an event about an account in its own transaction. Failing to write it is logged and
/// never hides the original outcome.
pub async fn event(svc: &Services, e: Event<'_>) {
    let action = e.action.to_owned();
    let r = async {
        let mut tx = svc.db.begin().await?;
        event_in(svc, tx.conn(), e).await?;
        tx.commit().await?;
        Ok::<_, ServiceError>(())
    }
    .await;
    if let Err(err) = r {
        tracing::error!(error = %err, action, "could not write audit event");
    }
}

/// Records an event about an account inside the caller's transaction.
pub async fn event_in(svc: &Services, c: Conn<'_>, e: Event<'_>) -> ServiceResult<()> {
    luodi_store::audit::append(
        c,
        signed(
            svc,
            NewAudit {
                at: svc.now(),
                actor_id: e.actor_id,
                actor_name: e.actor_name.to_owned(),
                action: e.action.to_owned(),
                object_type: "user".to_owned(),
                object_id: e.object_id.map(|id| id.to_string()),
                org_path: e.org_path,
                before_json: None,
                after_json: None,
                ip: e.ip.map(str::to_owned),
                outcome: e.outcome.to_owned(),
                ..Default::default()
            },
        ),
    )
    .await?;
    Ok(())
}

/// Whose refusals are counted together: an account, or an address for requests signed by
/// no one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RefusalKey {
    pub actor_id: Option<i64>,
    /// The account's name, or the address.
    pub who: String,
}

/// Records a refused request (`request` is "METHOD /path", `code` the refusal's code), at most
/// a few a minute per account or address: the rest are counted, and the count is written when
/// the minute is over ([`flush_refusals`]).
pub async fn refusal(
    svc: &Services,
    actor_id: Option<i64>,
    actor_name: &str,
    ip: Option<&str>,
    request: &str,
    code: &str,
) {
    let key = RefusalKey {
        actor_id,
        who: match actor_id {
            Some(_) => actor_name.to_owned(),
            None => ip.unwrap_or(actor_name).to_owned(),
        },
    };
    let admit = svc
        .refusals
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .admit(&key, svc.now());
    if admit == luodi_domain::refusals::Admit::Count {
        return;
    }
    let r = NewAudit {
        at: svc.now(),
        actor_id,
        actor_name: actor_name.to_owned(),
        action: "request.refused".to_owned(),
        object_type: "http".to_owned(),
        object_id: Some(request.chars().take(300).collect()),
        org_path: None,
        before_json: None,
        after_json: Some(serde_json::json!({ "code": code }).to_string()),
        ip: ip.map(str::to_owned),
        outcome: "refused".to_owned(),
        ..Default::default()
    };
    if let Err(err) = append_alone(svc, r).await {
        tracing::error!(error = %err, "could not write audit record of a refusal");
    }
}

/// Writes the counts of refusals left unwritten in windows that have ended: one record per
/// account or address, `request.refused.more` with the count.
pub async fn flush_refusals(svc: &Services) -> ServiceResult<()> {
    let ended = svc
        .refusals
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .ended(svc.now());
    for u in ended {
        let r = NewAudit {
            at: svc.now(),
            actor_id: u.key.actor_id,
            actor_name: u.key.who.clone(),
            action: "request.refused.more".to_owned(),
            object_type: "http".to_owned(),
            object_id: None,
            org_path: None,
            before_json: None,
            after_json: Some(serde_json::json!({ "count": u.count, "since": u.since }).to_string()),
            ip: u.key.actor_id.is_none().then(|| u.key.who.clone()),
            outcome: "refused".to_owned(),
            ..Default::default()
        };
        append_alone(svc, r).await?;
    }
    Ok(())
}

/// A download of data out of luodi (an export, a document, an evidence file): who took which
/// file from where. Its record must be written before the file is handed out.
pub async fn export(
    svc: &Services,
    actor_id: Option<i64>,
    actor_name: &str,
    ip: Option<&str>,
    request: &str,
    file_name: &str,
    bytes: u64,
) -> ServiceResult<()> {
    append_alone(
        svc,
        NewAudit {
            at: svc.now(),
            actor_id,
            actor_name: actor_name.to_owned(),
            action: "data.export".to_owned(),
            object_type: "http".to_owned(),
            object_id: Some(request.chars().take(300).collect()),
            org_path: None,
            before_json: None,
            after_json: Some(
                serde_json::json!({ "file_name": file_name, "bytes": bytes }).to_string(),
            ),
            ip: ip.map(str::to_owned),
            outcome: "ok".to_owned(),
            ..Default::default()
        },
    )
    .await
}

/// Appends one record in a transaction of its own.
async fn append_alone(svc: &Services, r: NewAudit) -> ServiceResult<()> {
    let mut tx = svc.db.begin().await?;
    luodi_store::audit::append(tx.conn(), signed(svc, r)).await?;
    tx.commit().await?;
    Ok(())
}

/// Browses the trail: the audit administrator only, within their scope.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    mut filter: AuditFilter,
    page: Page,
) -> ServiceResult<Paged<AuditRecord>> {
    if !actor.can_somewhere(Permission::ReadAudit) {
        return Err(ServiceError::Forbidden);
    }
    filter.scopes = actor.scopes(Permission::ReadAudit);
    let mut c = svc.db.read().await?;
    Ok(luodi_store::audit::list(c.conn(), &filter, page).await?)
}

// After the macros above, which a module sees only when declared below them.
mod chain;
pub use chain::*;
