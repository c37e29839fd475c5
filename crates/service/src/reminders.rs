//! Reminders (催办): a daily digest to each person of the items they are responsible for that are
//! near or past their deadlines and of the reports their unit has yet to submit — at most one
//! digest per person per day — and a supervisor's urge on an item, at most once a day per item.
//! Every notice is a delivery in the queue; the in-app inbox shows it at once, other channels
//! send it from the queue. Bodies are structured data, rendered in the reader's language.

use crate::audit::{self, Change};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::Duration;
use luodi_domain::role::Permission;
use luodi_store::deliveries::{self, Delivery, NewDelivery};
use serde_json::json;
use std::collections::BTreeMap;

/// Days before a deadline on which a digest mentions an item (the default offsets: 3 and 1).
pub const OFFSETS_DAYS: i64 = 3;

/// Queues today's digests; returns how many people got one (none twice on one day).
pub async fn send_digests(svc: &Services) -> ServiceResult<usize> {
    let now = svc.now();
    // Deadlines are dates in the campaigns' zone; the default zone decides "today" here.
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let (items, reports) = {
        let mut c = svc.db.read().await?;
        (
            deliveries::items_due(c.conn(), today + Duration::days(OFFSETS_DAYS)).await?,
            deliveries::reports_due(c.conn(), now + Duration::days(1)).await?,
        )
    };
    let mut per_user: BTreeMap<i64, (Vec<serde_json::Value>, Vec<serde_json::Value>)> =
        BTreeMap::new();
    for i in items {
        per_user.entry(i.user_id).or_default().0.push(json!({ "item_id": i.item_id, "title": i.title, "due_on": i.due_on, "timeliness": i.timeliness }));
    }
    for r in reports {
        per_user.entry(r.user_id).or_default().1.push(json!({ "report_id": r.report_id, "org": r.org_name, "period": r.period_key, "due_at": r.due_at }));
    }
    let mut sent = 0;
    let mut tx = svc.db.begin().await?;
    for (user, (items, reports)) in per_user {
        let body = json!({ "kind": "digest", "date": today, "items": items, "reports": reports })
            .to_string();
        let key = format!("digest:{user}:{today}");
        if deliveries::enqueue(
            tx.conn(),
            &NewDelivery {
                channel: "inbox",
                user_id: Some(user),
                address: "",
                subject: "digest",
                body: &body,
                dedupe_key: &key,
            },
            now,
        )
        .await?
        {
            sent += 1;
        }
    }
    tx.commit().await?;
    Ok(sent)
}

/// A supervisor urges the responsible person of an item (at most once a day per item).
pub async fn urge(svc: &Services, actor: &Actor, item_id: i64, note: &str) -> ServiceResult<()> {
    let mut v = luodi_domain::Validation::new();
    v.max_len("note", note, 500);
    v.into_result()?;
    let now = svc.now();
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let mut tx = svc.db.begin().await?;
    let row = luodi_store::items::get(tx.conn(), item_id)
        .await?
        .ok_or(ServiceError::NotFound("item"))?;
    let it = row.item;
    if !actor.can(Permission::ReadItems, &it.lead_org_path) {
        return Err(ServiceError::NotFound("item"));
    }
    if !actor.can(Permission::SuperviseItems, &it.lead_org_path) {
        return Err(ServiceError::Refused("not_supervisor"));
    }
    let Some(user) = it.responsible_user_id else {
        return Err(ServiceError::Conflict("no_responsible_user"));
    };
    let body = json!({ "kind": "urge", "item_id": it.id, "title": it.title, "due_on": it.due_on, "by": actor.name, "note": note.trim() }).to_string();
    let key = format!("urge:{}:{today}", it.id);
    if !deliveries::enqueue(
        tx.conn(),
        &NewDelivery {
            channel: "inbox",
            user_id: Some(user),
            address: "",
            subject: "urge",
            body: &body,
            dedupe_key: &key,
        },
        now,
    )
    .await?
    {
        return Err(ServiceError::Conflict("already_urged_today"));
    }
    luodi_store::items::add_event(
        tx.conn(),
        &luodi_store::items::NewEvent {
            item_id: it.id,
            at: now,
            actor_id: actor.user_id,
            actor_name: &actor.name,
            action: "urge",
            from_status: &it.status,
            to_status: &it.status,
            reason: note.trim(),
            data_json: None,
        },
    )
    .await?;
    audit::record::<(), serde_json::Value>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "item.urge",
            object_type: "item",
            object_id: Some(it.id.to_string()),
            org_path: Some(it.lead_org_path.clone()),
            before: None,
            after: Some(&json!({ "note": note.trim() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn inbox(svc: &Services, user_id: i64) -> ServiceResult<Vec<Delivery>> {
    let mut c = svc.db.read().await?;
    Ok(deliveries::inbox(c.conn(), user_id, 200).await?)
}

pub async fn mark_read(svc: &Services, user_id: i64, id: i64) -> ServiceResult<()> {
    let mut tx = svc.db.begin().await?;
    deliveries::mark_read(tx.conn(), user_id, id, svc.now()).await?;
    tx.commit().await?;
    Ok(())
}
