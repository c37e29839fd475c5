//! An org's organisation for a campaign ("制定工作方案，健全组织体系"): the work plan, where every
//! save is a new version and nothing is overwritten, with attachments checked by content; the
//! leading group (leader, deputies, members); the working bodies under it (the office,
//! supervision teams) with their division of duties; and the orgs each supervision team watches,
//! which must lie in the org's subtree.

use crate::audit::{self, Change};
use crate::error::invalid;
use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::org::is_within;
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_store::organisation::{self as store, Body, Member, PlanAttachment, PlanVersion};
use luodi_store::orgs::Org;
use luodi_store::{campaigns, Conn, StoreError};
use serde::{Deserialize, Serialize};

pub const ROLES: [&str; 3] = ["leader", "deputy", "member"];
pub const BODY_KINDS: [&str; 3] = ["office", "supervision_team", "other"];

#[derive(Debug, Clone, Serialize)]
pub struct BodyView {
    pub body: Body,
    /// Orgs a supervision team watches: (id, name).
    pub watches: Vec<(i64, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrganisationView {
    pub org: Org,
    pub campaign_id: i64,
    /// The plan as it stands (the newest version), if written.
    pub plan: Option<PlanVersion>,
    /// Every version, newest first.
    pub versions: Vec<PlanVersion>,
    pub attachments: Vec<PlanAttachment>,
    pub members: Vec<Member>,
    pub bodies: Vec<BodyView>,
    /// Supervision teams (of orgs above) that watch this org: (id, team, its org).
    pub watched_by: Vec<(i64, String, String)>,
    pub can_edit: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PlanInput {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub note: String,
    /// The version the writer read (0 for the first).
    pub version_no: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MemberInput {
    /// leader, deputy or member
    pub role: String,
    pub name: String,
    #[serde(default)]
    pub post: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct BodyInput {
    /// office, supervision_team or other
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub head: String,
    pub duties: String,
}

/// The org, read-checked, and the campaign, visible.
async fn locate(
    mut c: Conn<'_>,
    actor: &Actor,
    campaign_id: i64,
    org_id: i64,
) -> ServiceResult<Org> {
    let org = luodi_store::orgs::get(c.re(), org_id)
        .await?
        .filter(|o| actor.can(Permission::ReadItems, &o.path))
        .ok_or(ServiceError::NotFound("org"))?;
    if !actor.system
        && !campaigns::is_visible(c, campaign_id, &actor.scopes(Permission::ReadCampaigns)).await?
    {
        return Err(ServiceError::NotFound("campaign"));
    }
    Ok(org)
}

async fn editable(c: Conn<'_>, actor: &Actor, campaign_id: i64, org_id: i64) -> ServiceResult<Org> {
    let org = locate(c, actor, campaign_id, org_id).await?;
    if !actor.can(Permission::EditItems, &org.path) {
        return Err(ServiceError::Forbidden);
    }
    Ok(org)
}

pub async fn get(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    org_id: i64,
) -> ServiceResult<OrganisationView> {
    let mut c = svc.db.read().await?;
    let org = locate(c.conn(), actor, campaign_id, org_id).await?;
    let versions = store::plan_versions(c.conn(), campaign_id, org.id).await?;
    let assignments = store::assignments(c.conn(), campaign_id, org.id).await?;
    let bodies = store::bodies(c.conn(), campaign_id, org.id)
        .await?
        .into_iter()
        .map(|b| BodyView {
            watches: assignments
                .iter()
                .filter(|a| a.0 == b.id)
                .map(|a| (a.1, a.2.clone()))
                .collect(),
            body: b,
        })
        .collect();
    Ok(OrganisationView {
        plan: versions.first().cloned(),
        attachments: store::attachments(c.conn(), campaign_id, org.id).await?,
        members: store::members(c.conn(), campaign_id, org.id).await?,
        watched_by: store::watchers(c.conn(), org.id).await?,
        bodies,
        versions,
        can_edit: actor.can(Permission::EditItems, &org.path),
        campaign_id,
        org,
    })
}

/// Saves the plan as a new version; a writer who read an older version is refused (409).
pub async fn save_plan(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    org_id: i64,
    input: PlanInput,
) -> ServiceResult<OrganisationView> {
    let mut v = Validation::new();
    v.text("title", &input.title, 200);
    v.text("body", &input.body, 100_000);
    v.max_len("note", &input.note, 500);
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let org = editable(tx.conn(), actor, campaign_id, org_id).await?;
    let current = store::plan_versions(tx.conn(), campaign_id, org.id)
        .await?
        .first()
        .map_or(0, |p| p.version_no);
    if current != input.version_no {
        return Err(ServiceError::Stale { current });
    }
    let version = PlanVersion {
        id: 0,
        campaign_id,
        org_id: org.id,
        org_path: org.path.clone(),
        version_no: current + 1,
        title: input.title.trim().to_owned(),
        body: input.body.trim().to_owned(),
        note: input.note.trim().to_owned(),
        created_by: actor.name.clone(),
        created_at: svc.now(),
    };
    match store::add_plan_version(tx.conn(), &version).await {
        Ok(_) => {}
        Err(StoreError::Unique(_)) => {
            return Err(ServiceError::Stale {
                current: current + 1,
            })
        }
        Err(e) => return Err(e.into()),
    }
    audit::record::<(), PlanInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "plan.save",
            object_type: "plan",
            object_id: Some(format!("{campaign_id}/{}/{}", org.id, current + 1)),
            org_path: Some(org.path.clone()),
            before: None,
            after: Some(&input),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, campaign_id, org_id).await
}

/// Attaches a file to the plan (checked by content, stored by its hash).
pub async fn attach(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    org_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> ServiceResult<OrganisationView> {
    {
        let mut c = svc.db.read().await?;
        editable(c.conn(), actor, campaign_id, org_id).await?;
    }
    let stored =
        crate::items::store_file(svc, bytes, file_name, &luodi_store::files::Kind::ALL).await?;
    let mut tx = svc.db.begin().await?;
    let org = editable(tx.conn(), actor, campaign_id, org_id).await?;
    let a = PlanAttachment {
        id: 0,
        campaign_id,
        org_id: org.id,
        org_path: org.path.clone(),
        sha256: stored.sha256.clone(),
        file_name: stored.file_name.clone(),
        content_type: stored.content_type.to_owned(),
        size: stored.size as i64,
        uploaded_by: actor.name.clone(),
        uploaded_at: svc.now(),
    };
    let id = store::add_attachment(tx.conn(), &a).await?;
    audit::record::<(), PlanAttachment>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "plan.attach",
            object_type: "plan_attachment",
            object_id: Some(id.to_string()),
            org_path: Some(org.path.clone()),
            before: None,
            after: Some(&a),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, campaign_id, org_id).await
}

/// A plan attachment and its bytes, for whoever reads the org.
pub async fn attachment(
    svc: &Services,
    actor: &Actor,
    id: i64,
) -> ServiceResult<(PlanAttachment, Vec<u8>)> {
    let a = {
        let mut c = svc.db.read().await?;
        store::attachment(c.conn(), id)
            .await?
            .filter(|a| actor.can(Permission::ReadItems, &a.org_path))
            .ok_or(ServiceError::NotFound("file"))?
    };
    let bytes = svc
        .files
        .read(&a.sha256)
        .await
        .map_err(|_| ServiceError::NotFound("file"))?;
    Ok((a, bytes))
}

/// Replaces the leading group: exactly one leader (组长), then deputies and members.
pub async fn set_group(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    org_id: i64,
    members: Vec<MemberInput>,
) -> ServiceResult<OrganisationView> {
    let mut v = Validation::new();
    for (i, m) in members.iter().enumerate() {
        if !ROLES.contains(&m.role.as_str()) {
            v.add(&format!("members[{i}].role"), "unknown_value");
        }
        v.text(&format!("members[{i}].name"), &m.name, 50);
        v.max_len(&format!("members[{i}].post"), &m.post, 100);
    }
    if members.iter().filter(|m| m.role == "leader").count() != 1 {
        v.add("members", "one_leader");
    }
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let org = editable(tx.conn(), actor, campaign_id, org_id).await?;
    let before = store::members(tx.conn(), campaign_id, org.id).await?;
    let rows: Vec<(String, String, String)> = members
        .iter()
        .map(|m| {
            (
                m.role.clone(),
                m.name.trim().to_owned(),
                m.post.trim().to_owned(),
            )
        })
        .collect();
    store::set_members(tx.conn(), campaign_id, org.id, &org.path, &rows).await?;
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "leading_group.set",
            object_type: "leading_group",
            object_id: Some(format!("{campaign_id}/{}", org.id)),
            org_path: Some(org.path.clone()),
            before: Some(&before),
            after: Some(&members),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, campaign_id, org_id).await
}

pub async fn add_body(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    org_id: i64,
    input: BodyInput,
) -> ServiceResult<OrganisationView> {
    let mut v = Validation::new();
    if !BODY_KINDS.contains(&input.kind.as_str()) {
        v.add("kind", "unknown_value");
    }
    v.text("name", &input.name, 100);
    v.max_len("head", &input.head, 100);
    v.text("duties", &input.duties, 5000);
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let org = editable(tx.conn(), actor, campaign_id, org_id).await?;
    let body = Body {
        id: 0,
        campaign_id,
        org_id: org.id,
        org_path: org.path.clone(),
        kind: input.kind.clone(),
        name: input.name.trim().to_owned(),
        head: input.head.trim().to_owned(),
        duties: input.duties.trim().to_owned(),
        created_at: svc.now(),
    };
    let id = store::add_body(tx.conn(), &body).await?;
    audit::record::<(), BodyInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "working_body.create",
            object_type: "working_body",
            object_id: Some(id.to_string()),
            org_path: Some(org.path.clone()),
            before: None,
            after: Some(&input),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, campaign_id, org_id).await
}

/// Assigns (or releases) an org to a supervision team; the org must lie below the team's org.
pub async fn assign(
    svc: &Services,
    actor: &Actor,
    body_id: i64,
    org_id: i64,
    watch: bool,
) -> ServiceResult<OrganisationView> {
    let mut tx = svc.db.begin().await?;
    let body = store::body(tx.conn(), body_id)
        .await?
        .filter(|b| actor.can(Permission::ReadItems, &b.org_path))
        .ok_or(ServiceError::NotFound("working_body"))?;
    let org = editable(tx.conn(), actor, body.campaign_id, body.org_id).await?;
    if body.kind != "supervision_team" {
        return Err(invalid("body_id", "not_a_supervision_team"));
    }
    let watched = luodi_store::orgs::get(tx.conn(), org_id)
        .await?
        .filter(|o| {
            is_within(&o.path, &org.path)
                && o.id != org.id
                && actor.can(Permission::ReadOrgs, &o.path)
        })
        .ok_or_else(|| invalid("org_id", "unknown_org"))?;
    if watch {
        store::assign(tx.conn(), body.id, watched.id).await?;
    } else {
        store::unassign(tx.conn(), body.id, watched.id).await?;
    }
    audit::record::<(), (i64, i64, bool)>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "supervision.assign",
            object_type: "working_body",
            object_id: Some(body.id.to_string()),
            org_path: Some(org.path.clone()),
            before: None,
            after: Some(&(body.id, watched.id, watch)),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, body.campaign_id, body.org_id).await
}
