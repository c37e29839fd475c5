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

// ----- the chain: seal, verify, purge -----

use luodi_store::audit::{ChainRow, NewPurge};

fn content_of<'a>(r: &'a ChainRow, nonce: &'a str) -> Content<'a> {
    content!(r.record, nonce)
}

fn legacy_nonce(id: i64) -> String {
    format!("legacy-{id}")
}

/// What one sealing run did.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct SealReport {
    /// Records given their place in the chain.
    pub sealed: u64,
    /// Records left out: luodi did not write them (their row MAC is wrong or missing).
    pub refused: u64,
}

const SEAL_BATCH: i64 = 2000;

/// Seals every record that can be sealed now, in commit order. Runs in the background every
/// few seconds (see [`spawn_sealer`]); never on a request's path.
pub async fn seal(svc: &Services) -> ServiceResult<SealReport> {
    let key = &svc.config.audit_key;
    let mut report = SealReport::default();
    let mut after_id = 0;
    loop {
        let mut tx = svc.db.begin().await?;
        let head = luodi_store::audit::lock_head(tx.conn()).await?;
        let rows = luodi_store::audit::unsealed(tx.conn(), after_id, SEAL_BATCH, true).await?;
        let (mut seq, mut prev) = (head.last_seq, head.last_mac.clone());
        for r in &rows {
            after_id = r.record.id;
            let (row_mac, legacy) = match (r.row_mac.as_deref(), r.nonce.as_deref()) {
                (Some(m), Some(nonce))
                    if audit_chain::check_unsealed(key, r.record.id, &content_of(r, nonce), m)
                        .is_ok() =>
                {
                    (m.to_owned(), None)
                }
                (None, _) if r.record.id <= head.legacy_max_id => {
                    let nonce = legacy_nonce(r.record.id);
                    let m = audit_chain::row_mac(key, &content_of(r, &nonce));
                    (m.clone(), Some((nonce, m)))
                }
                _ => {
                    tracing::warn!(
                        id = r.record.id,
                        "audit record without luodi's MAC left unsealed; `luodi audit verify` reports it"
                    );
                    report.refused += 1;
                    continue;
                }
            };
            seq += 1;
            let mac = audit_chain::chain_mac(key, seq, &row_mac, &prev);
            luodi_store::audit::seal(
                tx.conn(),
                r.record.id,
                seq,
                &mac,
                legacy.as_ref().map(|(n, m)| (n.as_str(), m.as_str())),
            )
            .await?;
            prev = mac;
            report.sealed += 1;
        }
        if seq != head.last_seq {
            luodi_store::audit::set_head(tx.conn(), seq, &prev).await?;
        }
        tx.commit().await?;
        if (rows.len() as i64) < SEAL_BATCH {
            return Ok(report);
        }
    }
}

/// Seals in the background every `period`, in every instance (the chain head's lock keeps
/// them apart).
pub fn spawn_sealer(svc: Services, period: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut logged_on = None;
        loop {
            tick.tick().await;
            // Once a day (and at start), the head goes to the log: a copy outside the
            // database for `luodi audit verify --head`.
            let today = svc.now().date_naive();
            if logged_on != Some(today) {
                match log_head(&svc).await {
                    Ok(()) => logged_on = Some(today),
                    Err(e) => tracing::error!(error = %e, "reading the audit chain head failed"),
                }
            }
            if let Err(e) = flush_refusals(&svc).await {
                tracing::error!(error = %e, "writing the count of refusals failed");
            }
            if let Err(e) = seal(&svc).await {
                tracing::error!(error = %e, "sealing the audit trail failed");
            }
        }
    });
}

/// Writes the chain's head to the log (`SEQ:MAC`).
async fn log_head(svc: &Services) -> ServiceResult<()> {
    let mut c = svc.db.read().await?;
    let head = luodi_store::audit::head(c.conn()).await?;
    tracing::info!(
        head = %format!("{}:{}", head.last_seq, head.last_mac),
        "audit chain head (check later with luodi audit verify --head)"
    );
    Ok(())
}

/// What `verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// Sealed records whose MACs hold, in an unbroken sequence.
    pub checked: u64,
    /// Records written by luodi and not sealed yet.
    pub unsealed: u64,
    /// The chain's first sequence number (after the last purge).
    pub first_seq: i64,
    /// The head: the last sealed record's sequence number and chain MAC. Writing these down
    /// elsewhere lets a later check notice the newest records being cut off.
    pub head_seq: i64,
    pub head_mac: String,
    pub purges: usize,
    /// A head written down earlier that was checked: `Some(true)` the chain still reaches it,
    /// `Some(false)` it lies in purged records (check it against their archive).
    pub anchor: Option<bool>,
    /// The first thing found wrong, if any.
    pub problem: Option<Break>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Is this actor the audit administrator of the whole tree (the chain is one, for all orgs)?
fn audits_everything(actor: &Actor, p: Permission) -> bool {
    actor.scopes(p).iter().any(|s| s == "/")
}

