//! The chain: records sealed in order under a keyed MAC, verified (against a head written
//! down earlier), and purged into an archive that keeps the chain checkable.

use super::*;

use luodi_store::audit::{ChainRow, NewPurge};

pub(super) fn content_of<'a>(r: &'a ChainRow, nonce: &'a str) -> Content<'a> {
    content!(r.record, nonce)
}

pub(super) fn legacy_nonce(id: i64) -> String {
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

pub(super) const SEAL_BATCH: i64 = 2000;

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
pub(super) async fn log_head(svc: &Services) -> ServiceResult<()> {
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
pub(super) fn audits_everything(actor: &Actor, p: Permission) -> bool {
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

pub(super) const VERIFY_BATCH: i64 = 5000;

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

#[cfg(test)]
mod tests {
    use super::*;
    use luodi_domain::role::{Binding, Role};

    fn refused_at_head(typed: &str) -> bool {
        matches!(
            anchor(Some(typed)),
            Err(ServiceError::Validation(v))
                if v == luodi_domain::Validation::single("head", "bad_chain_head")
        )
    }

    #[test]
    fn a_written_down_head_is_seq_colon_hex_mac_and_anything_else_is_refused_at_head() {
        assert_eq!(anchor(None).expect("none"), None);
        assert_eq!(anchor(Some("  ")).expect("blank"), None);
        assert_eq!(
            anchor(Some(" 4211 : 9F3A0c ")).expect("parsed"),
            Some(audit_chain::Anchor {
                seq: 4211,
                mac: "9f3a0c".into(),
            })
        );
        assert_eq!(
            anchor(Some("0:ab")).expect("parsed"),
            Some(audit_chain::Anchor {
                seq: 0,
                mac: "ab".into(),
            })
        );
        for bad in [
            "4211",
            "4211:",
            ":9f3a",
            "-1:9f3a",
            "x:9f3a",
            "4211:9g3a",
            "4211:9f 3a",
        ] {
            assert!(refused_at_head(bad), "{bad:?} should be refused");
        }
    }

    #[test]
    fn only_an_audit_reader_of_the_whole_tree_audits_the_chain() {
        let auditor = |path: &str| {
            Actor::user(
                2,
                "audit".into(),
                vec![Binding {
                    role: Role::AuditAdmin,
                    org_id: None,
                    scope_path: path.into(),
                }],
                None,
            )
        };
        assert!(audits_everything(&auditor("/"), Permission::ReadAudit));
        assert!(!audits_everything(&auditor("/1/"), Permission::ReadAudit));
        assert!(!audits_everything(&auditor("/"), Permission::ManageOrgs));
        assert!(audits_everything(&Actor::cli(), Permission::ReadAudit));
    }
}
