//! Recording items: one, or many in one transaction (the import), with their measures,
//! creation events and counters.

use super::*;

/// Records an item. A supervisor's item starts as a draft (or is issued at once with `issue`);
/// an item the responsible unit records for itself starts in progress.
pub async fn create(svc: &Services, actor: &Actor, input: ItemInput) -> ServiceResult<ItemDetail> {
    let mut tx = svc.db.begin().await?;
    let it = create_in(svc, tx.conn(), actor, &input).await?;
    tx.commit().await?;
    get(svc, actor, it.id).await
}

/// Creates an item inside the caller's transaction (with its checks, counts and audit record),
/// for work that creates items as part of a larger change.
pub async fn create_in(
    svc: &Services,
    mut c: Conn<'_>,
    actor: &Actor,
    input: &ItemInput,
) -> ServiceResult<Item> {
    validate(input).into_result()?;
    let now = svc.now();
    let campaign_ok = campaigns::is_visible(
        c.re(),
        input.campaign_id,
        &actor.scopes(Permission::ReadCampaigns),
    )
    .await?;
    if !campaign_ok && !actor.system {
        return Err(invalid("campaign_id", "unknown_campaign"));
    }
    let r = item_rules(c.re(), input.campaign_id).await?;
    let lead = orgs::get(c.re(), input.lead_org_id)
        .await?
        .filter(|o| actor.can(Permission::ReadOrgs, &o.path) && !o.disabled);
    let Some(lead) = lead else {
        return Err(invalid("lead_org_id", "unknown_org"));
    };
    if !actor.can(Permission::EditItems, &lead.path) {
        return Err(ServiceError::Forbidden);
    }
    for (i, co) in input.co_org_ids.iter().enumerate() {
        if orgs::get(c.re(), *co)
            .await?
            .filter(|o| actor.can(Permission::ReadOrgs, &o.path))
            .is_none()
        {
            return Err(invalid(&format!("co_org_ids[{i}]"), "unknown_org"));
        }
    }
    if let Some(pid) = input.parent_id {
        let parent = load(c.re(), pid)
            .await
            .ok()
            .filter(|p| actor.can(Permission::ReadItems, &p.item.lead_org_path));
        match parent {
            Some(p) if p.item.campaign_id == input.campaign_id => {}
            _ => return Err(invalid("parent_id", "unknown_item")),
        }
    }
    if let Some(area) = input.programme_area_id {
        crate::programmes::check_area(c.re(), area, input.campaign_id).await?;
    }
    if let Some(uid) = input.responsible_user_id {
        check_responsible(c.re(), uid, &lead.path).await?;
    }
    let it = insert_new(c.re(), actor, input, &lead, &r, now).await?;
    recount(c.re(), None, Some(&it)).await?;
    refresh_parents(c.re(), it.parent_id, now, &r).await?;
    audit::record::<(), Item>(
        svc,
        c.re(),
        actor,
        Change {
            action: "item.create",
            object_type: "item",
            object_id: Some(it.id.to_string()),
            org_path: Some(it.lead_org_path.clone()),
            before: None,
            after: Some(&it),
        },
    )
    .await?;
    Ok(it)
}

/// Builds, stores and records a new item (its parts and its creation events), deciding where it
/// starts from who records it. Counting and the audit record are the caller's, so that a bulk
/// import can count once.
pub(crate) async fn insert_new(
    mut c: Conn<'_>,
    actor: &Actor,
    input: &ItemInput,
    lead: &orgs::Org,
    r: &ItemRules,
    now: DateTime<Utc>,
) -> ServiceResult<Item> {
    let (mut it, steps) = new_item(actor, input, lead, r, now)?;
    it.id = items::insert(c.re(), &it).await?;
    items::set_measures(c.re(), it.id, &new_measures(input)).await?;
    let ms: Vec<(String, NaiveDate, Option<NaiveDate>)> = input
        .milestones
        .iter()
        .map(|m| (m.title.trim().to_owned(), m.due_on, m.done_on))
        .collect();
    items::set_milestones(c.re(), it.id, &ms).await?;
    let mut co = input.co_org_ids.clone();
    co.sort_unstable();
    co.dedup();
    co.retain(|o| *o != lead.id);
    items::set_co_orgs(c.re(), it.id, &co).await?;
    for e in creation_events(actor, it.id, &steps, now) {
        items::add_event(c.re(), &e).await?;
    }
    Ok(it)
}

