//! The audit trail: append, browse, seal, verify and purge. Records are never changed: the
//! sealer fills in a record's place in the chain once, and a purge removes only what it
//! archived (the database's triggers refuse anything else; see migration 0022).

use crate::db::{self, Conn};
use crate::dialect;
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
    /// Its place in the chain, once sealed.
    pub seq: Option<i64>,
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
    /// Random, unique: no two records have the same MAC.
    pub nonce: String,
    /// HMAC-SM3 over the content and the nonce (`luodi_domain::audit_chain::row_mac`).
    pub row_mac: String,
}

pub async fn append(c: Conn<'_>, r: NewAudit) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, object_id, org_path, before_json, after_json, ip, outcome, nonce, row_mac) VALUES (")
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
            .push(", ")
            .arg(r.nonce)
            .push(", ")
            .arg(r.row_mac)
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
        "SELECT a.id, a.at, a.actor_id, a.actor_name, a.action, a.object_type, a.object_id, a.org_path, a.before_json, a.after_json, a.ip, a.outcome, a.seq FROM audit_log a ",
    );
    audit_where(&mut s, f);
    s.add(" ORDER BY a.id DESC");
    db::fetch_page(c, count, s, page).await
}

pub async fn count(c: Conn<'_>) -> StoreResult<i64> {
    db::scalar_i64(c, Sql::new("SELECT COUNT(*) FROM audit_log")).await
}

// ----- the chain -----

/// A record with everything its MACs cover.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChainRow {
    #[sqlx(flatten)]
    pub record: AuditRecord,
    pub nonce: Option<String>,
    pub row_mac: Option<String>,
    pub mac: Option<String>,
}

const CHAIN_COLUMNS: &str = "SELECT id, at, actor_id, actor_name, action, object_type, object_id, org_path, before_json, after_json, ip, outcome, nonce, row_mac, seq, mac FROM audit_log ";

/// The chain's head: the last sealed record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Head {
    pub last_seq: i64,
    pub last_mac: String,
    /// Records up to this id were written before row MACs.
    pub legacy_max_id: i64,
}

/// Reads the head, locking it for the rest of the transaction on PostgreSQL (SQLite's one
/// writer already keeps sealers apart).
pub async fn lock_head(c: Conn<'_>) -> StoreResult<Head> {
    let lock = dialect::for_update(c.backend());
    let s = Sql::new("SELECT last_seq, last_mac, legacy_max_id FROM audit_chain WHERE id = 1");
    db::fetch_one(c, s.push(lock)).await
}

pub async fn head(c: Conn<'_>) -> StoreResult<Head> {
    db::fetch_one(
        c,
        Sql::new("SELECT last_seq, last_mac, legacy_max_id FROM audit_chain WHERE id = 1"),
    )
    .await
}

pub async fn set_head(c: Conn<'_>, seq: i64, mac: &str) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE audit_chain SET last_seq = ")
            .arg(seq)
            .push(", last_mac = ")
            .arg(mac)
            .push(" WHERE id = 1"),
    )
    .await?;
    Ok(())
}

/// Unsealed records after `after_id`, in id order. With `sealable_only`, on PostgreSQL only
/// those whose transaction is older than every running one: no record can commit before them
/// any more, so sealing in this order is sealing in commit order.
pub async fn unsealed(
    c: Conn<'_>,
    after_id: i64,
    limit: i64,
    sealable_only: bool,
) -> StoreResult<Vec<ChainRow>> {
    let mut s = Sql::new(CHAIN_COLUMNS);
    s.add("WHERE seq IS NULL AND id > ").bind(after_id);
    if let Some(horizon) = dialect::committed_before_running(c.backend()).filter(|_| sealable_only)
    {
        s.add(horizon);
    }
    s.add(" ORDER BY id LIMIT ").bind(limit);
    db::fetch_all(c, s).await
}

