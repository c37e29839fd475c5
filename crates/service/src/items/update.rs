//! Changing an item's fields, with the history and counters that follow.

use super::*;

/// Changes to an item's fields; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ItemChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub phase: Option<String>,
    pub source: Option<String>,
    pub item_type: Option<String>,
    /// Another responsible unit: only while a draft or returned (then reassign).
    pub lead_org_id: Option<i64>,
    pub responsible_person: Option<String>,
    pub responsible_user_id: Option<Option<i64>>,
    pub co_org_ids: Option<Vec<i64>>,
    pub measures: Option<Vec<String>>,
    pub milestones: Option<Vec<MilestoneInput>>,
    pub weight: Option<i64>,
    /// Only while a draft; later, deadlines move by approved extensions, as dated revisions.
    pub due_on: Option<NaiveDate>,
}

impl ItemChanges {
    /// Whether only what the responsible unit may change is changed: the description and the
    /// milestones (marking them done).
    fn unit_only(&self) -> bool {
        let ItemChanges {
            title,
            description: _,
            category,
            phase,
            source,
            item_type,
            lead_org_id,
            responsible_person,
            responsible_user_id,
            co_org_ids,
            measures,
            milestones: _,
            weight,
            due_on,
        } = self;
        title.is_none()
            && category.is_none()
            && phase.is_none()
            && source.is_none()
            && item_type.is_none()
            && lead_org_id.is_none()
            && responsible_person.is_none()
            && responsible_user_id.is_none()
            && co_org_ids.is_none()
            && measures.is_none()
            && weight.is_none()
            && due_on.is_none()
    }
}

