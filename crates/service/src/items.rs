//! Tasks and rectification items: recording, the lifecycle, progress notes, and roll-ups.
//! Every write keeps an item's derived state (light, timeliness, bucket) and the per-ancestor
//! roll-up counters current in the same transaction, and records an event and an audit entry.

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::error::invalid;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use luodi_domain::campaign::PhaseKind;
use luodi_domain::item::{
    self as rules, Action, ItemKind, ItemState, ItemType, LifecycleRule, Refusal, Source, Standing,
    Status,
};
use luodi_domain::light::{Facts, LightRule};
use luodi_domain::org::ancestor_ids;
use luodi_domain::role::Permission;
use luodi_domain::rollup::{bucket, next_change, Rollup};
use luodi_domain::Validation;
use luodi_store::items::{self, BucketKey, CounterDelta, Item, NewEvent};
pub use luodi_store::items::{ItemFilter, ItemRow, ItemSort, Milestone};
use luodi_store::{campaigns, orgs, Conn, Page, Paged};
use serde::{Deserialize, Serialize};

/// A campaign's rules, resolved.
#[derive(Debug, Clone)]
pub struct ItemRules {
    pub light: LightRule,
    pub lifecycle: LifecycleRule,
    pub tz: Tz,
    pub progress: luodi_domain::rollup::ProgressRule,
}

pub async fn item_rules(c: Conn<'_>, campaign_id: i64) -> ServiceResult<ItemRules> {
    let r = campaigns::rules(c, campaign_id)
        .await?
        .ok_or(ServiceError::NotFound("campaign"))?;
    Ok(ItemRules {
        light: LightRule {
            due_soon_days: r.due_soon_days,
            elapsed: (r.lagging_numerator, r.lagging_denominator),
            little_progress_percent: r.little_progress_percent,
        },
        lifecycle: LifecycleRule {
            recheck_after_days: r.recheck_after_days,
        },
        tz: r.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai),
        progress: match r.progress_rule.as_str() {
            "weighted" => luodi_domain::rollup::ProgressRule::Weighted,
            "manual" => luodi_domain::rollup::ProgressRule::Manual,
            _ => luodi_domain::rollup::ProgressRule::ByCount,
        },
    })
}

