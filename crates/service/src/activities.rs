//! Study activities (学习教育活动, "自学与集体学习相结合…"): what an org held, of which kind, when,
//! where, organised by whom, with how many participants and which materials. They are counted,
//! never ranked: the burden rules forbid ranking by study minutes, likes or check-ins, so luodi
//! records no minutes and offers no ranking of people.

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::records::{place, readable};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_store::activities::{self, NewActivity};
pub use luodi_store::activities::{Activity, ActivityFilter};
use luodi_store::{Page, Paged};
use serde::{Deserialize, Serialize};

/// The kinds of activity the glossary names.
pub const KINDS: [&str; 9] = [
    "self_study",
    "group_study",
    "seminar",
    "lecture",
    "warning_education",
    "field_visit",
    "film_screening",
    "exhibition",
    "mobilisation_meeting",
];

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ActivityInput {
    pub campaign_id: i64,
    pub org_id: i64,
    pub kind: String,
    pub title: String,
    pub held_on: NaiveDate,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub organiser: String,
    pub participants: i64,
    #[serde(default)]
    pub materials: String,
}

pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: ActivityInput,
) -> ServiceResult<Activity> {
    let mut v = Validation::new();
    if !KINDS.contains(&input.kind.as_str()) {
        v.add("kind", "unknown_value");
    }
    v.text("title", &input.title, 200);
    v.max_len("place", &input.place, 200);
    v.max_len("organiser", &input.organiser, 100);
    v.max_len("materials", &input.materials, 5000);
    if !(0..=1_000_000).contains(&input.participants) {
        v.add("participants", "out_of_range");
    }
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let org = place(tx.conn(), actor, input.campaign_id, input.org_id).await?;
    let id = activities::create(
        tx.conn(),
        &NewActivity {
            campaign_id: input.campaign_id,
            org_id: org.id,
            org_path: &org.path,
            kind: &input.kind,
            title: input.title.trim(),
            held_on: input.held_on,
            place: input.place.trim(),
            organiser: input.organiser.trim(),
            participants: input.participants,
            materials: input.materials.trim(),
            created_by: &actor.name,
        },
        svc.now(),
    )
    .await?;
    audit::record::<(), ActivityInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "activity.create",
            object_type: "activity",
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

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<Activity> {
    let mut c = svc.db.read().await?;
    let a = activities::get(c.conn(), id).await?;
    let path = a.as_ref().map(|a| a.org_path.clone()).unwrap_or_default();
    readable(actor, &path, a, "activity")
}

/// Activities of the actor's subtree (or of `within`'s), latest first, with counts per kind.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    within: Option<i64>,
    mut f: ActivityFilter,
    page: Page,
) -> ServiceResult<(Paged<Activity>, Vec<(String, i64)>)> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    f.scopes = actor.scopes(Permission::ReadItems);
    if let Some(w) = within {
        let o = crate::orgs::get(svc, actor, w).await?;
        if !actor.can(Permission::ReadItems, &o.path) {
            return Err(ServiceError::NotFound("org"));
        }
        f.within = Some(o.path);
    }
    let mut c = svc.db.read().await?;
    let counts = activities::count_by_kind(
        c.conn(),
        &ActivityFilter {
            kind: None,
            ..f.clone()
        },
    )
    .await?;
    Ok((activities::list(c.conn(), &f, page).await?, counts))
}

/// The first and last day of a month (`YYYY-MM`), for the calendar.
pub fn month_bounds(month: &str) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d").ok()?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some((first, next.pred_opt()?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn month_bounds_cover_the_month() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(
            super::month_bounds("2026-12"),
            d("2026-12-01").zip(d("2026-12-31"))
        );
        assert_eq!(
            super::month_bounds("2028-02"),
            d("2028-02-01").zip(d("2028-02-29"))
        );
        assert_eq!(super::month_bounds("2026-13"), None);
    }
}
