//! Campaigns: set up by a campaign office for the subtrees it supervises, visible to everyone in
//! those subtrees.

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::error::invalid;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use luodi_domain::campaign::{self as rules, default_phases, PhaseInput, PhaseKind};
use luodi_domain::role::Permission;
use luodi_domain::Validation;
pub use luodi_store::campaigns::Campaign;
use luodi_store::campaigns::{self, CampaignFields, Goal, Phase, ScopeOrg};
use luodi_store::{orgs, Conn, Page, Paged};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct CampaignDetail {
    pub campaign: Campaign,
    pub rules: Option<campaigns::CampaignRules>,
    pub goals: Vec<Goal>,
    pub phases: Vec<Phase>,
    pub scope: Vec<ScopeOrg>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoalInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PhaseEntry {
    pub kind: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// A campaign as entered. Without phases, the four default phases span the campaign; without
/// scope orgs, the owner's subtree is the scope.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CampaignInput {
    pub owner_org_id: i64,
    pub name: String,
    #[serde(default)]
    pub requirements: String,
    #[serde(default)]
    pub fundamental_task: String,
    #[serde(default)]
    pub time_zone: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[serde(default)]
    pub goals: Vec<GoalInput>,
    #[serde(default)]
    pub phases: Option<Vec<PhaseEntry>>,
    #[serde(default)]
    pub scope_org_ids: Vec<i64>,
    /// Light, re-check and progress rules; absent keeps them (defaults from DOMAIN.md).
    #[serde(default)]
    pub rules: Option<RulesInput>,
}

/// A campaign's configurable rules.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct RulesInput {
    /// Yellow within this many days of the deadline.
    pub due_soon_days: i64,
    /// Yellow past this share of the allowed time (numerator/denominator) with little progress…
    pub lagging_numerator: i64,
    pub lagging_denominator: i64,
    /// …that is, less than this percentage done.
    pub little_progress_percent: i64,
    /// Days after close-out before the effectiveness re-check.
    pub recheck_after_days: i64,
    /// by_count, weighted or manual.
    pub progress_rule: String,
    /// Days before a deadline on which reminders go out (default 3 and 1).
    #[serde(default = "default_offsets")]
    pub reminder_offsets: Vec<i64>,
}

pub fn default_offsets() -> Vec<i64> {
    luodi_domain::delivery::DEFAULT_OFFSETS.to_vec()
}

fn check_rules(v: &mut Validation, r: &RulesInput) {
    if !(0..=60).contains(&r.due_soon_days) {
        v.add("rules.due_soon_days", "out_of_range");
    }
    if r.lagging_denominator < 1 || !(0..=r.lagging_denominator).contains(&r.lagging_numerator) {
        v.add("rules.lagging_numerator", "out_of_range");
    }
    if !(0..=100).contains(&r.little_progress_percent) {
        v.add("rules.little_progress_percent", "out_of_range");
    }
    if !(1..=365).contains(&r.recheck_after_days) {
        v.add("rules.recheck_after_days", "out_of_range");
    }
    if !matches!(r.progress_rule.as_str(), "by_count" | "weighted" | "manual") {
        v.add("rules.progress_rule", "unknown_value");
    }
    if !luodi_domain::delivery::offsets_ok(&r.reminder_offsets) {
        v.add("rules.reminder_offsets", "out_of_range");
    }
}

async fn apply_rules(
    c: luodi_store::Conn<'_>,
    id: i64,
    r: &RulesInput,
    now: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<()> {
    let rules = campaigns::CampaignRules {
        id,
        time_zone: String::new(),
        due_soon_days: r.due_soon_days,
        lagging_numerator: r.lagging_numerator,
        lagging_denominator: r.lagging_denominator,
        little_progress_percent: r.little_progress_percent,
        recheck_after_days: r.recheck_after_days,
        progress_rule: r.progress_rule.clone(),
        reminder_offsets: luodi_domain::delivery::format_offsets(&r.reminder_offsets),
    };
    Ok(campaigns::set_rules(c, &rules, now).await?)
}

fn check(input: &CampaignInput) -> Result<(String, Vec<PhaseInput>), Validation> {
    let mut v = Validation::new();
    v.text("name", &input.name, rules::CAMPAIGN_NAME_MAX);
    v.max_len("requirements", &input.requirements, rules::LONG_TEXT_MAX);
    v.max_len(
        "fundamental_task",
        &input.fundamental_task,
        rules::LONG_TEXT_MAX,
    );
    for (i, g) in input.goals.iter().enumerate() {
        v.text(
            &format!("goals[{i}].title"),
            &g.title,
            rules::GOAL_TITLE_MAX,
        );
        v.max_len(
            &format!("goals[{i}].description"),
            &g.description,
            rules::LONG_TEXT_MAX,
        );
    }
    let tz = input
        .time_zone
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| rules::DEFAULT_TIME_ZONE.to_owned());
    let phases = match &input.phases {
        None => default_phases(input.starts_on, input.ends_on),
        Some(list) => {
            let mut out = Vec::new();
            for (i, p) in list.iter().enumerate() {
                match PhaseKind::parse(&p.kind) {
                    Some(kind) => out.push(PhaseInput {
                        kind,
                        name: p.name.trim().to_owned(),
                        starts_on: p.starts_on,
                        ends_on: p.ends_on,
                    }),
                    None => v.add(&format!("phases[{i}].kind"), "unknown_phase"),
                }
            }
            out
        }
    };
    rules::validate_schedule(&mut v, input.starts_on, input.ends_on, tz.trim(), &phases);
    if let Some(r) = &input.rules {
        check_rules(&mut v, r);
    }
    v.into_result()?;
    Ok((tz.trim().to_owned(), phases))
}

