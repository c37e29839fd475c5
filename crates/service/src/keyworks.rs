//! Key work (把主题教育与中心工作相结合) and its indicators: an org's key works link the tasks
//! that carry them; each indicator has a baseline, a target, a direction and a weekly
//! trajectory, its actual is entered once a week and read wherever it is needed, and its
//! confidence rating is kept apart from how it stands.

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::error::invalid;
use crate::items;
use crate::records::{place, readable};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use luodi_domain::dashboard::monday_of;
use luodi_domain::indicator::{linear_plan, standing, Direction, Standing, CONFIDENCE};
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_store::items::ItemRow;
pub use luodi_store::keyworks::KeyWork;
use luodi_store::keyworks::{self, Indicator, NewKeyWork};
use luodi_store::{Conn, Page, Paged};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct KeyWorkInput {
    pub campaign_id: i64,
    pub org_id: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct IndicatorInput {
    pub name: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    /// increase or decrease
    pub direction: String,
    pub start_on: NaiveDate,
    pub target_on: NaiveDate,
    /// The planned value per week; a straight line from baseline to target when absent.
    #[serde(default)]
    pub plan: Option<Vec<(NaiveDate, f64)>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ActualInput {
    /// Any day of the week the value is for.
    pub week_on: NaiveDate,
    pub value: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ConfidenceInput {
    /// high, medium or low
    pub confidence: String,
    #[serde(default)]
    pub note: String,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorView {
    pub indicator: Indicator,
    pub plan: Vec<(NaiveDate, f64)>,
    pub actuals: Vec<(NaiveDate, f64)>,
    pub standing: Standing,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyWorkView {
    pub key_work: KeyWork,
    pub tasks: Vec<ItemRow>,
    pub indicators: Vec<IndicatorView>,
    pub can_edit: bool,
}

/// Indicators with their trajectories and actuals, and how each stands today.
pub async fn views(
    mut c: Conn<'_>,
    list: Vec<Indicator>,
    today: NaiveDate,
) -> ServiceResult<Vec<IndicatorView>> {
    let ids: Vec<i64> = list.iter().map(|i| i.id).collect();
    let plans = keyworks::plans(c.re(), &ids).await?;
    let actuals = keyworks::actuals(c.re(), &ids).await?;
    Ok(list
        .into_iter()
        .map(|i| {
            let of = |rows: &[(i64, NaiveDate, f64)]| -> Vec<(NaiveDate, f64)> {
                rows.iter()
                    .filter(|r| r.0 == i.id)
                    .map(|r| (r.1, r.2))
                    .collect()
            };
            let plan = of(&plans);
            let actuals = of(&actuals);
            let direction = Direction::parse(&i.direction).unwrap_or(Direction::Increase);
            IndicatorView {
                standing: standing(direction, i.baseline, i.target, &plan, &actuals, today),
                plan,
                actuals,
                indicator: i,
            }
        })
        .collect())
}

/// Today in the default zone (Asia/Shanghai), for forms that do not know their campaign yet.
pub fn today(svc: &Services) -> NaiveDate {
    crate::items::local_today(svc.now(), chrono_tz::Asia::Shanghai)
}

/// Today in a campaign's time zone: the week an actual belongs to is the campaign's week.
async fn today_in(
    svc: &Services,
    c: Conn<'_>,
    campaign_id: Option<i64>,
) -> ServiceResult<NaiveDate> {
    Ok(match campaign_id {
        Some(cid) => {
            crate::items::local_today(svc.now(), crate::items::item_rules(c, cid).await?.tz)
        }
        None => today(svc),
    })
}

async fn visible(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<KeyWork> {
    let k = keyworks::get(c, id).await?;
    let path = k.as_ref().map(|k| k.org_path.clone()).unwrap_or_default();
    readable(actor, &path, k, "key_work")
}

pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: KeyWorkInput,
) -> ServiceResult<KeyWorkView> {
    let mut v = Validation::new();
    v.text("title", &input.title, 200);
    v.max_len("description", &input.description, 5000);
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let org = place(tx.conn(), actor, input.campaign_id, input.org_id).await?;
    let id = keyworks::create(
        tx.conn(),
        &NewKeyWork {
            campaign_id: input.campaign_id,
            org_id: org.id,
            org_path: &org.path,
            title: input.title.trim(),
            description: input.description.trim(),
            created_by: &actor.name,
        },
        svc.now(),
    )
    .await?;
    audit::record::<(), KeyWorkInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "key_work.create",
            object_type: "key_work",
            object_id: Some(id.to_string()),
            org_path: Some(org.path.clone()),
            before: None,
            after: Some(&input),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<KeyWorkView> {
    items::refresh(svc).await?;
    let mut c = svc.db.read().await?;
    let key_work = visible(c.conn(), actor, id).await?;
    let ids = keyworks::tasks(c.conn(), id).await?;
    let tasks = luodi_store::items::by_ids(c.conn(), &ids)
        .await?
        .into_iter()
        .filter(|r| actor.can(Permission::ReadItems, &r.item.lead_org_path))
        .collect();
    let list = keyworks::indicators_of(c.conn(), id).await?;
    let day = today_in(svc, c.conn(), Some(key_work.campaign_id)).await?;
    let indicators = views(c.conn(), list, day).await?;
    Ok(KeyWorkView {
        can_edit: actor.can(Permission::EditItems, &key_work.org_path),
        key_work,
        tasks,
        indicators,
    })
}

pub async fn list(
    svc: &Services,
    actor: &Actor,
    campaign_id: Option<i64>,
    page: Page,
) -> ServiceResult<Paged<KeyWork>> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    let mut c = svc.db.read().await?;
    Ok(keyworks::list(
        c.conn(),
        &actor.scopes(Permission::ReadItems),
        campaign_id,
        page,
    )
    .await?)
}

/// A key work the actor may read and record for.
async fn editable(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<KeyWork> {
    let k = visible(c, actor, id).await?;
    if !actor.can(Permission::EditItems, &k.org_path) {
        return Err(ServiceError::Forbidden);
    }
    Ok(k)
}

pub async fn add_indicator(
    svc: &Services,
    actor: &Actor,
    key_work_id: i64,
    input: IndicatorInput,
) -> ServiceResult<KeyWorkView> {
    let mut v = Validation::new();
    v.text("name", &input.name, 200);
    v.text("unit", &input.unit, 20);
    let direction = Direction::parse(&input.direction);
    if direction.is_none() {
        v.add("direction", "unknown_value");
    }
    for (field, x) in [("baseline", input.baseline), ("target", input.target)] {
        if !x.is_finite() {
            v.add(field, "bad_number");
        }
    }
    if (input.target - input.baseline).abs() < f64::EPSILON {
        v.add("target", "target_equals_baseline");
    }
    if let Some(d) = direction {
        let wrong = match d {
            Direction::Increase => input.target < input.baseline,
            Direction::Decrease => input.target > input.baseline,
        };
        if wrong {
            v.add("direction", "direction_mismatch");
        }
    }
    if input.target_on < input.start_on {
        v.add("target_on", "ends_before_start");
    }
    if let Some(plan) = &input.plan {
        for (i, (_, x)) in plan.iter().enumerate() {
            if !x.is_finite() {
                v.add(&format!("plan[{i}]"), "bad_number");
            }
        }
    }
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let k = editable(tx.conn(), actor, key_work_id).await?;
    let ind = Indicator {
        id: 0,
        key_work_id: k.id,
        org_path: k.org_path.clone(),
        name: input.name.trim().to_owned(),
        unit: input.unit.trim().to_owned(),
        baseline: input.baseline,
        target: input.target,
        direction: input.direction.trim().to_owned(),
        start_on: input.start_on,
        target_on: input.target_on,
        confidence: String::new(),
        confidence_note: String::new(),
        version: 1,
        created_at: svc.now(),
    };
    let id = keyworks::create_indicator(tx.conn(), &ind).await?;
    let plan: Vec<(NaiveDate, f64)> = match &input.plan {
        Some(p) => p.iter().map(|(d, x)| (monday_of(*d), *x)).collect(),
        None => linear_plan(
            input.baseline,
            input.target,
            input.start_on,
            input.target_on,
        ),
    };
    keyworks::set_plan(tx.conn(), id, &plan).await?;
    audit::record::<(), IndicatorInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "indicator.create",
            object_type: "indicator",
            object_id: Some(id.to_string()),
            org_path: Some(k.org_path.clone()),
            before: None,
            after: Some(&input),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, key_work_id).await
}

/// An indicator the actor may read, with the path it lies in.
async fn indicator(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<Indicator> {
    let i = keyworks::indicator(c, id).await?;
    let path = i.as_ref().map(|i| i.org_path.clone()).unwrap_or_default();
    readable(actor, &path, i, "indicator")
}

/// Records the week's actual, once (a correction replaces it). The unit delivering the work
/// enters it; weeks still to come are refused.
pub async fn record_actual(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: ActualInput,
) -> ServiceResult<KeyWorkView> {
    if !input.value.is_finite() {
        return Err(invalid("value", "bad_number"));
    }
    let week = monday_of(input.week_on);
    let mut tx = svc.db.begin().await?;
    let i = indicator(tx.conn(), actor, id).await?;
    if !actor.can(Permission::EditItems, &i.org_path)
        && !actor.can(Permission::DeliverItems, &i.org_path)
    {
        return Err(ServiceError::Forbidden);
    }
    let campaign = keyworks::get(tx.conn(), i.key_work_id)
        .await?
        .map(|k| k.campaign_id);
    if week > monday_of(today_in(svc, tx.conn(), campaign).await?) {
        return Err(invalid("week_on", "future_week"));
    }
    keyworks::put_actual(tx.conn(), id, week, input.value, &actor.name, svc.now()).await?;
    audit::record::<(), ActualInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "indicator.actual",
            object_type: "indicator",
            object_id: Some(id.to_string()),
            org_path: Some(i.org_path.clone()),
            before: None,
            after: Some(&ActualInput {
                week_on: week,
                value: input.value,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, i.key_work_id).await
}

/// Sets the confidence rating people give the indicator (kept apart from how it stands).
pub async fn set_confidence(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: ConfidenceInput,
) -> ServiceResult<KeyWorkView> {
    let mut v = Validation::new();
    if !CONFIDENCE.contains(&input.confidence.as_str()) {
        v.add("confidence", "unknown_value");
    }
    v.max_len("note", &input.note, 500);
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let before = indicator(tx.conn(), actor, id).await?;
    if !actor.can(Permission::EditItems, &before.org_path)
        && !actor.can(Permission::DeliverItems, &before.org_path)
    {
        return Err(ServiceError::Forbidden);
    }
    if !keyworks::set_confidence(
        tx.conn(),
        id,
        &input.confidence,
        input.note.trim(),
        input.version,
    )
    .await?
    {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "indicator.confidence",
            object_type: "indicator",
            object_id: Some(id.to_string()),
            org_path: Some(before.org_path.clone()),
            before: Some(&before),
            after: Some(&input),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, before.key_work_id).await
}

/// Links a task to the key work it carries forward.
pub async fn link_task(
    svc: &Services,
    actor: &Actor,
    key_work_id: i64,
    item_id: i64,
) -> ServiceResult<KeyWorkView> {
    let mut tx = svc.db.begin().await?;
    let k = editable(tx.conn(), actor, key_work_id).await?;
    let item = luodi_store::items::get(tx.conn(), item_id)
        .await?
        .filter(|r| actor.can(Permission::ReadItems, &r.item.lead_org_path))
        .ok_or_else(|| invalid("item_id", "unknown_item"))?;
    if item.item.campaign_id != k.campaign_id {
        return Err(invalid("item_id", "unknown_item"));
    }
    keyworks::link_task(tx.conn(), k.id, item_id).await?;
    audit::record::<(), i64>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "key_work.link_task",
            object_type: "key_work",
            object_id: Some(k.id.to_string()),
            org_path: Some(k.org_path.clone()),
            before: None,
            after: Some(&item_id),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, key_work_id).await
}

/// The indicators of a scope, with how each stands, for its dashboard.
pub async fn in_scope(
    svc: &Services,
    scopes: &[String],
    campaign_id: Option<i64>,
    limit: i64,
) -> ServiceResult<Vec<IndicatorView>> {
    let mut c = svc.db.read().await?;
    let list = keyworks::indicators_in(c.conn(), scopes, campaign_id, limit).await?;
    let day = today_in(svc, c.conn(), campaign_id).await?;
    views(c.conn(), list, day).await
}