/// The calendar date of `now` in the campaign's time zone.
pub fn local_today(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

fn local_midnight(day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn status_of(it: &Item) -> Status {
    Status::parse(&it.status).unwrap_or(Status::Draft)
}

fn facts(it: &Item) -> Facts {
    Facts {
        status: status_of(it),
        start_on: it.start_on,
        original_due_on: it.original_due_on,
        due_on: it.due_on,
        closed_on: it.closed_on,
        progress_percent: Some(it.progress_percent),
        has_responsible_person: !it.responsible_person.trim().is_empty(),
    }
}

/// Recomputes the derived columns of `it` for `now`.
pub fn derive(it: &mut Item, now: DateTime<Utc>, r: &ItemRules) {
    let today = local_today(now, r.tz);
    let f = facts(it);
    let b = bucket(&f, today, &r.light);
    it.light = b.light.map(|l| l.as_str()).unwrap_or("").to_owned();
    it.timeliness = b.timeliness.map(|t| t.as_str()).unwrap_or("").to_owned();
    it.due_so_far = b.due_so_far;
    it.bucket_changes_at = next_change(&f, today, &r.light).and_then(|d| local_midnight(d, r.tz));
}

/// The counter bucket an item is in.
pub fn key(it: &Item) -> BucketKey {
    BucketKey {
        kind: it.kind.clone(),
        phase: it.phase.clone(),
        status: it.status.clone(),
        light: it.light.clone(),
        timeliness: it.timeliness.clone(),
        due_so_far: it.due_so_far,
    }
}

/// Days from issue to close-out of a done item (0 otherwise), as the counters sum them.
pub fn days_to_close(it: &Item) -> i64 {
    match (status_of(it).is_done(), it.closed_on) {
        (true, Some(closed)) => (closed
            - it.start_on.unwrap_or_else(|| it.created_at.date_naive()))
        .num_days()
        .max(0),
        _ => 0,
    }
}

/// Moves an item's count from its old bucket to its new one in the counters of every ancestor.
async fn recount(
    mut c: Conn<'_>,
    before: Option<&Item>,
    after: Option<&Item>,
) -> ServiceResult<()> {
    if let (Some(b), Some(a)) = (before, after) {
        if key(b) == key(a)
            && days_to_close(b) == days_to_close(a)
            && b.lead_org_path == a.lead_org_path
        {
            return Ok(());
        }
    }
    let mut deltas = Vec::new();
    let mut spread = 0;
    if let Some(b) = before {
        deltas.extend(CounterDelta::for_each(
            &ancestor_ids(&b.lead_org_path),
            b.campaign_id,
            &key(b),
            -1,
            -days_to_close(b),
        ));
        spread = b.id;
    }
    if let Some(a) = after {
        deltas.extend(CounterDelta::for_each(
            &ancestor_ids(&a.lead_org_path),
            a.campaign_id,
            &key(a),
            1,
            days_to_close(a),
        ));
        spread = a.id;
    }
    items::bump(c.re(), deltas, spread).await?;
    Ok(())
}

/// Who the actor is to an item.
pub fn standing(actor: &Actor, it: &Item) -> Standing {
    Standing {
        responsible_unit: actor.can(Permission::DeliverItems, &it.lead_org_path),
        responsible_person: it.responsible_user_id.is_some()
            && it.responsible_user_id == actor.user_id,
        supervisor: actor.can(Permission::SuperviseItems, &it.lead_org_path),
    }
}

fn state_of(it: &Item) -> ItemState {
    ItemState {
        status: status_of(it),
        suspended_from: it.suspended_from.as_deref().and_then(Status::parse),
        original_due_on: it.original_due_on,
        due_on: it.due_on,
        pending_extension: it.pending_extension_on,
        has_responsible_person: !it.responsible_person.trim().is_empty(),
        evidence_count: it.evidence_count.max(0) as u32,
        closed_on: it.closed_on,
        recheck_due_on: it.recheck_due_on,
        reopen_count: it.reopen_count.max(0) as u32,
    }
}

fn apply_state(it: &mut Item, s: &ItemState) {
    it.status = s.status.as_str().to_owned();
    it.suspended_from = s.suspended_from.map(|x| x.as_str().to_owned());
    it.due_on = s.due_on;
    it.pending_extension_on = s.pending_extension;
    it.closed_on = s.closed_on;
    it.recheck_due_on = s.recheck_due_on;
    it.reopen_count = s.reopen_count as i64;
}

/// A refusal of the lifecycle, as a service error with its stable code.
fn refused(r: Refusal) -> ServiceError {
    match r {
        Refusal::NotResponsible | Refusal::NotSupervisor | Refusal::OwnReview => {
            ServiceError::Refused(r.code())
        }
        Refusal::ReasonRequired => invalid("reason", "required"),
        Refusal::ExtensionNotLater => invalid("new_due_on", "extension_not_later"),
        _ => ServiceError::Conflict(r.code()),
    }
}

/// The steps the actor may take now, for buttons and the API.
pub fn allowed_actions(
    it: &Item,
    st: Standing,
    today: NaiveDate,
    r: &ItemRules,
) -> Vec<&'static str> {
    let x = || "x".to_owned();
    let candidates = [
        Action::Assign,
        Action::SignOff,
        Action::ReturnNotOurs { reason: x() },
        Action::Reassign,
        Action::RequestCloseOut,
        Action::StartReview,
        Action::Close,
        Action::SendBack { reason: x() },
        Action::PassRecheck,
        Action::Reopen { reason: x() },
        Action::RequestExtension {
            new_due_on: it.due_on + chrono::Duration::days(1),
            reason: x(),
        },
        Action::ApproveExtension,
        Action::RejectExtension { reason: x() },
        Action::Suspend { reason: x() },
        Action::Resume,
        Action::Withdraw { reason: x() },
    ];
    candidates
        .iter()
        .filter(|a| rules::apply(&mut state_of(it), a, st, today, r.lifecycle).is_ok())
        .map(|a| a.name())
        .collect()
}

/// A measure or milestone as entered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MilestoneInput {
    pub title: String,
    pub due_on: NaiveDate,
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
}

