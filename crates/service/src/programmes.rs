//! Special programmes (专项整治): set up by a campaign office for a campaign, with areas
//! (整治内容); items recorded as measures (工作措施) of an area show the programme's progress.

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::error::invalid;
use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_store::programmes::{self};
pub use luodi_store::programmes::{Area, Programme};
use luodi_store::{campaigns, orgs};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProgrammeInput {
    pub campaign_id: i64,
    pub owner_org_id: i64,
    pub name: String,
    #[serde(default)]
    pub goal: String,
    pub areas: Vec<String>,
}

/// An area with its measures counted (within the reader's scope).
#[derive(Debug, Clone, Serialize)]
pub struct AreaFigures {
    pub area: Area,
    pub total: i64,
    pub done: i64,
    pub by_light: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeDetail {
    pub programme: Programme,
    pub areas: Vec<AreaFigures>,
}

pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: ProgrammeInput,
) -> ServiceResult<ProgrammeDetail> {
    let mut v = Validation::new();
    v.text("name", &input.name, 200);
    v.max_len("goal", &input.goal, 2000);
    let areas: Vec<String> = input
        .areas
        .iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    if areas.is_empty() {
        v.add("areas", "required");
    }
    for (i, a) in areas.iter().enumerate() {
        v.max_len(&format!("areas[{i}]"), a, 200);
    }
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    if !campaigns::is_visible(
        tx.conn(),
        input.campaign_id,
        &actor.scopes(Permission::ReadCampaigns),
    )
    .await?
        && !actor.system
    {
        return Err(invalid("campaign_id", "unknown_campaign"));
    }
    let owner = orgs::get(tx.conn(), input.owner_org_id)
        .await?
        .filter(|o| actor.can(Permission::ReadOrgs, &o.path));
    let Some(owner) = owner else {
        return Err(invalid("owner_org_id", "unknown_org"));
    };
    if !actor.can(Permission::SuperviseItems, &owner.path) {
        return Err(ServiceError::Forbidden);
    }
    let id = programmes::create(
        tx.conn(),
        input.campaign_id,
        owner.id,
        input.name.trim(),
        input.goal.trim(),
        &areas,
        svc.now(),
    )
    .await?;
    audit::record::<(), ProgrammeInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "programme.create",
            object_type: "programme",
            object_id: Some(id.to_string()),
            org_path: Some(owner.path.clone()),
            before: None,
            after: Some(&input),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

/// A programme visible to the actor: owned inside their reach, or covering orgs they read items of.
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<ProgrammeDetail> {
    let mut c = svc.db.read().await?;
    let p = programmes::get(c.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound("programme"))?;
    let scopes = actor.scopes(Permission::ReadItems);
    if !reaches(actor, &p) {
        return Err(ServiceError::NotFound("programme"));
    }
    let areas = programmes::areas(c.conn(), id).await?;
    let counts = programmes::counts(c.conn(), id, &scopes).await?;
    let figures = areas
        .into_iter()
        .map(|a| {
            let mine: Vec<_> = counts
                .iter()
                .filter(|c| c.area_id == a.id && c.status != "withdrawn")
                .collect();
            let mut by_light = BTreeMap::new();
            for c in &mine {
                if !c.light.is_empty() {
                    *by_light.entry(c.light.clone()).or_default() += c.n;
                }
            }
            AreaFigures {
                total: mine.iter().map(|c| c.n).sum(),
                done: mine
                    .iter()
                    .filter(|c| c.status == "closed" || c.status == "verified")
                    .map(|c| c.n)
                    .sum(),
                by_light,
                area: a,
            }
        })
        .collect();
    Ok(ProgrammeDetail {
        programme: p,
        areas: figures,
    })
}

pub async fn list(
    svc: &Services,
    actor: &Actor,
    campaign_id: Option<i64>,
) -> ServiceResult<Vec<Programme>> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    let mut c = svc.db.read().await?;
    // Programmes owned within reach, plus those of visible campaigns whose owner is an ancestor.
    let all = programmes::list(c.conn(), &["/".to_owned()], campaign_id).await?;
    Ok(all.into_iter().filter(|p| reaches(actor, p)).collect())
}

/// A programme belongs to its owner org: readers whose scope covers the owner see it, and so do
/// readers inside the owner's subtree (the units it is aimed at).
fn reaches(actor: &Actor, p: &Programme) -> bool {
    actor.can(Permission::ReadItems, &p.owner_org_path)
        || actor
            .scopes(Permission::ReadItems)
            .iter()
            .any(|s| luodi_domain::org::is_within(s, &p.owner_org_path))
}

/// Checks that an item of `campaign_id` may be a measure of `area_id`.
pub async fn check_area(
    c: luodi_store::Conn<'_>,
    area_id: i64,
    campaign_id: i64,
) -> ServiceResult<()> {
    let mut c = c;
    let area = programmes::area(c.re(), area_id).await?;
    let ok = match area {
        Some(a) => programmes::get(c.re(), a.programme_id)
            .await?
            .is_some_and(|p| p.campaign_id == campaign_id),
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(invalid("programme_area_id", "unknown_value"))
    }
}

/// An area of a programme the actor may see.
pub async fn area(svc: &Services, actor: &Actor, area_id: i64) -> ServiceResult<Area> {
    let area = {
        let mut c = svc.db.read().await?;
        programmes::area(c.conn(), area_id)
            .await?
            .ok_or(ServiceError::NotFound("programme"))?
    };
    get(svc, actor, area.programme_id).await?;
    Ok(area)
}