/// Edits an item's fields (not its status: that is `transition`).
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    ch: ItemChanges,
    expected_version: i64,
) -> ServiceResult<ItemDetail> {
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    let before = visible(tx.conn(), actor, id).await?.item;
    let st = standing(actor, &before);
    let status = status_of(&before);
    if !(st.supervisor || (st.responsible_unit && ch.unit_only())) {
        return Err(ServiceError::Refused(if st.responsible_unit {
            Refusal::NotSupervisor.code()
        } else {
            Refusal::NotResponsible.code()
        }));
    }
    if status.is_done() || status == Status::Withdrawn {
        return Err(ServiceError::Conflict(Refusal::WrongStatus.code()));
    }
    if before.version != expected_version {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    if ch.due_on.is_some_and(|d| d != before.due_on) && status != Status::Draft {
        return Err(invalid("due_on", "deadline_needs_extension"));
    }
    if ch.lead_org_id.is_some_and(|o| o != before.lead_org_id)
        && !matches!(status, Status::Draft | Status::Returned)
    {
        return Err(invalid("lead_org_id", "unit_fixed_after_sign_off"));
    }
    let measures_now: Vec<String> = items::measures(tx.conn(), id)
        .await?
        .into_iter()
        .map(|m| m.text)
        .collect();
    let milestones_now: Vec<MilestoneInput> = items::milestones(tx.conn(), id)
        .await?
        .into_iter()
        .map(|m| MilestoneInput {
            title: m.title,
            due_on: m.due_on,
            done_on: m.done_on,
        })
        .collect();
    let co_now: Vec<i64> = items::co_orgs(tx.conn(), id)
        .await?
        .into_iter()
        .map(|c| c.org_id)
        .collect();
    // The item as it would be, checked by the same rules as a new one.
    let merged = ItemInput {
        campaign_id: before.campaign_id,
        kind: before.kind.clone(),
        parent_id: before.parent_id,
        title: ch.title.clone().unwrap_or_else(|| before.title.clone()),
        description: ch
            .description
            .clone()
            .unwrap_or_else(|| before.description.clone()),
        phase: ch.phase.clone().unwrap_or_else(|| before.phase.clone()),
        source: ch.source.clone().unwrap_or_else(|| before.source.clone()),
        category: ch
            .category
            .clone()
            .unwrap_or_else(|| before.category.clone()),
        item_type: ch
            .item_type
            .clone()
            .unwrap_or_else(|| before.item_type.clone()),
        lead_org_id: ch.lead_org_id.unwrap_or(before.lead_org_id),
        co_org_ids: ch.co_org_ids.clone().unwrap_or(co_now),
        responsible_user_id: ch.responsible_user_id.unwrap_or(before.responsible_user_id),
        responsible_person: ch
            .responsible_person
            .clone()
            .unwrap_or_else(|| before.responsible_person.clone()),
        due_on: ch.due_on.unwrap_or(before.due_on),
        goal_id: before.goal_id,
        measures: ch.measures.clone().unwrap_or(measures_now),
        milestones: ch.milestones.clone().unwrap_or(milestones_now),
        weight: Some(ch.weight.unwrap_or(before.weight)),
        programme_area_id: before.programme_area_id,
        issue: false,
    };
    validate(&merged).into_result()?;
    let r = item_rules(tx.conn(), before.campaign_id).await?;
    let mut after = before.clone();
    if merged.lead_org_id != before.lead_org_id {
        let lead = orgs::get(tx.conn(), merged.lead_org_id)
            .await?
            .filter(|o| actor.can(Permission::ReadOrgs, &o.path) && !o.disabled);
        let Some(lead) = lead else {
            return Err(invalid("lead_org_id", "unknown_org"));
        };
        if !actor.can(Permission::SuperviseItems, &lead.path) {
            return Err(ServiceError::Forbidden);
        }
        after.lead_org_id = lead.id;
        after.lead_org_path = lead.path;
    }
    for (i, co) in merged.co_org_ids.iter().enumerate() {
        if orgs::get(tx.conn(), *co)
            .await?
            .filter(|o| actor.can(Permission::ReadOrgs, &o.path))
            .is_none()
        {
            return Err(invalid(&format!("co_org_ids[{i}]"), "unknown_org"));
        }
    }
    if let Some(uid) = merged.responsible_user_id.filter(|uid| {
        Some(*uid) != before.responsible_user_id || after.lead_org_id != before.lead_org_id
    }) {
        check_responsible(tx.conn(), uid, &after.lead_org_path).await?;
    }
    after.title = merged.title.trim().to_owned();
    after.description = merged.description.trim().to_owned();
    after.phase = merged.phase.trim().to_owned();
    after.source = merged.source.trim().to_owned();
    after.category = merged.category.trim().to_owned();
    after.item_type = merged.item_type.trim().to_owned();
    after.responsible_person = merged.responsible_person.trim().to_owned();
    after.responsible_user_id = merged.responsible_user_id;
    after.weight = merged.weight.unwrap_or(1);
    if status == Status::Draft {
        after.due_on = merged.due_on;
        after.original_due_on = merged.due_on;
    }
    after.updated_at = now;
    derive(&mut after, now, &r);
    if !items::update(tx.conn(), &after, expected_version).await? {
        return Err(ServiceError::Stale {
            current: before.version + 1,
        });
    }
    if status == Status::Draft && ch.due_on.is_some() {
        items::set_draft_deadline(tx.conn(), id, merged.due_on).await?;
    }
    if ch.measures.is_some() {
        let ms: Vec<String> = merged
            .measures
            .iter()
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .collect();
        items::set_measures(tx.conn(), id, &ms).await?;
    }
    if ch.milestones.is_some() {
        let ms: Vec<(String, NaiveDate, Option<NaiveDate>)> = merged
            .milestones
            .iter()
            .map(|m| (m.title.trim().to_owned(), m.due_on, m.done_on))
            .collect();
        items::set_milestones(tx.conn(), id, &ms).await?;
    }
    if ch.co_org_ids.is_some() {
        let mut co = merged.co_org_ids.clone();
        co.sort_unstable();
        co.dedup();
        co.retain(|o| *o != after.lead_org_id);
        items::set_co_orgs(tx.conn(), id, &co).await?;
    }
    recount(tx.conn(), Some(&before), Some(&after)).await?;
    items::add_event(
        tx.conn(),
        &NewEvent {
            item_id: id,
            at: now,
            actor_id: actor.user_id,
            actor_name: &actor.name,
            action: "edit",
            from_status: &before.status,
            to_status: &after.status,
            reason: "",
            data_json: serde_json::to_string(&ch).ok(),
        },
    )
    .await?;
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "item.update",
            object_type: "item",
            object_id: Some(id.to_string()),
            org_path: Some(after.lead_org_path.clone()),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}