/// An item as entered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemInput {
    pub campaign_id: i64,
    pub kind: String,
    #[serde(default)]
    pub parent_id: Option<i64>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub phase: String,
    pub source: String,
    #[serde(default)]
    pub category: String,
    pub item_type: String,
    pub lead_org_id: i64,
    #[serde(default)]
    pub co_org_ids: Vec<i64>,
    #[serde(default)]
    pub responsible_user_id: Option<i64>,
    pub responsible_person: String,
    pub due_on: NaiveDate,
    #[serde(default)]
    pub goal_id: Option<i64>,
    #[serde(default)]
    pub measures: Vec<String>,
    #[serde(default)]
    pub milestones: Vec<MilestoneInput>,
    #[serde(default)]
    pub weight: Option<i64>,
    /// The special programme's area (整治内容) the item is a measure of.
    #[serde(default)]
    pub programme_area_id: Option<i64>,
    /// Issue it at once (assign) instead of keeping a draft; for supervisors.
    #[serde(default)]
    pub issue: bool,
}

pub const TITLE_MAX: usize = 500;
pub const TEXT_MAX: usize = 10_000;
pub const MEASURE_MAX: usize = 1_000;
pub const PERSON_MAX: usize = 50;

/// Checks the fields of an item; a rectification item needs measures, a deadline and a
/// responsible unit and person.
/// The responsible person of an item is an enabled account of its responsible unit or of an
/// org below it. Any other id, whether it exists or not, is refused alike: the answer does not
/// tell which accounts exist outside the caller's reach.
async fn check_responsible(c: Conn<'_>, user_id: i64, lead_path: &str) -> ServiceResult<()> {
    let mut c = c;
    let user = luodi_store::users::get(c.re(), user_id)
        .await?
        .filter(|u| !u.disabled);
    let org = match user.and_then(|u| u.org_id) {
        Some(org_id) => orgs::get(c, org_id).await?,
        None => None,
    };
    if org.is_some_and(|o| o.path.starts_with(lead_path)) {
        Ok(())
    } else {
        Err(invalid("responsible_user_id", "not_in_unit"))
    }
}

pub fn validate(input: &ItemInput) -> Validation {
    let mut v = Validation::new();
    v.text("title", &input.title, TITLE_MAX);
    v.max_len("description", &input.description, TEXT_MAX);
    v.max_len("category", &input.category, 100);
    v.text("responsible_person", &input.responsible_person, PERSON_MAX);
    let kind = ItemKind::parse(&input.kind);
    if kind.is_none() {
        v.add("kind", "unknown_value");
    }
    if PhaseKind::parse(&input.phase).is_none() {
        v.add("phase", "unknown_value");
    }
    if Source::parse(&input.source).is_none() {
        v.add("source", "unknown_value");
    }
    if ItemType::parse(&input.item_type).is_none() {
        v.add("item_type", "unknown_value");
    }
    let measures: Vec<&String> = input
        .measures
        .iter()
        .filter(|m| !m.trim().is_empty())
        .collect();
    if kind == Some(ItemKind::Rectification) && measures.is_empty() {
        v.add("measures", "required");
    }
    for (i, m) in input.measures.iter().enumerate() {
        v.max_len(&format!("measures[{i}]"), m, MEASURE_MAX);
    }
    for (i, m) in input.milestones.iter().enumerate() {
        v.text(&format!("milestones[{i}].title"), &m.title, 200);
    }
    if input.weight.is_some_and(|w| !(0..=1000).contains(&w)) {
        v.add("weight", "out_of_range");
    }
    v
}

/// An item with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDetail {
    pub item: ItemRow,
    pub measures: Vec<items::Measure>,
    pub milestones: Vec<items::Milestone>,
    pub co_orgs: Vec<items::CoOrg>,
    pub events: Vec<items::Event>,
    pub notes: Vec<items::Note>,
    pub revisions: Vec<items::Revision>,
    pub extensions: Vec<items::ExtensionRequest>,
    pub attachments: Vec<items::Attachment>,
    pub children: Vec<ItemRow>,
    /// What the reader may do now.
    pub allowed: Vec<&'static str>,
    pub can_edit: bool,
    pub can_report: bool,
}

async fn load(c: Conn<'_>, id: i64) -> ServiceResult<ItemRow> {
    items::get(c, id)
        .await?
        .ok_or(ServiceError::NotFound("item"))
}