/// A head as typed (`SEQ:MAC`): none when empty, a field error when it does not parse.
pub fn anchor(head: Option<&str>) -> ServiceResult<Option<audit_chain::Anchor>> {
    match head.map(str::trim).filter(|h| !h.is_empty()) {
        None => Ok(None),
        Some(h) => audit_chain::Anchor::parse(h)
            .map(Some)
            .ok_or_else(|| crate::error::invalid("head", "bad_chain_head")),
    }
}

/// Verifies the chain, for the audit administrator; and that it still reaches `anchor`, a
/// head written down earlier, if given.
pub async fn verify(
    svc: &Services,
    actor: &Actor,
    anchor: Option<&audit_chain::Anchor>,
) -> ServiceResult<Verification> {
    if !audits_everything(actor, Permission::ReadAudit) {
        return Err(ServiceError::Forbidden);
    }
    verify_chain(svc, anchor).await
}

const VERIFY_BATCH: i64 = 5000;

/// Walks the whole chain from its start (the last purge's anchor) to its head, then checks
/// that every unsealed record carries luodi's MAC. With `anchor` (a head written down outside
/// the database: a published bulletin, the daily log line), also that the chain still reaches
/// it unchanged: someone with write access to the database can cut the newest records off and
/// rewind the head, but cannot make the chain reach a head recorded elsewhere.
pub async fn verify_chain(
    svc: &Services,
    anchor: Option<&audit_chain::Anchor>,
) -> ServiceResult<Verification> {
    let key = &svc.config.audit_key;
    let mut c = svc.db.read().await?;
    let head = luodi_store::audit::head(c.conn()).await?;
    let purges = luodi_store::audit::purges(c.conn()).await?;
    let mut out = Verification {
        checked: 0,
        unsealed: 0,
        first_seq: 1,
        head_seq: head.last_seq,
        head_mac: head.last_mac.clone(),
        purges: purges.len(),
        anchor: None,
        problem: None,
    };
    let (mut start_seq, mut start_mac) = (0, audit_chain::GENESIS.to_owned());
    for p in &purges {
        let genuine =
            audit_chain::purge_mac(key, p.up_to_seq, &p.anchor_mac, p.at.timestamp_micros())
                == p.mac;
        if !genuine || p.from_seq != start_seq + 1 || p.up_to_seq < start_seq {
            out.problem = Some(Break::ForgedPurge {
                up_to_seq: p.up_to_seq,
            });
            return Ok(out);
        }
        (start_seq, start_mac) = (p.up_to_seq, p.anchor_mac.clone());
    }
    out.first_seq = start_seq + 1;

    let mut v = audit_chain::Verifier::new(key, start_seq, &start_mac);
    let mut problem = None;
    let mut mac_at_anchor: Option<String> = None;
    'walk: loop {
        let rows =
            luodi_store::audit::sealed(c.conn(), v.last_seq(), head.last_seq, VERIFY_BATCH).await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let (Some(seq), Some(mac)) = (r.record.seq, r.mac.as_deref()) else {
                continue;
            };
            let nonce = r.nonce.as_deref().unwrap_or_default();
            let checked = v.next(&Sealed {
                id: r.record.id,
                seq,
                content: content_of(r, nonce),
                row_mac: r.row_mac.as_deref().unwrap_or_default(),
                mac,
            });
            if let Err(b) = checked {
                problem = Some(b);
                break 'walk;
            }
            if anchor.is_some_and(|a| a.seq == seq) {
                mac_at_anchor = Some(mac.to_owned());
            }
        }
    }
    out.checked = v.checked;
    if problem.is_none() {
        problem = v.finish(head.last_seq, &head.last_mac).err();
    }
    if let (None, Some(a)) = (&problem, anchor) {
        match audit_chain::check_anchor(
            a,
            (start_seq, &start_mac),
            v.last_seq(),
            mac_at_anchor.as_deref(),
        ) {
            Ok(reached) => out.anchor = Some(reached),
            Err(b) => problem = Some(b),
        }
    }
    if problem.is_none() {
        let mut after_id = 0;
        'unsealed: loop {
            let rows =
                luodi_store::audit::unsealed(c.conn(), after_id, VERIFY_BATCH, false).await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                after_id = r.record.id;
                let genuine = match (r.row_mac.as_deref(), r.nonce.as_deref()) {
                    (Some(m), Some(nonce)) => {
                        audit_chain::check_unsealed(key, r.record.id, &content_of(r, nonce), m)
                            .is_ok()
                    }
                    (None, _) => r.record.id <= head.legacy_max_id,
                    _ => false,
                };
                if !genuine {
                    problem = Some(Break::Inserted {
                        id: r.record.id,
                        seq: None,
                    });
                    break 'unsealed;
                }
                out.unsealed += 1;
            }
        }
    }
    out.problem = problem;
    Ok(out)
}

