//! Reminders (催办): a daily digest to each person of the items they are responsible for that are
//! near or past their deadlines and of the reports their unit has yet to submit — at most one
//! digest per person per day — and a supervisor's urge on an item or an org, at most once a day
//! each. Every notice is a delivery in the queue: the in-app inbox shows it at once; e-mail (to
//! people with an address) and the org's group robots send it from the queue (see `notify`).
//! Inbox bodies are structured data, rendered in the reader's language when read; outside
//! channels are rendered when queued, in the recipient's language, and kept as sent.

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Duration, Utc};
use luodi_domain::role::Permission;
pub use luodi_store::deliveries::DeliveryRecord;
use luodi_store::deliveries::{self, Contact, Delivery, NewDelivery};
use luodi_store::{webhooks, Conn};
use serde_json::json;
use std::collections::BTreeMap;

/// A notice: its kind, its structured body, where in luodi it points, and the key that makes it
/// once-only.
pub struct Notice {
    pub kind: &'static str,
    pub body: serde_json::Value,
    pub path: String,
    pub key: String,
    /// The item it is about, if any: the item's page shows who was told and who has read it.
    pub item_id: Option<i64>,
}

impl Notice {
    /// The body as outside channels render it, with a link when luodi's address is known.
    fn outside_body(&self, svc: &Services) -> serde_json::Value {
        let mut b = self.body.clone();
        if let Some(base) = &svc.config.public_url {
            b["url"] = json!(format!("{}{}", base.trim_end_matches('/'), self.path));
        }
        b
    }
}

/// Queues a notice to a person: in the inbox, and by e-mail when they have an address and
/// e-mail is configured. Returns whether it is new (false: already sent under this key).
pub async fn to_person(
    svc: &Services,
    mut c: Conn<'_>,
    who: &Contact,
    n: &Notice,
    now: DateTime<Utc>,
) -> ServiceResult<bool> {
    let body = n.body.to_string();
    let new = deliveries::enqueue(
        c.re(),
        &NewDelivery {
            channel: "inbox",
            user_id: Some(who.id),
            org_id: who.org_id,
            address: "",
            subject: n.kind,
            body: &body,
            dedupe_key: &n.key,
            item_id: n.item_id,
        },
        now,
    )
    .await?;
    if new && svc.channels.mail_enabled() && !who.email.trim().is_empty() {
        let (subject, text) = svc
            .notices
            .render(&who.locale, n.kind, &n.outside_body(svc));
        deliveries::enqueue(
            c,
            &NewDelivery {
                channel: "email",
                user_id: Some(who.id),
                org_id: who.org_id,
                address: who.email.trim(),
                subject: &subject,
                body: &text,
                dedupe_key: &format!("{}:email", n.key),
                item_id: n.item_id,
            },
            now,
        )
        .await?;
    }
    Ok(new)
}

