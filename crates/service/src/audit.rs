//! Writing and reading the audit trail. Every change writes its record in the same transaction
//! as the change; logins and refusals write one of their own.

use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::role::Permission;
use luodi_store::audit::{AuditFilter, AuditRecord, NewAudit};
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
        },
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
    let r = async {
        let mut tx = svc.db.begin().await?;
        luodi_store::audit::append(
            tx.conn(),
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
            },
        )
        .await?;
        tx.commit().await
    }
    .await;
    if let Err(err) = r {
        tracing::error!(error = %err, action = e.action, "could not write audit event");
    }
}

/// Records a refused HTTP request (`request` is "METHOD /path", `code` the refusal's code).
pub async fn refusal(
    svc: &Services,
    actor_id: Option<i64>,
    actor_name: &str,
    ip: Option<&str>,
    request: &str,
    code: &str,
) {
    let r = async {
        let mut tx = svc.db.begin().await?;
        luodi_store::audit::append(
            tx.conn(),
            NewAudit {
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
            },
        )
        .await?;
        tx.commit().await
    }
    .await;
    if let Err(err) = r {
        tracing::error!(error = %err, "could not write audit record of a refusal");
    }
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