/// The purges so far, for the audit administrator.
pub async fn purges(svc: &Services, actor: &Actor) -> ServiceResult<Vec<Purge>> {
    if !audits_everything(actor, Permission::ReadAudit) {
        return Err(ServiceError::Forbidden);
    }
    let mut c = svc.db.read().await?;
    Ok(luodi_store::audit::purges(c.conn()).await?)
}

/// One purge's archive file: its name and bytes.
pub async fn purge_archive(
    svc: &Services,
    actor: &Actor,
    id: i64,
) -> ServiceResult<(String, Vec<u8>)> {
    let p = purges(svc, actor)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(ServiceError::NotFound("purge"))?;
    let bytes =
        svc.files.read(&p.archive_sha256).await.map_err(|e| {
            ServiceError::Internal(format!("audit archive {}: {e}", p.archive_sha256))
        })?;
    Ok((p.archive_name, bytes))
}

/// Archives and then removes the sealed records from before `before`, which must lie at
/// least the retention period back. The audit administrator only; the purge is audited and
/// refused while the chain does not verify (it would destroy the evidence).
pub async fn purge(
    svc: &Services,
    actor: &Actor,
    before: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<Purge> {
    use chrono::SubsecRound;
    if actor.system || !audits_everything(actor, Permission::PurgeAudit) {
        return Err(ServiceError::Forbidden);
    }
    let retention = chrono::Duration::days(i64::from(svc.config.audit_retention_days));
    if before > svc.now() - retention {
        return Err(crate::error::invalid("before", "audit_retention"));
    }
    seal(svc).await?;
    let check = verify_chain(svc, None).await?;
    if !check.ok() {
        return Err(ServiceError::Conflict("audit_chain_broken"));
    }
    let key = &svc.config.audit_key;
    let mut tx = svc.db.begin().await?;
    // Holding the head keeps the sealer out until the purge is done.
    let head = luodi_store::audit::lock_head(tx.conn()).await?;
    let (start_seq, start_mac) = luodi_store::audit::purges(tx.conn())
        .await?
        .last()
        .map(|p| (p.up_to_seq, p.anchor_mac.clone()))
        .unwrap_or((0, audit_chain::GENESIS.to_owned()));
    let up_to = match luodi_store::audit::first_seq_from(tx.conn(), before).await? {
        Some(s) => s - 1,
        None => head.last_seq,
    };
    if up_to <= start_seq {
        return Err(ServiceError::Conflict("audit_nothing_to_purge"));
    }
    // The archive: one JSON line per record, with its MACs, so it verifies on its own.
    let mut archive = Vec::new();
    let header = serde_json::json!({
        "luodi_audit_archive": 1,
        "from_seq": start_seq + 1,
        "up_to_seq": up_to,
        "previous_mac": start_mac,
        "before": before,
    });
    archive.extend_from_slice(header.to_string().as_bytes());
    archive.push(b'\n');
    let (mut last, mut anchor, mut records) = (start_seq, String::new(), 0i64);
    loop {
        let rows = luodi_store::audit::sealed(tx.conn(), last, up_to, VERIFY_BATCH).await?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            last = r.record.seq.unwrap_or(last);
            anchor = r.mac.clone().unwrap_or_default();
            records += 1;
            let mut line = serde_json::to_value(&r.record).unwrap_or_default();
            line["nonce"] = r.nonce.into();
            line["row_mac"] = r.row_mac.into();
            line["mac"] = r.mac.clone().into();
            archive.extend_from_slice(line.to_string().as_bytes());
            archive.push(b'\n');
        }
    }
    let name = format!("audit-{}-{}.txt", start_seq + 1, up_to);
    let stored = svc
        .files
        .put(
            &archive,
            &name,
            &luodi_store::files::Policy {
                max_bytes: u64::MAX,
                allowed: vec![luodi_store::files::Kind::Txt],
            },
        )
        .await
        .map_err(|e| ServiceError::Internal(format!("writing the audit archive: {e}")))?;
    let at = svc.now().trunc_subsecs(6);
    let new = NewPurge {
        at,
        actor_id: actor.user_id,
        actor_name: actor.name.clone(),
        before,
        from_seq: start_seq + 1,
        up_to_seq: up_to,
        mac: audit_chain::purge_mac(key, up_to, &anchor, at.timestamp_micros()),
        anchor_mac: anchor,
        records,
        archive_sha256: stored.sha256.clone(),
        archive_name: stored.file_name.clone(),
    };
    luodi_store::audit::purge(tx.conn(), new).await?;
    let done = serde_json::json!({
        "from_seq": start_seq + 1, "up_to_seq": up_to, "records": records,
        "before": before, "archive_sha256": stored.sha256,
    });
    record::<(), _>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "audit.purge",
            object_type: "audit",
            object_id: Some(format!("{}-{}", start_seq + 1, up_to)),
            org_path: Some("/".to_owned()),
            before: None,
            after: Some(&done),
        },
    )
    .await?;
    tx.commit().await?;
    let mut c = svc.db.read().await?;
    luodi_store::audit::purges(c.conn())
        .await?
        .pop()
        .ok_or(ServiceError::Internal("the purge vanished".into()))
}
