//! What the meeting, research and activity services share: where a new record goes (a visible
//! campaign, an org the actor may record for) and the rule for reading and recording.

use crate::error::invalid;
use crate::{Actor, ServiceError, ServiceResult};
use luodi_domain::role::Permission;
use luodi_store::orgs::Org;
use luodi_store::{campaigns, orgs, Conn};

/// The campaign and org a new record belongs to, checked: the campaign is visible to the actor,
/// the org lies in its scope and the actor may record for it.
pub async fn place(
    mut c: Conn<'_>,
    actor: &Actor,
    campaign_id: i64,
    org_id: i64,
) -> ServiceResult<Org> {
    if !actor.system
        && !campaigns::is_visible(
            c.re(),
            campaign_id,
            &actor.scopes(Permission::ReadCampaigns),
        )
        .await?
    {
        return Err(invalid("campaign_id", "unknown_campaign"));
    }
    let org = orgs::get(c, org_id)
        .await?
        .filter(|o| actor.can(Permission::ReadOrgs, &o.path) && !o.disabled)
        .ok_or_else(|| invalid("org_id", "unknown_org"))?;
    if !actor.can(Permission::EditItems, &org.path) {
        return Err(ServiceError::Forbidden);
    }
    Ok(org)
}

/// A record at `path` the actor may read, or "not found".
pub fn readable<T>(
    actor: &Actor,
    path: &str,
    v: Option<T>,
    what: &'static str,
) -> ServiceResult<T> {
    v.filter(|_| actor.can(Permission::ReadItems, path))
        .ok_or(ServiceError::NotFound(what))
}