/// Sealed records with `after_seq < seq <= up_to`, in sequence order.
pub async fn sealed(
    c: Conn<'_>,
    after_seq: i64,
    up_to: i64,
    limit: i64,
) -> StoreResult<Vec<ChainRow>> {
    let mut s = Sql::new(CHAIN_COLUMNS);
    s.add("WHERE seq > ")
        .bind(after_seq)
        .add(" AND seq <= ")
        .bind(up_to)
        .add(" ORDER BY seq LIMIT ")
        .bind(limit);
    db::fetch_all(c, s).await
}

/// Gives a record its place in the chain (and, for a record from before row MACs, its MAC).
pub async fn seal(
    c: Conn<'_>,
    id: i64,
    seq: i64,
    mac: &str,
    legacy: Option<(&str, &str)>,
) -> StoreResult<()> {
    let mut s = Sql::new("UPDATE audit_log SET seq = ");
    s.bind(seq).add(", mac = ").bind(mac);
    if let Some((nonce, row_mac)) = legacy {
        s.add(", nonce = ")
            .bind(nonce)
            .add(", row_mac = ")
            .bind(row_mac);
    }
    s.add(" WHERE id = ").bind(id).add(" AND seq IS NULL");
    db::execute(c, s).await?;
    Ok(())
}

/// The first sequence number of a record at or after `at`.
pub async fn first_seq_from(c: Conn<'_>, at: DateTime<Utc>) -> StoreResult<Option<i64>> {
    let row: (Option<i64>,) = db::fetch_one(
        c,
        Sql::new("SELECT MIN(seq) FROM audit_log WHERE seq IS NOT NULL AND at >= ").arg(at),
    )
    .await?;
    Ok(row.0)
}

/// A purge: what went to which archive, and where the chain goes on from.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Purge {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub before: DateTime<Utc>,
    pub from_seq: i64,
    pub up_to_seq: i64,
    pub anchor_mac: String,
    pub records: i64,
    pub archive_sha256: String,
    pub archive_name: String,
    pub mac: String,
}

#[derive(Debug, Clone)]
pub struct NewPurge {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub before: DateTime<Utc>,
    pub from_seq: i64,
    pub up_to_seq: i64,
    pub anchor_mac: String,
    pub records: i64,
    pub archive_sha256: String,
    pub archive_name: String,
    pub mac: String,
}

pub async fn purges(c: Conn<'_>) -> StoreResult<Vec<Purge>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, at, actor_id, actor_name, before, from_seq, up_to_seq, anchor_mac, records, archive_sha256, archive_name, mac FROM audit_purges ORDER BY id"),
    )
    .await
}

/// Records the purge, then removes the records it archived (the trigger allows no other).
pub async fn purge(mut c: Conn<'_>, p: NewPurge) -> StoreResult<u64> {
    db::execute(
        c.re(),
        Sql::new("INSERT INTO audit_purges (at, actor_id, actor_name, before, from_seq, up_to_seq, anchor_mac, records, archive_sha256, archive_name, mac) VALUES (")
            .values([
                p.at.into(),
                p.actor_id.into(),
                p.actor_name.into(),
                p.before.into(),
                p.from_seq.into(),
                p.up_to_seq.into(),
                p.anchor_mac.into(),
                p.records.into(),
                p.archive_sha256.into(),
                p.archive_name.into(),
                p.mac.into(),
            ])
            .push(")"),
    )
    .await?;
    db::execute(
        c,
        Sql::new("DELETE FROM audit_log WHERE seq <= ").arg(p.up_to_seq),
    )
    .await
}

/// Archive files the purges refer to (kept by a sweep of the file store).
pub async fn referenced_files(c: Conn<'_>) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> = db::fetch_all(
        c,
        Sql::new("SELECT DISTINCT archive_sha256 FROM audit_purges"),
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// How many records written before `before` still wait to be sealed into the chain.
pub async fn unsealed_count(c: Conn<'_>, before: DateTime<Utc>) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("SELECT COUNT(*) FROM audit_log WHERE seq IS NULL AND at < ").arg(before),
    )
    .await
}