/// An item the actor may read, or "not found".
async fn visible(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<ItemRow> {
    let row = load(c, id).await?;
    if !actor.can(Permission::ReadItems, &row.item.lead_org_path) {
        return Err(ServiceError::NotFound("item"));
    }
    Ok(row)
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<ItemDetail> {
    refresh(svc).await?;
    let mut c = svc.db.read().await?;
    let row = visible(c.conn(), actor, id).await?;
    let r = item_rules(c.conn(), row.item.campaign_id).await?;
    let st = standing(actor, &row.item);
    let today = local_today(svc.now(), r.tz);
    let status = status_of(&row.item);
    Ok(ItemDetail {
        measures: items::measures(c.conn(), id).await?,
        milestones: items::milestones(c.conn(), id).await?,
        co_orgs: items::co_orgs(c.conn(), id).await?,
        events: items::events(c.conn(), id).await?,
        notes: items::notes(c.conn(), id).await?,
        revisions: items::revisions(c.conn(), id).await?,
        extensions: items::extension_requests(c.conn(), id).await?,
        attachments: items::attachments(c.conn(), id).await?,
        children: items::children(c.conn(), id)
            .await?
            .into_iter()
            .filter(|ch| actor.can(Permission::ReadItems, &ch.item.lead_org_path))
            .collect(),
        allowed: allowed_actions(&row.item, st, today, &r),
        can_edit: st.supervisor && !status.is_done() && status != Status::Withdrawn,
        can_report: st.responsible_unit && matches!(status, Status::Assigned | Status::InProgress),
        item: row,
    })
}

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
    if matches!(action, Action::Close) {
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
        Action::Close if before.pending_extension_on.is_some() => {
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

/// What a ledger list may be filtered by (ids resolved by the caller).
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    pub within: Option<i64>,
    pub filter: ItemFilter,
    pub sort: ItemSort,
}

pub async fn list(
    svc: &Services,
    actor: &Actor,
    q: ItemQuery,
    page: Page,
) -> ServiceResult<Paged<ItemRow>> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    refresh(svc).await?;
    let mut f = q.filter;
    f.scopes = actor.scopes(Permission::ReadItems);
    let mut c = svc.db.read().await?;
    if let Some(w) = q.within {
        f.within = Some(crate::orgs::visible(c.conn(), actor, w).await?.path);
    }
    Ok(items::list(c.conn(), &f, q.sort, page).await?)
}

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
async fn refresh_parents(
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

/// The rules of a campaign's items (its time zone, lights and lifecycle): what the pages need
/// to show times and dates as the campaign counts them. Nothing in them is confidential.
pub async fn campaign_rules(svc: &Services, campaign_id: i64) -> ServiceResult<ItemRules> {
    let mut c = svc.db.read().await?;
    item_rules(c.conn(), campaign_id).await
}

/// The milestones of listed items the actor may read, in one query, by item.
pub async fn milestones_of(
    svc: &Services,
    actor: &Actor,
    rows: &[&ItemRow],
) -> ServiceResult<std::collections::HashMap<i64, Vec<items::Milestone>>> {
    let ids: Vec<i64> = rows
        .iter()
        .filter(|r| actor.can(Permission::ReadItems, &r.item.lead_org_path))
        .map(|r| r.item.id)
        .collect();
    let mut c = svc.db.read().await?;
    Ok(items::milestones_of(c.conn(), &ids).await?)
}

/// The account a form names as an item's responsible person, by username: one the actor may
/// record items for (in their reach), enabled and in an org. `None` alike for no such account
/// and for one out of reach, so that the answer tells nothing about accounts elsewhere.
pub async fn responsible_by_username(
    svc: &Services,
    actor: &Actor,
    username: &str,
) -> ServiceResult<Option<i64>> {
    let mut c = svc.db.read().await?;
    let Some(user) = luodi_store::users::get_by_username(c.conn(), username.trim())
        .await?
        .filter(|u| !u.disabled)
    else {
        return Ok(None);
    };
    let Some(org_id) = user.org_id else {
        return Ok(None);
    };
    let org = orgs::get(c.conn(), org_id).await?;
    Ok(org
        .filter(|o| actor.can(Permission::EditItems, &o.path))
        .map(|_| user.id))
}

/// The username of the account of an item's responsible person (an item the caller has read),
/// or empty.
pub async fn responsible_username(svc: &Services, item: &Item) -> ServiceResult<String> {
    let Some(uid) = item.responsible_user_id else {
        return Ok(String::new());
    };
    let mut c = svc.db.read().await?;
    Ok(luodi_store::users::get(c.conn(), uid)
        .await?
        .map(|u| u.username)
        .unwrap_or_default())
}
