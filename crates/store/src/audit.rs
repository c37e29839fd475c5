//! The audit trail: append and browse. Nothing here updates or deletes a record.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::Sql;
use crate::{Page, Paged};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub org_path: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub ip: Option<String>,
    pub outcome: String,
}

/// A record to append.
#[derive(Debug, Clone, Default)]
pub struct NewAudit {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub org_path: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub ip: Option<String>,
    pub outcome: String,
}

pub async fn append(c: Conn<'_>, r: NewAudit) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, object_id, org_path, before_json, after_json, ip, outcome) VALUES (")
            .arg(r.at)
            .push(", ")
            .arg(r.actor_id)
            .push(", ")
            .arg(r.actor_name)
            .push(", ")
            .arg(r.action)
            .push(", ")
            .arg(r.object_type)
            .push(", ")
            .arg(r.object_id)
            .push(", ")
            .arg(r.org_path)
            .push(", ")
            .arg(r.before_json)
            .push(", ")
            .arg(r.after_json)
            .push(", ")
            .arg(r.ip)
            .push(", ")
            .arg(r.outcome)
            .push(")"),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Subtrees the reader may see; `/` sees all, including records tied to no org.
    pub scopes: Vec<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub outcome: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn audit_where(s: &mut Sql, f: &AuditFilter) {
    s.add("WHERE (");
    s.in_subtrees("a.org_path", &f.scopes);
    if f.scopes.iter().any(|p| p == "/") {
        s.add(" OR a.org_path IS NULL");
    }
    s.add(")");
    if let Some(v) = f.actor.as_deref().filter(|v| !v.is_empty()) {
        s.add(" AND a.actor_name = ").bind(v);
    }
    if let Some(v) = f.action.as_deref().filter(|v| !v.is_empty()) {
        s.add(" AND a.action = ").bind(v);
    }
    if let Some(v) = f.object_type.as_deref().filter(|v| !v.is_empty()) {
        s.add(" AND a.object_type = ").bind(v);
    }
    if let Some(v) = f.outcome.as_deref().filter(|v| !v.is_empty()) {
        s.add(" AND a.outcome = ").bind(v);
    }
    if let Some(v) = f.from {
        s.add(" AND a.at >= ").bind(v);
    }
    if let Some(v) = f.to {
        s.add(" AND a.at < ").bind(v);
    }
}

pub async fn list(c: Conn<'_>, f: &AuditFilter, page: Page) -> StoreResult<Paged<AuditRecord>> {
    let mut count = Sql::new("SELECT COUNT(*) FROM audit_log a ");
    audit_where(&mut count, f);
    let mut s = Sql::new(
        "SELECT a.id, a.at, a.actor_id, a.actor_name, a.action, a.object_type, a.object_id, a.org_path, a.before_json, a.after_json, a.ip, a.outcome FROM audit_log a ",
    );
    audit_where(&mut s, f);
    s.add(" ORDER BY a.id DESC");
    db::fetch_page(c, count, s, page).await
}

pub async fn count(c: Conn<'_>) -> StoreResult<i64> {
    db::scalar_i64(c, Sql::new("SELECT COUNT(*) FROM audit_log")).await
}