/// Queues a notice to every enabled group robot of an org (in Chinese: robots speak to a group).
pub async fn to_robots(
    svc: &Services,
    mut c: Conn<'_>,
    org_id: i64,
    n: &Notice,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let robots = webhooks::of_org(c.re(), org_id).await?;
    let mut queued = 0;
    for w in robots.into_iter().filter(|w| w.enabled) {
        let (subject, text) = svc.notices.render("zh-CN", n.kind, &n.outside_body(svc));
        if deliveries::enqueue(
            c.re(),
            &NewDelivery {
                channel: &w.kind,
                user_id: None,
                org_id: Some(org_id),
                address: &w.id.to_string(),
                subject: &subject,
                body: &text,
                dedupe_key: &format!("{}:robot:{}", n.key, w.id),
                item_id: n.item_id,
            },
            now,
        )
        .await?
        {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Tells the people who deliver an item (its responsible person, or with none the people who
/// act for its responsible unit) of a step taken on it: in their inbox (and by e-mail). Once per
/// step: the key carries the item's version.
pub async fn tell_deliverers(
    svc: &Services,
    mut c: Conn<'_>,
    it: &luodi_store::items::Item,
    kind: &'static str,
    body: serde_json::Value,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let people = match it.responsible_user_id {
        Some(user) => deliveries::contacts(c.re(), &[user]).await?,
        None => Vec::new(),
    };
    let people = if people.is_empty() {
        deliveries::org_people(c.re(), it.lead_org_id).await?
    } else {
        people
    };
    let mut told = 0;
    for who in &people {
        let n = Notice {
            kind,
            body: body.clone(),
            path: format!("/items/{}", it.id),
            key: format!("{kind}:{}:{}:{}", it.id, it.version, who.id),
            item_id: Some(it.id),
        };
        if to_person(svc, c.re(), who, &n, now).await? {
            told += 1;
        }
    }
    Ok(told)
}

/// The largest reminder offset a campaign may set.
const MAX_OFFSET_DAYS: i64 = 30;

/// Queues today's digests; returns how many people got one (none twice on one day).
pub async fn send_digests(svc: &Services) -> ServiceResult<usize> {
    let now = svc.now();
    // Deadlines are dates in the campaigns' zone; the default zone decides "today" here.
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let (items, reports) = {
        let mut c = svc.db.read().await?;
        (
            deliveries::items_due(c.conn(), today + Duration::days(MAX_OFFSET_DAYS)).await?,
            deliveries::reports_due(c.conn(), now, now + Duration::days(1)).await?,
        )
    };
    let mut per_user: BTreeMap<i64, (Vec<serde_json::Value>, Vec<serde_json::Value>)> =
        BTreeMap::new();
    for i in items {
        let offsets = luodi_domain::delivery::parse_offsets(&i.reminder_offsets);
        let Some(why) = luodi_domain::delivery::remind_today(i.due_on, today, &offsets) else {
            continue;
        };
        per_user.entry(i.user_id).or_default().0.push(json!({ "item_id": i.item_id, "title": i.title, "due_on": i.due_on, "timeliness": i.timeliness, "why": why }));
    }
    for r in reports {
        per_user.entry(r.user_id).or_default().1.push(json!({ "report_id": r.report_id, "org": r.org_name, "period": r.period_key, "due_at": r.due_at }));
    }
    let mut sent = 0;
    let mut tx = svc.db.begin().await?;
    let ids: Vec<i64> = per_user.keys().copied().collect();
    let contacts: BTreeMap<i64, Contact> = deliveries::contacts(tx.conn(), &ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    for (user, (items, reports)) in per_user {
        let Some(who) = contacts.get(&user) else {
            continue;
        };
        let n = Notice {
            kind: "digest",
            body: json!({ "kind": "digest", "date": today, "items": items, "reports": reports }),
            path: "/".into(),
            key: format!("digest:{user}:{today}"),
            item_id: None,
        };
        if to_person(svc, tx.conn(), who, &n, now).await? {
            sent += 1;
        }
    }
    tx.commit().await?;
    Ok(sent)
}

/// A supervisor urges an item (at most once a day per item and person): its responsible person
/// or, with none named, the people who act for its responsible unit get the notice in their
/// inbox and to-do (and by e-mail).
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
    let people = match it.responsible_user_id {
        Some(user) => deliveries::contacts(tx.conn(), &[user]).await?,
        None => Vec::new(),
    };
    let people = if people.is_empty() {
        deliveries::org_people(tx.conn(), it.lead_org_id).await?
    } else {
        people
    };
    if people.is_empty() {
        return Err(ServiceError::Conflict("no_recipients"));
    }
    let mut reached = 0;
    for who in &people {
        let n = Notice {
            kind: "urge",
            body: json!({ "kind": "urge", "item_id": it.id, "title": it.title, "due_on": it.due_on, "by": actor.name, "note": note.trim() }),
            path: format!("/items/{}", it.id),
            key: format!("urge:{}:{today}:{}", it.id, who.id),
            item_id: Some(it.id),
        };
        if to_person(svc, tx.conn(), who, &n, now).await? {
            reached += 1;
        }
    }
    if reached == 0 {
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

/// Who was told about an item (urges, items sent back) and whether they have read it: what the
/// urging office sees on the item's page. The caller has read the item.
pub async fn told_about(
    svc: &Services,
    item_id: i64,
) -> ServiceResult<Vec<deliveries::NoticeRead>> {
    let mut c = svc.db.read().await?;
    Ok(deliveries::read_state(c.conn(), item_id).await?)
}

/// How many of a person's notices are unread.
pub async fn unread(svc: &Services, user_id: i64) -> ServiceResult<i64> {
    let mut c = svc.db.read().await?;
    Ok(deliveries::unread(c.conn(), user_id).await?)
}

/// Opens one of a person's notices: marks it read and returns it (not found if it is not theirs).
pub async fn open_notice(svc: &Services, user_id: i64, id: i64) -> ServiceResult<Delivery> {
    let mut tx = svc.db.begin().await?;
    let d = deliveries::get(tx.conn(), id)
        .await?
        .filter(|d| d.channel == "inbox" && d.user_id == Some(user_id))
        .ok_or(ServiceError::NotFound("notice"))?;
    deliveries::mark_read(tx.conn(), user_id, id, svc.now()).await?;
    tx.commit().await?;
    Ok(d)
}

/// Marks all of a person's notices read; returns how many were unread.
pub async fn read_all(svc: &Services, user_id: i64) -> ServiceResult<u64> {
    let mut tx = svc.db.begin().await?;
    let n = deliveries::mark_all_read(tx.conn(), user_id, svc.now()).await?;
    tx.commit().await?;
    Ok(n)
}

pub async fn mark_read(svc: &Services, user_id: i64, id: i64) -> ServiceResult<()> {
    let mut tx = svc.db.begin().await?;
    deliveries::mark_read(tx.conn(), user_id, id, svc.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// A supervisor urges an org (at most once a day per org): the people who act for it get the
/// notice in their inbox (and by e-mail), and its group robots post it. Returns how many people
/// and robots it reached.
pub async fn urge_org(
    svc: &Services,
    actor: &Actor,
    org_id: i64,
    note: &str,
) -> ServiceResult<usize> {
    let mut v = luodi_domain::Validation::new();
    v.max_len("note", note, 500);
    v.into_result()?;
    let org = crate::orgs::get(svc, actor, org_id).await?;
    if !actor.can(Permission::SuperviseItems, &org.path) {
        return Err(ServiceError::Refused("not_supervisor"));
    }
    // The figures the notice quotes: the org's whole subtree, from the counters.
    let roll = crate::items::rollup(svc, actor, org_id, None, None).await?;
    let now = svc.now();
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let red = roll.by_light.get("red").copied().unwrap_or(0);
    let n = Notice {
        kind: "urge_org",
        body: json!({ "kind": "urge_org", "org_id": org.id, "org": org.name, "by": actor.name, "note": note.trim(), "overdue": roll.overdue, "red": red }),
        path: format!("/ledger?within={}", org.id),
        key: format!("urge_org:{}:{today}", org.id),
        item_id: None,
    };
    let mut tx = svc.db.begin().await?;
    let people = deliveries::org_people(tx.conn(), org.id).await?;
    let mut reached = 0;
    for who in &people {
        let personal = Notice {
            kind: n.kind,
            body: n.body.clone(),
            path: n.path.clone(),
            key: format!("{}:{}", n.key, who.id),
            item_id: None,
        };
        if to_person(svc, tx.conn(), who, &personal, now).await? {
            reached += 1;
        }
    }
    let robots = webhooks::of_org(tx.conn(), org.id)
        .await?
        .iter()
        .filter(|w| w.enabled)
        .count();
    if people.is_empty() && robots == 0 {
        return Err(ServiceError::Conflict("no_recipients"));
    }
    reached += to_robots(svc, tx.conn(), org.id, &n, now).await?;
    if reached == 0 {
        return Err(ServiceError::Conflict("already_urged_today"));
    }
    audit::record::<(), serde_json::Value>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "org.urge",
            object_type: "org",
            object_id: Some(org.id.to_string()),
            org_path: Some(org.path.clone()),
            before: None,
            after: Some(&json!({ "note": note.trim(), "reached": reached })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(reached)
}

/// Who may see the record of outside deliveries: auditors, and those who manage orgs (and so
/// their robots).
pub(crate) fn record_scopes(actor: &Actor) -> Vec<String> {
    let mut s = actor.scopes(Permission::ReadAudit);
    s.extend(actor.scopes(Permission::ManageOrgs));
    s.sort();
    s.dedup();
    s
}

/// The record of notices sent on outside channels (e-mail, robots) in the actor's scopes.
pub async fn records(
    svc: &Services,
    actor: &Actor,
    status: Option<String>,
    channel: Option<String>,
    page: luodi_store::Page,
) -> ServiceResult<luodi_store::Paged<deliveries::DeliveryRecord>> {
    let scopes = record_scopes(actor);
    if scopes.is_empty() {
        return Err(ServiceError::Forbidden);
    }
    let filter = deliveries::DeliveryFilter {
        include_orgless: scopes.iter().any(|s| s == "/"),
        scopes,
        status: status.filter(|s| !s.is_empty()),
        channel: channel.filter(|s| !s.is_empty()),
    };
    let mut c = svc.db.read().await?;
    Ok(deliveries::list(c.conn(), &filter, page).await?)
}

/// Puts a notice that was given up back in the queue.
pub async fn retry(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<()> {
    let mut tx = svc.db.begin().await?;
    let d = deliveries::get(tx.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound("delivery"))?;
    let path = match d.org_id {
        Some(o) => luodi_store::orgs::get(tx.conn(), o)
            .await?
            .map(|o| o.path)
            .unwrap_or_default(),
        None => "/".to_owned(),
    };
    let sees = actor.can(Permission::ReadAudit, &path) || actor.can(Permission::ManageOrgs, &path);
    if d.channel == "inbox" || !sees {
        return Err(ServiceError::NotFound("delivery"));
    }
    if !actor.can(Permission::ManageOrgs, &path) {
        return Err(ServiceError::Forbidden);
    }
    if !deliveries::retry(tx.conn(), id, svc.now()).await? {
        return Err(ServiceError::Conflict("not_failed"));
    }
    audit::record::<(), serde_json::Value>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "delivery.retry",
            object_type: "delivery",
            object_id: Some(id.to_string()),
            org_path: Some(path),
            before: None,
            after: Some(&json!({ "channel": d.channel })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
