//! Batch work on the ledger: one step (or an urge) on many selected items, each item on its own
//! as if taken alone (its own transaction, rules, event and audit record), with each item's
//! outcome reported: done, or refused and why.

use super::*;

/// The most items one batch may touch.
pub const MAX_BATCH: usize = 500;

/// What a batch does to each item.
#[derive(Debug, Clone)]
pub enum BatchAction {
    /// 催办 the item's responsible person (or its unit).
    Urge { note: String },
    /// A lifecycle step (assign, sign off, send back with one reason, approve an extension…).
    Step(Action),
}

impl BatchAction {
    pub fn name(&self) -> &'static str {
        match self {
            BatchAction::Urge { .. } => "urge",
            BatchAction::Step(a) => a.name(),
        }
    }
}

/// One item's outcome.
#[derive(Debug)]
pub struct BatchOutcome {
    pub id: i64,
    /// The item's title, when the actor may read it.
    pub title: String,
    pub result: ServiceResult<()>,
}

/// Takes `action` on each of `ids` (at most [`MAX_BATCH`], each once), in the order given.
/// A reason the step needs is checked once, before any item is touched.
pub async fn batch(
    svc: &Services,
    actor: &Actor,
    ids: &[i64],
    action: BatchAction,
) -> ServiceResult<Vec<BatchOutcome>> {
    let mut v = Validation::new();
    if ids.is_empty() {
        v.add("ids", "required");
    }
    if ids.len() > MAX_BATCH {
        v.add_with(
            "ids",
            "too_many_selected",
            vec![("max", MAX_BATCH.to_string())],
        );
    }
    if let BatchAction::Step(
        Action::ReturnNotOurs { reason }
        | Action::SendBack { reason }
        | Action::Reopen { reason }
        | Action::RejectExtension { reason }
        | Action::Suspend { reason }
        | Action::Withdraw { reason },
    ) = &action
    {
        v.text("reason", reason, 2000);
    }
    if let BatchAction::Urge { note } = &action {
        v.max_len("note", note, 500);
    }
    v.into_result()?;
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<i64> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    let rows: std::collections::HashMap<i64, ItemRow> = {
        let mut c = svc.db.read().await?;
        items::by_ids(c.conn(), &ids)
            .await?
            .into_iter()
            .filter(|r| actor.can(Permission::ReadItems, &r.item.lead_org_path))
            .map(|r| (r.item.id, r))
            .collect()
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(row) = rows.get(&id) else {
            out.push(BatchOutcome {
                id,
                title: String::new(),
                result: Err(ServiceError::NotFound("item")),
            });
            continue;
        };
        let result = match &action {
            BatchAction::Urge { note } => crate::reminders::urge(svc, actor, id, note).await,
            BatchAction::Step(a) => {
                // The version read a moment ago: a change in between is refused as stale.
                transition(svc, actor, id, a.clone(), row.item.version)
                    .await
                    .map(|_| ())
            }
        };
        out.push(BatchOutcome {
            id,
            title: row.item.title.clone(),
            result,
        });
    }
    Ok(out)
}

/// The ids of the items matching a ledger query (a selection of "all that match"), at most
/// [`MAX_BATCH`] + 1 so that the caller can tell a selection too large.
pub async fn ids_matching(svc: &Services, actor: &Actor, q: ItemQuery) -> ServiceResult<Vec<i64>> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    refresh(svc).await?;
    let mut c = svc.db.read().await?;
    let f = readable(c.conn(), actor, q.filter, q.within).await?;
    Ok(items::all(c.conn(), &f, MAX_BATCH as i64 + 1)
        .await?
        .into_iter()
        .map(|r| r.item.id)
        .collect())
}
