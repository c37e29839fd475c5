//! Lifecycle steps and progress notes.

use super::*;

/// Takes a lifecycle step.
pub async fn transition(
    svc: &Services,
    actor: &Actor,
    id: i64,
    action: Action,
    expected_version: i64,
) -> ServiceResult<ItemDetail> {
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    let row = visible(tx.conn(), actor, id).await?;
    let before = row.item;
    if before.version != expected_version {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    let r = item_rules(tx.conn(), before.campaign_id).await?;
    let today = local_today(now, r.tz);
    let st = standing(actor, &before);
    let mut s = state_of(&before);
    let outcome = rules::apply(&mut s, &action, st, today, r.lifecycle).map_err(refused)?;
    let mut after = before.clone();
    apply_state(&mut after, &s);
    if matches!(action, Action::Assign | Action::Reassign | Action::SignOff)
        && after.start_on.is_none()
    {
        after.start_on = Some(today);
    }
    if matches!(action, Action::Close { .. }) {
        after.progress_percent = 100;
    }
    after.updated_at = now;
    derive(&mut after, now, &r);
    let reason = match &action {
        Action::ReturnNotOurs { reason }
        | Action::SendBack { reason }
        | Action::Reopen { reason }
        | Action::RequestExtension { reason, .. }
        | Action::RejectExtension { reason }
        | Action::Suspend { reason }
        | Action::Withdraw { reason } => reason.trim().to_owned(),
        // The unit's statement of what was done, the reviewer's opinion: kept as the step's text.
        Action::RequestCloseOut { statement: text } | Action::Close { opinion: text } => {
            text.trim().to_owned()
        }
        _ => String::new(),
    };
    match &action {
        Action::RequestExtension { new_due_on, .. } => {
            items::add_extension_request(tx.conn(), id, now, &actor.name, *new_due_on, &reason)
                .await?;
        }
        Action::ApproveExtension => {
            let req =
                items::decide_extension(tx.conn(), id, "approved", now, &actor.name, "").await?;
            items::add_revision(
                tx.conn(),
                id,
                &items::Revision {
                    id: 0,
                    at: now,
                    old_due_on: before.due_on,
                    new_due_on: after.due_on,
                    reason: req.as_ref().map(|q| q.reason.clone()).unwrap_or_default(),
                    requested_by: req.map(|q| q.requested_by).unwrap_or_default(),
                    approved_by: actor.name.clone(),
                },
            )
            .await?;
        }
        Action::RejectExtension { .. } => {
            items::decide_extension(tx.conn(), id, "rejected", now, &actor.name, &reason).await?;
        }
        Action::Withdraw { .. } if before.pending_extension_on.is_some() => {
            items::decide_extension(tx.conn(), id, "withdrawn", now, &actor.name, &reason).await?;
        }
        Action::Close { .. } if before.pending_extension_on.is_some() => {
            items::decide_extension(tx.conn(), id, "moot", now, &actor.name, "").await?;
        }
        _ => {}
    }
    if !items::update(tx.conn(), &after, expected_version).await? {
        return Err(ServiceError::Stale {
            current: before.version + 1,
        });
    }
    recount(tx.conn(), Some(&before), Some(&after)).await?;
    refresh_parents(tx.conn(), after.parent_id, now, &r).await?;
    let data = match &action {
        Action::RequestExtension { new_due_on, .. } => {
            Some(serde_json::json!({ "new_due_on": new_due_on }).to_string())
        }
        Action::ApproveExtension => Some(
            serde_json::json!({ "old_due_on": before.due_on, "new_due_on": after.due_on })
                .to_string(),
        ),
        _ => None,
    };
    items::add_event(
        tx.conn(),
        &NewEvent {
            item_id: id,
            at: now,
            actor_id: actor.user_id,
            actor_name: &actor.name,
            action: action.name(),
            from_status: outcome.from.as_str(),
            to_status: outcome.to.as_str(),
            reason: &reason,
            data_json: data,
        },
    )
    .await?;
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: &format!("item.{}", action.name()),
            object_type: "item",
            object_id: Some(id.to_string()),
            org_path: Some(after.lead_org_path.clone()),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    // Steps that hand the item back to its unit reach the people who must act at once.
    if let Action::SendBack { .. } | Action::RejectExtension { .. } = &action {
        let body = serde_json::json!({
            "kind": action.name(), "item_id": id, "title": after.title, "due_on": after.due_on,
            "by": actor.name, "note": reason,
        });
        crate::reminders::tell_deliverers(svc, tx.conn(), &after, action.name(), body, now).await?;
    }
    tx.commit().await?;
    get(svc, actor, id).await
}

/// A dated progress note from the responsible unit, optionally with the progress in percent.
pub async fn add_note(
    svc: &Services,
    actor: &Actor,
    id: i64,
    text: &str,
    progress: Option<i64>,
    expected_version: i64,
) -> ServiceResult<ItemDetail> {
    let mut v = Validation::new();
    v.text("text", text, TEXT_MAX);
    if progress.is_some_and(|p| !(0..=100).contains(&p)) {
        v.add("progress_percent", "out_of_range");
    }
    v.into_result()?;
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    let before = visible(tx.conn(), actor, id).await?.item;
    if !standing(actor, &before).responsible_unit {
        return Err(ServiceError::Refused(Refusal::NotResponsible.code()));
    }
    if !matches!(status_of(&before), Status::Assigned | Status::InProgress) {
        return Err(ServiceError::Conflict(Refusal::WrongStatus.code()));
    }
    if before.version != expected_version {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    let r = item_rules(tx.conn(), before.campaign_id).await?;
    let mut after = before.clone();
    if let Some(p) = progress {
        after.progress_percent = p;
    }
    after.updated_at = now;
    derive(&mut after, now, &r);
    if !items::update(tx.conn(), &after, expected_version).await? {
        return Err(ServiceError::Stale {
            current: before.version + 1,
        });
    }
    recount(tx.conn(), Some(&before), Some(&after)).await?;
    refresh_parents(tx.conn(), after.parent_id, now, &r).await?;
    items::add_note(
        tx.conn(),
        id,
        now,
        (actor.user_id, &actor.name),
        progress,
        text.trim(),
    )
    .await?;
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change { action: "item.note", object_type: "item", object_id: Some(id.to_string()), org_path: Some(after.lead_org_path.clone()), before: Some(&before.progress_percent), after: Some(&serde_json::json!({ "progress_percent": after.progress_percent, "text": text.trim() })) },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}