/// Resolves owner and scope orgs: all must be within the actor's campaign-management scope.
async fn resolve_orgs(
    mut c: Conn<'_>,
    actor: &Actor,
    input: &CampaignInput,
) -> ServiceResult<(orgs::Org, Vec<i64>)> {
    let owner = orgs::get(c.re(), input.owner_org_id)
        .await?
        .filter(|o| actor.can(Permission::ReadOrgs, &o.path));
    let Some(owner) = owner else {
        return Err(invalid("owner_org_id", "unknown_org"));
    };
    if !actor.can(Permission::ManageCampaigns, &owner.path) {
        return Err(ServiceError::Forbidden);
    }
    let mut scope = Vec::new();
    for (i, id) in input.scope_org_ids.iter().enumerate() {
        match orgs::get(c.re(), *id)
            .await?
            .filter(|o| actor.can(Permission::ReadOrgs, &o.path))
        {
            Some(o) if actor.can(Permission::ManageCampaigns, &o.path) => scope.push(o.id),
            Some(_) => return Err(ServiceError::Forbidden),
            None => return Err(invalid(&format!("scope_org_ids[{i}]"), "unknown_org")),
        }
    }
    if scope.is_empty() {
        scope.push(owner.id);
    }
    scope.sort_unstable();
    scope.dedup();
    Ok((owner, scope))
}

pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: CampaignInput,
) -> ServiceResult<CampaignDetail> {
    let (tz, phases) = check(&input)?;
    let mut tx = svc.db.begin().await?;
    let (owner, scope) = resolve_orgs(tx.conn(), actor, &input).await?;
    let fields = CampaignFields {
        owner_org_id: owner.id,
        name: input.name.trim(),
        requirements: input.requirements.trim(),
        fundamental_task: input.fundamental_task.trim(),
        time_zone: &tz,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
    };
    let id = campaigns::create(tx.conn(), &fields, svc.now()).await?;
    let goals: Vec<(String, String)> = input
        .goals
        .iter()
        .map(|g| (g.title.trim().to_owned(), g.description.trim().to_owned()))
        .collect();
    campaigns::replace_parts(tx.conn(), id, &goals, &phases, &scope).await?;
    if let Some(r) = &input.rules {
        apply_rules(tx.conn(), id, r, svc.now()).await?;
    }
    let detail = load_detail(tx.conn(), id).await?;
    audit::record::<(), CampaignDetail>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "campaign.create",
            object_type: "campaign",
            object_id: Some(id.to_string()),
            org_path: Some(owner.path.clone()),
            before: None,
            after: Some(&detail),
        },
    )
    .await?;
    tx.commit().await?;
    svc.check_buckets_now();
    Ok(detail)
}

pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: CampaignInput,
    expected_version: i64,
) -> ServiceResult<CampaignDetail> {
    let (tz, phases) = check(&input)?;
    let mut tx = svc.db.begin().await?;
    let before = load_detail(tx.conn(), id).await?;
    if !actor.can(Permission::ReadCampaigns, &before.campaign.owner_org_path)
        && !campaigns::is_visible(tx.conn(), id, &actor.scopes(Permission::ReadCampaigns)).await?
    {
        return Err(ServiceError::NotFound("campaign"));
    }
    if !actor.can(Permission::ManageCampaigns, &before.campaign.owner_org_path) {
        return Err(ServiceError::Forbidden);
    }
    if before.campaign.version != expected_version {
        return Err(ServiceError::Stale {
            current: before.campaign.version,
        });
    }
    let (owner, scope) = resolve_orgs(tx.conn(), actor, &input).await?;
    let fields = CampaignFields {
        owner_org_id: owner.id,
        name: input.name.trim(),
        requirements: input.requirements.trim(),
        fundamental_task: input.fundamental_task.trim(),
        time_zone: &tz,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
    };
    if !campaigns::update(tx.conn(), id, &fields, expected_version, svc.now()).await? {
        return Err(ServiceError::Stale {
            current: before.campaign.version + 1,
        });
    }
    let goals: Vec<(String, String)> = input
        .goals
        .iter()
        .map(|g| (g.title.trim().to_owned(), g.description.trim().to_owned()))
        .collect();
    campaigns::replace_parts(tx.conn(), id, &goals, &phases, &scope).await?;
    if let Some(r) = &input.rules {
        apply_rules(tx.conn(), id, r, svc.now()).await?;
    }
    let after = load_detail(tx.conn(), id).await?;
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "campaign.update",
            object_type: "campaign",
            object_id: Some(id.to_string()),
            org_path: Some(owner.path.clone()),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    svc.check_buckets_now();
    Ok(after)
}

async fn load_detail(mut c: Conn<'_>, id: i64) -> ServiceResult<CampaignDetail> {
    let campaign = campaigns::get(c.re(), id)
        .await?
        .ok_or(ServiceError::NotFound("campaign"))?;
    Ok(CampaignDetail {
        rules: campaigns::rules(c.re(), id).await?,
        goals: campaigns::goals(c.re(), id).await?,
        phases: campaigns::phases(c.re(), id).await?,
        scope: campaigns::scope_orgs(c, id).await?,
        campaign,
    })
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<CampaignDetail> {
    let mut c = svc.db.read().await?;
    if !campaigns::is_visible(c.conn(), id, &actor.scopes(Permission::ReadCampaigns)).await? {
        return Err(ServiceError::NotFound("campaign"));
    }
    load_detail(c.conn(), id).await
}

pub async fn list(
    svc: &Services,
    actor: &Actor,
    q: Option<&str>,
    page: Page,
) -> ServiceResult<Paged<Campaign>> {
    if !actor.can_somewhere(Permission::ReadCampaigns) {
        return Err(ServiceError::Forbidden);
    }
    let mut c = svc.db.read().await?;
    Ok(campaigns::list(c.conn(), &actor.scopes(Permission::ReadCampaigns), q, page).await?)
}

/// The metrics a campaign has switched off (what its dashboards and lists leave out).
pub async fn hidden_metrics(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<Vec<String>> {
    let mut c = svc.db.read().await?;
    if !actor.system
        && !campaigns::is_visible(c.conn(), id, &actor.scopes(Permission::ReadCampaigns)).await?
    {
        return Err(ServiceError::NotFound("campaign"));
    }
    Ok(campaigns::hidden_metrics(c.conn(), id).await?)
}

/// Switches metrics off (and the rest on) for a campaign; the campaign's office decides.
pub async fn set_hidden_metrics(
    svc: &Services,
    actor: &Actor,
    id: i64,
    hidden: Vec<String>,
) -> ServiceResult<Vec<String>> {
    let mut v = Validation::new();
    for (i, m) in hidden.iter().enumerate() {
        if !luodi_domain::campaign::METRICS.contains(&m.as_str()) {
            v.add(&format!("hidden[{i}]"), "unknown_value");
        }
    }
    v.into_result()?;
    let mut hidden = hidden;
    hidden.sort();
    hidden.dedup();
    let mut tx = svc.db.begin().await?;
    let before = load_detail(tx.conn(), id).await?;
    if !actor.system
        && !campaigns::is_visible(tx.conn(), id, &actor.scopes(Permission::ReadCampaigns)).await?
    {
        return Err(ServiceError::NotFound("campaign"));
    }
    if !actor.can(Permission::ManageCampaigns, &before.campaign.owner_org_path) {
        return Err(ServiceError::Forbidden);
    }
    let old = campaigns::hidden_metrics(tx.conn(), id).await?;
    campaigns::set_hidden_metrics(tx.conn(), id, &hidden).await?;
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "campaign.hidden_metrics",
            object_type: "campaign",
            object_id: Some(id.to_string()),
            org_path: Some(before.campaign.owner_org_path.clone()),
            before: Some(&old),
            after: Some(&hidden),
        },
    )
    .await?;
    tx.commit().await?;
    svc.check_buckets_now();
    Ok(hidden)
}
