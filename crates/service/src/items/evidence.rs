//! Evidence files: checked, stored before their row commits, served, and swept when no row
//! references them.

use super::*;

/// Checks an uploaded file (size, kind by content among `allowed`) and writes it to the file
/// store, before the row that references it commits.
pub(crate) async fn store_file(
    svc: &Services,
    bytes: &[u8],
    file_name: &str,
    allowed: &[luodi_store::files::Kind],
) -> ServiceResult<luodi_store::files::StoredFile> {
    use luodi_store::files::{FileError, Policy};
    let policy = Policy {
        max_bytes: svc.config.max_upload_bytes,
        allowed: allowed.to_vec(),
    };
    svc.files
        .put(bytes, file_name, &policy)
        .await
        .map_err(|e| match e {
            FileError::TooLarge { max } => {
                ServiceError::Import(luodi_office::ImportError::TooLarge { max_bytes: max })
            }
            FileError::Empty => invalid("file", "required"),
            FileError::NotAllowed { .. } => invalid("file", "file_type_not_allowed"),
            FileError::Mismatch { .. } => invalid("file", "file_type_mismatch"),
            FileError::Io(e) => ServiceError::Internal(format!("storing a file: {e}")),
            FileError::NotFound => ServiceError::NotFound("file"),
        })
}

/// Stores an evidence file for an item (the file is written atomically, named by its hash,
/// before the row that references it commits) and counts it.
pub async fn add_evidence(
    svc: &Services,
    actor: &Actor,
    id: i64,
    bytes: &[u8],
    file_name: &str,
) -> ServiceResult<items::Attachment> {
    {
        let mut c = svc.db.read().await?;
        let it = visible(c.conn(), actor, id).await?.item;
        if !standing(actor, &it).responsible_unit {
            return Err(ServiceError::Refused(Refusal::NotResponsible.code()));
        }
        if !matches!(status_of(&it), Status::Assigned | Status::InProgress) {
            return Err(ServiceError::Conflict(Refusal::WrongStatus.code()));
        }
    }
    let stored = store_file(svc, bytes, file_name, &luodi_store::files::Kind::ALL).await?;
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    let before = visible(tx.conn(), actor, id).await?.item;
    // Checked again inside the write transaction: the item may have moved on meanwhile.
    if !standing(actor, &before).responsible_unit
        || !matches!(status_of(&before), Status::Assigned | Status::InProgress)
    {
        return Err(ServiceError::Conflict(Refusal::WrongStatus.code()));
    }
    let a = items::Attachment {
        id: 0,
        item_id: id,
        sha256: stored.sha256.clone(),
        size: stored.size as i64,
        content_type: stored.content_type.to_owned(),
        file_name: stored.file_name.clone(),
        uploaded_by: actor.name.clone(),
        uploaded_at: now,
    };
    let aid = items::add_attachment(tx.conn(), &a).await?;
    let mut after = before.clone();
    after.evidence_count += 1;
    after.updated_at = now;
    if !items::update(tx.conn(), &after, before.version).await? {
        return Err(ServiceError::Stale {
            current: before.version + 1,
        });
    }
    items::add_event(
        tx.conn(),
        &NewEvent {
            item_id: id,
            at: now,
            actor_id: actor.user_id,
            actor_name: &actor.name,
            action: "add_evidence",
            from_status: &before.status,
            to_status: &before.status,
            reason: "",
            data_json: Some(
                serde_json::json!({ "file_name": a.file_name, "sha256": a.sha256, "size": a.size })
                    .to_string(),
            ),
        },
    )
    .await?;
    audit::record::<(), items::Attachment>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "item.add_evidence",
            object_type: "item",
            object_id: Some(id.to_string()),
            org_path: Some(before.lead_org_path.clone()),
            before: None,
            after: Some(&a),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(items::Attachment { id: aid, ..a })
}

/// An evidence file the actor may read: its row and its bytes.
pub async fn evidence(
    svc: &Services,
    actor: &Actor,
    attachment_id: i64,
) -> ServiceResult<(items::Attachment, Vec<u8>)> {
    let mut c = svc.db.read().await?;
    let a = items::attachment(c.conn(), attachment_id)
        .await?
        .ok_or(ServiceError::NotFound("file"))?;
    // The file is visible exactly when its item is.
    visible(c.conn(), actor, a.item_id)
        .await
        .map_err(|_| ServiceError::NotFound("file"))?;
    drop(c);
    let bytes = svc
        .files
        .read(&a.sha256)
        .await
        .map_err(|_| ServiceError::NotFound("file"))?;
    Ok((a, bytes))
}

/// Removes stored files no row references (older than `grace`, so a file written just before
/// its row commits is never taken).
pub async fn sweep_files(
    svc: &Services,
    grace: std::time::Duration,
) -> ServiceResult<luodi_store::files::SweepReport> {
    let referenced: std::collections::HashSet<String> = {
        let mut c = svc.db.read().await?;
        let mut all = items::referenced_files(c.conn()).await?;
        // Photos of information submissions live in the same store.
        all.extend(luodi_store::briefings::referenced_files(c.conn()).await?);
        // And the attachments of work plans.
        all.extend(luodi_store::organisation::referenced_files(c.conn()).await?);
        // And the archives of purged audit records.
        all.extend(luodi_store::audit::referenced_files(c.conn()).await?);
        all.into_iter().collect()
    };
    svc.files
        .sweep(&referenced, grace)
        .await
        .map_err(|e| ServiceError::Internal(format!("sweeping files: {e}")))
}
