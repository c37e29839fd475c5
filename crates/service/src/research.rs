//! Research topics (调研课题, "调研工作要围绕工作短板和弱项进行"): a topic aimed at a weakness, with
//! its lead and members, the visits made, the findings and the report. A finding raises a problem
//! that becomes a rectification item of the ledger; the finding keeps the item and the item's
//! page names the topic, so each leads to the other.

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::items::{self, ItemInput};
use crate::records::{place, readable};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_store::items::ItemRow;
use luodi_store::research::{self, Finding, NewTopic};
pub use luodi_store::research::{Topic, TopicFilter, Visit};
use luodi_store::{Conn, Page, Paged};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TopicInput {
    pub campaign_id: i64,
    pub org_id: i64,
    pub title: String,
    /// The weakness (短板弱项) the topic looks into.
    pub weakness: String,
    pub lead: String,
    #[serde(default)]
    pub members: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct VisitInput {
    pub visited_on: NaiveDate,
    pub place: String,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ReportInput {
    pub report: String,
    pub reported_on: NaiveDate,
    pub version: i64,
}

/// The rectification item a finding's problem becomes.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProblemInput {
    /// The problem as the ledger names it; the finding's text when empty.
    #[serde(default)]
    pub title: String,
    pub measures: Vec<String>,
    /// The responsible unit; the topic's org when absent.
    #[serde(default)]
    pub lead_org_id: Option<i64>,
    pub responsible_person: String,
    #[serde(default)]
    pub responsible_user_id: Option<i64>,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub finding: Finding,
    /// The item its problem became, when raised and readable.
    pub item: Option<ItemRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopicView {
    pub topic: Topic,
    pub visits: Vec<Visit>,
    pub findings: Vec<FindingView>,
    pub can_edit: bool,
}

async fn visible(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<Topic> {
    let t = research::get(c, id).await?;
    let path = t.as_ref().map(|t| t.org_path.clone()).unwrap_or_default();
    readable(actor, &path, t, "research_topic")
}

/// A topic the actor may read and record for.
async fn editable(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<Topic> {
    let t = visible(c, actor, id).await?;
    if !actor.can(Permission::EditItems, &t.org_path) {
        return Err(ServiceError::Forbidden);
    }
    Ok(t)
}

pub async fn create(svc: &Services, actor: &Actor, input: TopicInput) -> ServiceResult<TopicView> {
    let mut v = Validation::new();
    v.text("title", &input.title, 200);
    v.text("weakness", &input.weakness, 2000);
    v.text("lead", &input.lead, 50);
    v.max_len("members", &input.members, 500);
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let org = place(tx.conn(), actor, input.campaign_id, input.org_id).await?;
    let now = svc.now();
    let id = research::create(
        tx.conn(),
        &NewTopic {
            campaign_id: input.campaign_id,
            org_id: org.id,
            org_path: &org.path,
            title: input.title.trim(),
            weakness: input.weakness.trim(),
            lead: input.lead.trim(),
            members: input.members.trim(),
            created_by: &actor.name,
        },
        now,
    )
    .await?;
    audit::record::<(), TopicInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "research.create",
            object_type: "research_topic",
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

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<TopicView> {
    items::refresh(svc).await?;
    let mut c = svc.db.read().await?;
    let topic = visible(c.conn(), actor, id).await?;
    let visits = research::visits(c.conn(), id).await?;
    let found = research::findings(c.conn(), id).await?;
    let ids: Vec<i64> = found.iter().filter_map(|f| f.item_id).collect();
    let rows = luodi_store::items::by_ids(c.conn(), &ids).await?;
    let findings = found
        .into_iter()
        .map(|f| FindingView {
            item: f.item_id.and_then(|i| {
                rows.iter()
                    .find(|r| r.item.id == i)
                    .filter(|r| actor.can(Permission::ReadItems, &r.item.lead_org_path))
                    .cloned()
            }),
            finding: f,
        })
        .collect();
    Ok(TopicView {
        can_edit: actor.can(Permission::EditItems, &topic.org_path),
        topic,
        visits,
        findings,
    })
}

pub async fn list(
    svc: &Services,
    actor: &Actor,
    mut f: TopicFilter,
    page: Page,
) -> ServiceResult<Paged<Topic>> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    f.scopes = actor.scopes(Permission::ReadItems);
    let mut c = svc.db.read().await?;
    Ok(research::list(c.conn(), &f, page).await?)
}

pub async fn add_visit(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: VisitInput,
) -> ServiceResult<TopicView> {
    let mut v = Validation::new();
    v.text("place", &input.place, 200);
    v.max_len("notes", &input.notes, 5000);
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let t = editable(tx.conn(), actor, id).await?;
    let visit = Visit {
        id: 0,
        topic_id: t.id,
        visited_on: input.visited_on,
        place: input.place.trim().to_owned(),
        notes: input.notes.trim().to_owned(),
        recorded_by: actor.name.clone(),
        recorded_at: svc.now(),
    };
    let vid = research::add_visit(tx.conn(), &visit).await?;
    audit::record::<(), Visit>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "research.visit",
            object_type: "research_topic",
            object_id: Some(t.id.to_string()),
            org_path: Some(t.org_path.clone()),
            before: None,
            after: Some(&Visit { id: vid, ..visit }),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FindingInput {
    pub text: String,
}

pub async fn add_finding(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: FindingInput,
) -> ServiceResult<TopicView> {
    let mut v = Validation::new();
    v.text("text", &input.text, 2000);
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let t = editable(tx.conn(), actor, id).await?;
    let f = Finding {
        id: 0,
        topic_id: t.id,
        text: input.text.trim().to_owned(),
        item_id: None,
        recorded_by: actor.name.clone(),
        recorded_at: svc.now(),
    };
    let fid = research::add_finding(tx.conn(), &f).await?;
    audit::record::<(), Finding>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "research.finding",
            object_type: "research_topic",
            object_id: Some(t.id.to_string()),
            org_path: Some(t.org_path.clone()),
            before: None,
            after: Some(&Finding { id: fid, ..f }),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

/// Raises the problem a finding found: a rectification item (source: research) in the same
/// transaction as the link, so a finding never has two items and an item never loses its topic.
pub async fn raise_problem(
    svc: &Services,
    actor: &Actor,
    finding_id: i64,
    input: ProblemInput,
) -> ServiceResult<TopicView> {
    let mut tx = svc.db.begin().await?;
    let f = research::finding(tx.conn(), finding_id)
        .await?
        .ok_or(ServiceError::NotFound("finding"))?;
    let t = editable(tx.conn(), actor, f.topic_id).await?;
    if f.item_id.is_some() {
        return Err(ServiceError::Conflict("problem_already_raised"));
    }
    let title = match input.title.trim() {
        "" => f.text.chars().take(200).collect(),
        s => s.to_owned(),
    };
    let it = items::create_in(
        svc,
        tx.conn(),
        actor,
        &ItemInput {
            campaign_id: t.campaign_id,
            kind: "rectification".into(),
            parent_id: None,
            title,
            description: format!("{}：{}", t.title, f.text),
            phase: "review".into(),
            source: "research".into(),
            category: "research_finding".into(),
            item_type: "time_limited".into(),
            lead_org_id: input.lead_org_id.unwrap_or(t.org_id),
            co_org_ids: Vec::new(),
            responsible_user_id: input.responsible_user_id,
            responsible_person: input.responsible_person.clone(),
            due_on: input.due_on,
            goal_id: None,
            measures: input.measures.clone(),
            milestones: Vec::new(),
            weight: None,
            programme_area_id: None,
            issue: true,
        },
    )
    .await?;
    if !research::link_item(tx.conn(), f.id, it.id).await? {
        return Err(ServiceError::Conflict("problem_already_raised"));
    }
    audit::record::<(), ProblemInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "research.raise_problem",
            object_type: "research_finding",
            object_id: Some(f.id.to_string()),
            org_path: Some(t.org_path.clone()),
            before: None,
            after: Some(&input),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, t.id).await
}

/// Writes the topic's report; the topic is then reported.
pub async fn report(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: ReportInput,
) -> ServiceResult<TopicView> {
    let mut v = Validation::new();
    v.text("report", &input.report, 20_000);
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let before = editable(tx.conn(), actor, id).await?;
    let mut after = before.clone();
    after.report = input.report.trim().to_owned();
    after.reported_on = Some(input.reported_on);
    after.status = "reported".into();
    if !research::save_report(tx.conn(), &after, input.version, svc.now()).await? {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "research.report",
            object_type: "research_topic",
            object_id: Some(id.to_string()),
            org_path: Some(before.org_path.clone()),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

/// The research finding an item's problem came from, if the actor may read the topic.
pub async fn origin_of_item(
    svc: &Services,
    actor: &Actor,
    item_id: i64,
) -> ServiceResult<Option<research::Origin>> {
    let mut c = svc.db.read().await?;
    Ok(research::origin_of_item(c.conn(), item_id)
        .await?
        .filter(|o| actor.can(Permission::ReadItems, &o.topic_org_path)))
}
