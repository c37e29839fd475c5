//! Tasks and rectification items: recording, the lifecycle, progress notes, and roll-ups.
//! Every write keeps an item's derived state (light, timeliness, bucket) and the per-ancestor
//! roll-up counters current in the same transaction, and records an event and an audit entry.

mod batch;
mod create;
mod evidence;
mod input;
mod rollup;
mod transition;
mod update;

pub use batch::*;
pub use create::*;
pub use evidence::*;
pub use input::*;
pub use rollup::*;
pub use transition::*;
pub use update::*;

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
        Action::RequestCloseOut {
            statement: String::new(),
        },
        Action::StartReview,
        Action::Close {
            opinion: String::new(),
        },
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
    let mut c = svc.db.read().await?;
    let f = readable(c.conn(), actor, q.filter, q.within).await?;
    Ok(items::list(c.conn(), &f, q.sort, page).await?)
}

/// A ledger filter cut to what `actor` may read (and to `within`, an org they may read).
pub(crate) async fn readable(
    c: Conn<'_>,
    actor: &Actor,
    mut f: ItemFilter,
    within: Option<i64>,
) -> ServiceResult<ItemFilter> {
    f.scopes = actor.scopes(Permission::ReadItems);
    if let Some(w) = within {
        f.within = Some(crate::orgs::visible(c, actor, w).await?.path);
    }
    Ok(f)
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

#[cfg(test)]
mod tests {
    use super::*;
    use luodi_domain::light::LightRule;
    use luodi_domain::role::{Binding, Role};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    fn shanghai_rules() -> ItemRules {
        ItemRules {
            light: LightRule::default(),
            lifecycle: LifecycleRule::default(),
            tz: chrono_tz::Asia::Shanghai,
            progress: luodi_domain::rollup::ProgressRule::ByCount,
        }
    }

    /// An item of org 5 (under org 1) in progress since 1 September, due 30 September 2026,
    /// 60 % done, with user 7 as its responsible person.
    fn item() -> Item {
        Item {
            id: 11,
            campaign_id: 1,
            kind: "rectification".into(),
            parent_id: None,
            title: "整治公路超限超载".into(),
            description: String::new(),
            phase: "rectification".into(),
            source: "inspection".into(),
            category: String::new(),
            item_type: "time_limited".into(),
            owner_org_id: 5,
            lead_org_id: 5,
            lead_org_path: "/1/5/".into(),
            responsible_user_id: Some(7),
            responsible_person: "孙伟".into(),
            goal_id: None,
            programme_area_id: None,
            weight: 1,
            progress_percent: 60,
            status: "in_progress".into(),
            suspended_from: None,
            original_due_on: d(2026, 9, 30),
            due_on: d(2026, 9, 30),
            pending_extension_on: None,
            start_on: Some(d(2026, 9, 1)),
            closed_on: None,
            recheck_due_on: None,
            evidence_count: 0,
            reopen_count: 0,
            light: String::new(),
            timeliness: String::new(),
            due_so_far: false,
            bucket_changes_at: None,
            version: 1,
            created_by: Some(3),
            created_at: utc("2026-08-20T02:00:00Z"),
            updated_at: utc("2026-09-01T02:00:00Z"),
        }
    }

    fn actor(user_id: i64, role: Role, scope_path: &str) -> Actor {
        Actor::user(
            user_id,
            format!("user{user_id}"),
            vec![Binding {
                role,
                org_id: None,
                scope_path: scope_path.into(),
            }],
            None,
        )
    }

    #[test]
    fn the_local_day_is_the_campaign_zones_not_utcs() {
        let tz = chrono_tz::Asia::Shanghai;
        // 23:59:59 UTC on 30 September is 07:59:59 on 1 October in Shanghai (UTC+8).
        assert_eq!(local_today(utc("2026-09-30T15:59:59Z"), tz), d(2026, 9, 30));
        assert_eq!(local_today(utc("2026-09-30T16:00:00Z"), tz), d(2026, 10, 1));
        assert_eq!(
            local_today(utc("2026-09-30T16:00:00Z"), chrono_tz::UTC),
            d(2026, 9, 30)
        );
    }

    #[test]
    fn an_item_turns_due_soon_three_days_before_and_overdue_after_its_deadline_by_local_days() {
        let r = shanghai_rules();
        // 23:30 on 26 September in Shanghai: four days left, 60 % done, not lagging.
        let mut it = item();
        derive(&mut it, utc("2026-09-26T15:30:00Z"), &r);
        assert_eq!(
            (it.light.as_str(), it.timeliness.as_str()),
            ("green", "normal")
        );
        assert!(!it.due_so_far);
        // It changes at the next Shanghai midnight, 16:00 UTC.
        assert_eq!(it.bucket_changes_at, Some(utc("2026-09-26T16:00:00Z")));

        // 00:30 on 27 September in Shanghai (still the 26th in UTC): three days left.
        let mut it = item();
        derive(&mut it, utc("2026-09-26T16:30:00Z"), &r);
        assert_eq!(
            (it.light.as_str(), it.timeliness.as_str()),
            ("yellow", "due_soon")
        );
        assert!(!it.due_so_far);
        // Next change: overdue from 1 October, Shanghai midnight.
        assert_eq!(it.bucket_changes_at, Some(utc("2026-09-30T16:00:00Z")));

        // 08:00 on 1 October in Shanghai: past the original deadline, so due so far too;
        // nothing changes by the calendar alone any more.
        let mut it = item();
        derive(&mut it, utc("2026-10-01T00:00:00Z"), &r);
        assert_eq!(
            (it.light.as_str(), it.timeliness.as_str()),
            ("red", "overdue")
        );
        assert!(it.due_so_far);
        assert_eq!(it.bucket_changes_at, None);
    }

    #[test]
    fn days_to_close_count_from_issue_to_close_out_for_done_items_only() {
        let mut it = item();
        it.status = "closed".into();
        it.closed_on = Some(d(2026, 9, 21));
        assert_eq!(days_to_close(&it), 20);

        it.status = "verified".into();
        assert_eq!(days_to_close(&it), 20);

        // Never issued: counted from the day it was recorded (20 August).
        it.start_on = None;
        assert_eq!(days_to_close(&it), 32);

        // Reopened: no longer done, whatever the stale date says.
        it.status = "in_progress".into();
        assert_eq!(days_to_close(&it), 0);

        // A close-out dated before the start counts no negative days.
        it.status = "closed".into();
        it.start_on = Some(d(2026, 9, 25));
        assert_eq!(days_to_close(&it), 0);
    }

    #[test]
    fn standing_follows_the_roles_over_the_lead_orgs_subtree() {
        let it = item();
        let supervisor = actor(8, Role::Supervisor, "/1/");
        assert_eq!(
            standing(&supervisor, &it),
            Standing {
                responsible_unit: false,
                responsible_person: false,
                supervisor: true,
            }
        );
        let liaison = actor(7, Role::UnitLiaison, "/1/5/");
        assert_eq!(
            standing(&liaison, &it),
            Standing {
                responsible_unit: true,
                responsible_person: true,
                supervisor: false,
            }
        );
        // Org 50 is not org 5 nor below it, though its path starts alike.
        let elsewhere = actor(9, Role::UnitLiaison, "/1/50/");
        assert_eq!(standing(&elsewhere, &it), Standing::default());
        // The operator has every power but is nobody's responsible person, even on an item
        // that names none.
        let mut unnamed = item();
        unnamed.responsible_user_id = None;
        assert_eq!(
            standing(&Actor::cli(), &unnamed),
            Standing {
                responsible_unit: true,
                responsible_person: false,
                supervisor: true,
            }
        );
    }

    #[test]
    fn a_supervisor_who_is_the_responsible_person_may_not_review_their_own_close_out() {
        let r = shanghai_rules();
        let today = d(2026, 9, 20);
        let mut it = item();
        it.status = "close_out_requested".into();
        it.evidence_count = 1;

        let other = actor(8, Role::Supervisor, "/1/");
        assert_eq!(
            allowed_actions(&it, standing(&other, &it), today, &r),
            vec!["start_review", "close", "send_back", "suspend", "withdraw"]
        );
        let own = actor(7, Role::Supervisor, "/1/");
        assert_eq!(
            allowed_actions(&it, standing(&own, &it), today, &r),
            vec!["suspend", "withdraw"]
        );
    }

    #[test]
    fn the_responsible_unit_may_request_close_out_only_with_evidence() {
        let r = shanghai_rules();
        let today = d(2026, 9, 20);
        let liaison = actor(7, Role::UnitLiaison, "/1/5/");
        let mut it = item();
        assert_eq!(
            allowed_actions(&it, standing(&liaison, &it), today, &r),
            vec!["request_extension"]
        );
        it.evidence_count = 1;
        assert_eq!(
            allowed_actions(&it, standing(&liaison, &it), today, &r),
            vec!["request_close_out", "request_extension"]
        );
        // One extension request at a time.
        it.pending_extension_on = Some(d(2026, 10, 15));
        assert_eq!(
            allowed_actions(&it, standing(&liaison, &it), today, &r),
            vec!["request_close_out"]
        );
    }
}
