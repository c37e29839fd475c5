//! Roll-ups: counters read for a subtree, and the buckets kept true as days pass.

use super::*;

/// The roll-up of `org_id`'s subtree: a read of its counters.
pub async fn rollup(
    svc: &Services,
    actor: &Actor,
    org_id: i64,
    campaign_id: Option<i64>,
    kind: Option<&str>,
) -> ServiceResult<Rollup> {
    let org = crate::orgs::get(svc, actor, org_id).await?;
    if !actor.can(Permission::ReadItems, &org.path) {
        return Err(ServiceError::NotFound("org"));
    }
    refresh(svc).await?;
    let mut c = svc.db.read().await?;
    let mut roll = Rollup::default();
    for counter in items::counters(c.conn(), org.id, campaign_id, kind).await? {
        roll.add(
            &bucket_of(&counter.key),
            counter.n,
            counter.days_to_close_sum,
        );
    }
    Ok(roll)
}

/// The bucket a counter row stands for.
pub(crate) fn bucket_of(k: &BucketKey) -> luodi_domain::rollup::Bucket {
    use luodi_domain::light::{Light, Timeliness};
    luodi_domain::rollup::Bucket {
        status: Status::parse(&k.status).unwrap_or(Status::Draft),
        light: Light::parse(&k.light),
        timeliness: [
            Timeliness::Normal,
            Timeliness::DueSoon,
            Timeliness::Overdue,
            Timeliness::ClosedOnTime,
            Timeliness::ClosedLate,
        ]
        .into_iter()
        .find(|t| t.as_str() == k.timeliness),
        due_so_far: k.due_so_far,
    }
}

/// Re-buckets the items the calendar has moved (lights turning yellow or red, deadlines passing),
/// a batch at a time; returns how many were looked at. Cheap when nothing is due.
pub async fn rebucket(svc: &Services, batch: i64) -> ServiceResult<usize> {
    let now = svc.now();
    let due = {
        let mut c = svc.db.read().await?;
        items::due_for_rebucket(c.conn(), now, 1).await?
    };
    if due.is_empty() {
        return Ok(0);
    }
    let mut tx = svc.db.begin().await?;
    let rows = items::due_for_rebucket(tx.conn(), now, batch).await?;
    let mut rules_by_campaign: std::collections::HashMap<i64, ItemRules> = Default::default();
    for row in &rows {
        let before = &row.item;
        let r = match rules_by_campaign.get(&before.campaign_id) {
            Some(r) => r.clone(),
            None => {
                let r = item_rules(tx.conn(), before.campaign_id).await?;
                rules_by_campaign.insert(before.campaign_id, r.clone());
                r
            }
        };
        let mut after = before.clone();
        derive(&mut after, now, &r);
        items::set_derived(tx.conn(), &after).await?;
        recount(tx.conn(), Some(before), Some(&after)).await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// Recomputes a task's progress from its subtasks (per the campaign's rule), up the task tree,
/// keeping its light and the counters current.
pub(super) async fn refresh_parents(
    mut c: Conn<'_>,
    parent_id: Option<i64>,
    now: DateTime<Utc>,
    r: &ItemRules,
) -> ServiceResult<()> {
    let mut next = parent_id;
    // A task tree is shallow; the bound guards against a corrupted cycle.
    for _ in 0..16 {
        let Some(pid) = next else { break };
        let Some(parent) = items::get(c.re(), pid).await? else {
            break;
        };
        let kids = items::children(c.re(), pid).await?;
        let subs: Vec<luodi_domain::rollup::SubProgress> = kids
            .iter()
            .filter(|k| k.item.status != Status::Withdrawn.as_str())
            .map(|k| luodi_domain::rollup::SubProgress {
                done: status_of(&k.item).is_done(),
                percent: k.item.progress_percent,
                weight: k.item.weight,
            })
            .collect();
        let progress = luodi_domain::rollup::task_progress(
            r.progress,
            Some(parent.item.progress_percent),
            &subs,
        );
        if progress == parent.item.progress_percent {
            break;
        }
        let before = parent.item;
        let mut after = before.clone();
        after.progress_percent = progress;
        derive(&mut after, now, r);
        items::set_progress(c.re(), after.id, progress).await?;
        items::set_derived(c.re(), &after).await?;
        recount(c.re(), Some(&before), Some(&after)).await?;
        next = after.parent_id;
    }
    Ok(())
}

/// Brings derived state up to the clock before a read that shows it.
pub(crate) async fn refresh(svc: &Services) -> ServiceResult<()> {
    let now = svc.now();
    let quiet = *svc.quiet_until.lock().unwrap_or_else(|e| e.into_inner());
    if quiet.is_some_and(|(from, until)| from <= now && now < until) {
        return Ok(());
    }
    while rebucket(svc, 5_000).await? == 5_000 {}
    // Nothing is due now, and a write only ever sets a change after its own time, so the next
    // reads can skip the check for a moment (another instance's writes included: a bucket
    // changes on a calendar day, so a change noticed this much later is still that day's).
    // A clock set back (tests, the demo) is outside the moment and checks again.
    *svc.quiet_until.lock().unwrap_or_else(|e| e.into_inner()) =
        Some((now, now + chrono::Duration::seconds(2)));
    Ok(())
}