/// The measures of a new item as stored: trimmed, blank ones left out.
pub(crate) fn new_measures(input: &ItemInput) -> Vec<String> {
    input
        .measures
        .iter()
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect()
}

/// The steps that record an item's creation, as [`new_item`] decided them.
pub(crate) fn creation_events<'a>(
    actor: &'a Actor,
    item_id: i64,
    steps: &[(&'static str, Status)],
    now: DateTime<Utc>,
) -> Vec<NewEvent<'a>> {
    let mut from = Status::Draft.as_str();
    steps
        .iter()
        .map(|&(action, to)| {
            let e = NewEvent {
                item_id,
                at: now,
                actor_id: actor.user_id,
                actor_name: &actor.name,
                action,
                from_status: from,
                to_status: to.as_str(),
                reason: "",
                data_json: None,
            };
            from = to.as_str();
            e
        })
        .collect()
}

/// A new item as it will be stored (without its id), and the steps that record its creation.
pub(crate) fn new_item(
    actor: &Actor,
    input: &ItemInput,
    lead: &orgs::Org,
    r: &ItemRules,
    now: DateTime<Utc>,
) -> ServiceResult<(Item, Vec<(&'static str, Status)>)> {
    let today = local_today(now, r.tz);
    let supervisor = actor.can(Permission::SuperviseItems, &lead.path);
    let mut it = Item {
        id: 0,
        campaign_id: input.campaign_id,
        kind: input.kind.trim().to_owned(),
        parent_id: input.parent_id,
        title: input.title.trim().to_owned(),
        description: input.description.trim().to_owned(),
        phase: input.phase.trim().to_owned(),
        source: input.source.trim().to_owned(),
        category: input.category.trim().to_owned(),
        item_type: input.item_type.trim().to_owned(),
        owner_org_id: lead.id,
        lead_org_id: lead.id,
        lead_org_path: lead.path.clone(),
        responsible_user_id: input.responsible_user_id,
        responsible_person: input.responsible_person.trim().to_owned(),
        goal_id: input.goal_id,
        programme_area_id: input.programme_area_id,
        weight: input.weight.unwrap_or(1),
        progress_percent: 0,
        status: Status::Draft.as_str().to_owned(),
        suspended_from: None,
        original_due_on: input.due_on,
        due_on: input.due_on,
        pending_extension_on: None,
        start_on: None,
        closed_on: None,
        recheck_due_on: None,
        evidence_count: 0,
        reopen_count: 0,
        light: String::new(),
        timeliness: String::new(),
        due_so_far: false,
        bucket_changes_at: None,
        version: 1,
        created_by: actor.user_id,
        created_at: now,
        updated_at: now,
    };
    // Who records it decides where it starts.
    let mut steps: Vec<(&'static str, Status)> = vec![("create", Status::Draft)];
    if supervisor {
        if input.issue {
            let mut s = state_of(&it);
            rules::apply(
                &mut s,
                &Action::Assign,
                standing(actor, &it),
                today,
                r.lifecycle,
            )
            .map_err(refused)?;
            apply_state(&mut it, &s);
            it.start_on = Some(today);
            steps.push(("assign", Status::Assigned));
        }
    } else {
        // Recorded by the responsible unit itself: issued and signed off at once.
        it.status = Status::InProgress.as_str().to_owned();
        it.start_on = Some(today);
        steps = vec![("create", Status::InProgress)];
    }
    derive(&mut it, now, r);
    Ok((it, steps))
}
